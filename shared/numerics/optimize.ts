/**
 * Optimizers for small smooth problems: BFGS with a backtracking (Armijo) line search, and golden-section
 * search on an interval. Allocation-free inside their loops.
 */

export interface MinimizeResult {
  theta: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
  /** The final inverse-Hessian estimate (row-major), once the search measured any curvature. */
  inverseHessian?: Float64Array;
}

export interface BfgsOptions {
  /** Curvature from an earlier search (row-major, dim x dim); ignored unless finite and of that size. */
  initialInverseHessian?: ArrayLike<number> | undefined;
  maxIterations: number;
  /** Converged when the largest |gradient| component is below this. */
  gradientTolerance: number;
  /** Longest step per iteration (Euclidean length in theta); a longer direction is scaled down to it. */
  maxStepLength: number;
}

/** BFGS line search: Armijo sufficient decrease, halving the step. */
const ARMIJO_C1 = 1e-4;
const MAX_BACKTRACKS = 40;
/** Length of the steepest-descent step that starts a search without curvature information. */
const STEEPEST_STEP = 0.1;

/**
 * Minimizes `objective` (value returned, gradient written into its second argument) from `start` by
 * BFGS. Without a usable initial inverse Hessian the first step is a short steepest-descent step and the
 * inverse Hessian is then seeded with (s'y / y'y) I, as in Nocedal & Wright (6.20).
 */
export function minimizeBfgs(
  objective: (theta: Float64Array, gradient: Float64Array) => number,
  start: Float64Array,
  options: BfgsOptions,
): MinimizeResult {
  const { initialInverseHessian, maxIterations, gradientTolerance, maxStepLength } = options;
  const dim = start.length;
  let x = Float64Array.from(start);
  let g = new Float64Array(dim);
  let f = objective(x, g);
  let xNew = new Float64Array(dim);
  let gNew = new Float64Array(dim);
  const direction = new Float64Array(dim);
  const s = new Float64Array(dim);
  const y = new Float64Array(dim);
  const hy = new Float64Array(dim);
  const H = new Float64Array(dim * dim); // inverse Hessian, row-major
  let hessianSeeded = false;
  if (initialInverseHessian && initialInverseHessian.length === dim * dim) {
    H.set(initialInverseHessian);
    hessianSeeded = H.every(Number.isFinite);
  }
  let iterations = 0;
  let converged = false;
  if (!Number.isFinite(f)) return { theta: x, value: f, iterations, converged };

  for (; iterations < maxIterations; ) {
    if (maxAbs(g) < gradientTolerance) {
      converged = true;
      break;
    }
    if (hessianSeeded) {
      for (let i = 0; i < dim; i++) {
        let sum = 0;
        for (let j = 0; j < dim; j++) sum -= H[i * dim + j]! * g[j]!;
        direction[i] = sum;
      }
    }
    let slope = dot(direction, g);
    if (!hessianSeeded || !(slope < 0)) {
      // Steepest descent, scaled to a modest first step; also the reset when H lost positive-definiteness.
      const norm = Math.sqrt(dot(g, g));
      for (let i = 0; i < dim; i++) direction[i] = (-g[i]! / norm) * STEEPEST_STEP;
      hessianSeeded = false;
      slope = dot(direction, g);
    }
    const length = Math.sqrt(dot(direction, direction));
    if (length > maxStepLength) {
      for (let i = 0; i < dim; i++) direction[i] = (direction[i]! * maxStepLength) / length;
      slope = dot(direction, g);
    }

    let step = 1;
    let fNew = Number.POSITIVE_INFINITY;
    let accepted = false;
    for (let backtrack = 0; backtrack < MAX_BACKTRACKS; backtrack++) {
      for (let i = 0; i < dim; i++) xNew[i] = x[i]! + step * direction[i]!;
      fNew = objective(xNew, gNew);
      if (fNew <= f + ARMIJO_C1 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    iterations++;
    if (!accepted) break; // no decrease along a descent direction: at the optimum to rounding, or stuck

    for (let i = 0; i < dim; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-16) {
      if (!hessianSeeded) {
        H.fill(0);
        const scale = sy / dot(y, y);
        for (let i = 0; i < dim; i++) H[i * dim + i] = scale;
        hessianSeeded = true;
      }
      // H <- (I - rho s y') H (I - rho y s') + rho s s'
      const rho = 1 / sy;
      for (let i = 0; i < dim; i++) {
        let sum = 0;
        for (let j = 0; j < dim; j++) sum += H[i * dim + j]! * y[j]!;
        hy[i] = sum;
      }
      const yHy = dot(y, hy);
      for (let i = 0; i < dim; i++) {
        for (let j = 0; j < dim; j++) {
          H[i * dim + j] = H[i * dim + j]! - rho * (hy[i]! * s[j]! + s[i]! * hy[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!;
        }
      }
    }
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
  }
  if (!converged && maxAbs(g) < gradientTolerance) converged = true;
  return hessianSeeded
    ? { theta: x, value: f, iterations, converged, inverseHessian: H }
    : { theta: x, value: f, iterations, converged };
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

const GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * Maximum of a unimodal `f` on [lo, hi] by golden-section search, to an interval narrower than
 * `tolerance`. NaN compares false: a non-finite side is treated as the worse one.
 */
export function goldenSectionMax(f: (x: number) => number, lo: number, hi: number, tolerance: number): { x: number; value: number } {
  let a = lo;
  let b = hi;
  let c = b - GOLDEN * (b - a);
  let d = a + GOLDEN * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tolerance) {
    if (fc > fd || Number.isNaN(fd)) {
      b = d;
      d = c;
      fd = fc;
      c = b - GOLDEN * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + GOLDEN * (b - a);
      fd = f(d);
    }
  }
  return fc > fd ? { x: c, value: fc } : { x: d, value: fd };
}
