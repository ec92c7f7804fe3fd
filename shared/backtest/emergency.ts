import { applyGuardRails, type ParameterRule } from '../risk/guardrails.js';

/**
 * A counterfactual steward for one parameter (LT, or a perp's maintenance margin): it takes the same
 * bounded steps as the engine's guard rails, but when a tightening reaches the stress line and the bounds
 * cannot reach the target ("needs a governance vote"), an emergency vote sets the target `voteDelayMs`
 * later, and gives the parameter a mandate: for `mandateMs` after the vote it follows the target both ways
 * (without it, the bounded loosening keeps a one-day spike's cut for months). Then the bounded steps
 * resume. The walk-forward runs it beside the engine's own steward path to measure what a hard cut would
 * buy on the crash days (see docs/backtest.md, "Fast tighten path"). Pure state machine; time comes in.
 */
export class EmergencyPath {
  private current: number | null = null;
  private lastChangeMs: number | undefined;
  private voteAtMs: number | null = null;
  private mandateUntilMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly rule: ParameterRule,
    private readonly voteDelayMs: number,
    private readonly mandateMs = 0,
  ) {}

  /** Forget the state (after a data gap): the next step lists the parameter at its target. */
  reset(): void {
    this.current = null;
    this.lastChangeMs = undefined;
    this.voteAtMs = null;
    this.mandateUntilMs = Number.NEGATIVE_INFINITY;
  }

  /** The value live after this step, and whether a vote was flagged / executed at it. */
  step(target: number, nowMs: number): { value: number; flagged: boolean; voted: boolean } {
    const p = this.rule.parameter;
    if (this.current === null || nowMs < this.mandateUntilMs) {
      if (target !== this.current) this.lastChangeMs = nowMs;
      this.current = target;
      return { value: target, flagged: false, voted: false };
    }
    const [step] = applyGuardRails({
      rules: [this.rule],
      target: { [p]: target },
      current: { [p]: this.current },
      lastChangedAtMs: { [p]: this.lastChangeMs },
      nowMs,
      evidence: { strong: true, reasons: [] },
      frozen: false,
    });
    const flagged = step!.stress && step!.status === 'bounded-needs-vote';
    if (step!.direction !== 'tighten') this.voteAtMs = null;
    else if (flagged && this.voteAtMs === null) this.voteAtMs = nowMs + this.voteDelayMs;
    let value = step!.proposed ?? this.current;
    let voted = false;
    if (this.voteAtMs !== null && nowMs >= this.voteAtMs) {
      value = target;
      voted = true;
      this.voteAtMs = null;
      this.mandateUntilMs = nowMs + this.mandateMs;
    }
    if (value !== this.current) this.lastChangeMs = nowMs;
    this.current = value;
    return { value, flagged, voted };
  }
}
