import { AdvisorError } from '../util/errors.js';

/**
 * Special functions: log-gamma and digamma (the Student-t likelihood), the regularized incomplete gamma
 * and the chi-square law (p-values of the coverage tests), and the logistic map (bounded search
 * coordinates). Pure.
 */

/** An argument out of a function's domain (named field, offending value). */
export class SpecialFunctionInputError extends AdvisorError {
  constructor(field: string, reason: string, value: unknown) {
    super('SPECIAL_FUNCTION_INPUT_INVALID', `${field}: ${reason}`, { field, reason, value });
  }
}

const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Gamma(x) for x > 0 (Lanczos, g = 7, n = 9: ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0]!;
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) sum += LANCZOS_COEFFICIENTS[i]! / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Digamma psi(x) = d/dx ln Gamma(x) for x > 0: recurrence up to x >= 10, then the asymptotic series (~1e-15). */
export function digamma(x: number): number {
  let result = 0;
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  return (
    result +
    Math.log(x) -
    0.5 / x -
    inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132)))))
  );
}

/** Series / continued-fraction switch and tolerance of the incomplete gamma (Numerical Recipes 6.2). */
const GAMMA_EPSILON = 1e-15;
const GAMMA_MAX_ITERATIONS = 500;
const TINY = 1e-300;

/** Regularized lower incomplete gamma P(a, x) = gamma(a, x) / Gamma(a), for a > 0, x >= 0. */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0)) throw new SpecialFunctionInputError('a', 'must be > 0', a);
  if (!(x >= 0)) throw new SpecialFunctionInputError('x', 'must be >= 0', x);
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  const logPrefactor = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // Series: P = e^{-x} x^a / Gamma(a + 1) * sum x^n / ((a + 1)...(a + n)).
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < GAMMA_MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * GAMMA_EPSILON) break;
    }
    return Math.min(1, sum * Math.exp(logPrefactor));
  }
  return Math.max(0, 1 - upperContinuedFraction(a, x) * Math.exp(logPrefactor));
}

/** Q(a, x) = 1 - P(a, x), computed directly in the upper range so small p-values keep their digits. */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0)) throw new SpecialFunctionInputError('a', 'must be > 0', a);
  if (!(x >= 0)) throw new SpecialFunctionInputError('x', 'must be >= 0', x);
  if (x < a + 1) return 1 - regularizedGammaP(a, x);
  return Math.min(1, upperContinuedFraction(a, x) * Math.exp(a * Math.log(x) - x - logGamma(a)));
}

/** Lentz's continued fraction for Gamma(a, x) e^x x^-a (valid for x >= a + 1). */
function upperContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < GAMMA_MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < GAMMA_EPSILON) break;
  }
  return h;
}

/** Chi-square CDF with `df` degrees of freedom: P(df / 2, x / 2). */
export function chiSquareCdf(x: number, df: number): number {
  if (!(df > 0)) throw new SpecialFunctionInputError('df', 'must be > 0', df);
  return x <= 0 ? 0 : regularizedGammaP(df / 2, x / 2);
}

/** Upper tail 1 - CDF: the p-value of a likelihood-ratio statistic. */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new SpecialFunctionInputError('df', 'must be > 0', df);
  return x <= 0 ? 1 : regularizedGammaQ(df / 2, x / 2);
}

/** 1 / (1 + e^-x): maps the real line onto (0, 1). */
export function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** ln(p / (1 - p)), the inverse of {@link logistic}. */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}
