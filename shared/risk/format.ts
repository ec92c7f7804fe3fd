/**
 * The engine's number formatting lives in shared/format/numbers.ts (one module for every rendering).
 * Re-exported here only so recommend.ts, which another change is splitting, keeps its import line.
 */
export { formatCount, formatNumber, formatPct, formatUsd } from '../format/numbers.js';
