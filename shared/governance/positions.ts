import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { LendingRecommendation } from '../model/recommendation.js';
import { syntheticBook } from '../risk/montecarlo.js';
import type { HeldPosition } from '../risk/induced.js';
import { AdvisorError } from '../util/errors.js';
import { bpsToFraction } from '../util/units.js';

/**
 * issue 16, part 4: the positions snapshot behind the induced liquidations. File format (JSON; docs/publishing.md):
 * `{ "asOf": ISO time, "label"?: string, "positions": [{ "account": "0x...", "collateral": { "ETH": usd, ... }, "debt": { "USDC": usd, ... } }] }`,
 * USD values at `asOf`. Without a file, the Monte Carlo's simulated book of each asset (labelled simulated).
 */

const usdByAsset = z.record(z.string(), z.number().min(0));
export const positionsFileSchema = z
  .object({
    asOf: z.iso.datetime(),
    label: z.string().min(1).optional(),
    positions: z.array(z.object({ account: z.string().min(1), collateral: usdByAsset, debt: usdByAsset }).strict()),
  })
  .strict();

export interface PositionsSnapshot {
  /** What the proposal says the positions are. */
  label: string;
  simulated: boolean;
  positions: HeldPosition[];
}

export class PositionsFileError extends AdvisorError {
  constructor(readonly path: string, reason: string) {
    super('POSITIONS_FILE_INVALID', `positions file ${path}: ${reason}`, { path, reason });
  }
}

export function loadPositionsFile(path: string): PositionsSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PositionsFileError(path, (error as Error).message);
  }
  const parsed = positionsFileSchema.safeParse(raw);
  if (!parsed.success) throw new PositionsFileError(path, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return {
    label: `${parsed.data.label ?? path} as of ${parsed.data.asOf}`,
    simulated: false,
    positions: parsed.data.positions.map((p) => ({ account: p.account, collateralUsd: p.collateral, debtUsd: Object.values(p.debt).reduce((s, v) => s + v, 0) })),
  };
}

/** The Monte Carlo's synthetic book of one asset at its current LT (single-collateral positions), as the local default. */
export function simulatedPositions(r: LendingRecommendation, positions: number): HeldPosition[] {
  const lt = r.current?.liquidationThresholdBps ?? 0;
  if (!r.monteCarlo || lt <= 0) return [];
  const book = syntheticBook({ totalCollateralUsd: r.monteCarlo.totalCollateralUsd, positions, liquidationThreshold: bpsToFraction(lt) });
  return book.map((p, i) => ({ account: `simulated-${r.asset}-${String(i + 1).padStart(3, '0')}`, collateralUsd: { [r.asset]: p.collateralUsd }, debtUsd: p.debtUsd }));
}
