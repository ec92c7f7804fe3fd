import { createHash } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants } from 'node:zlib';
import { INTERVAL_MS, type CandleInterval, type Policy, type ProtocolProfile } from '../config/schema.js';
import { TAIL_HISTORY_RECORDS } from '../config/tail-calibration.generated.js';
import type { BookSummary, DataQuality } from '../model/snapshot.js';
import type { ParameterInputs } from '../risk/engine/types.js';
import type { CandleLike } from '../risk/series.js';

/**
 * Issue 16 part 5: the exact inputs of every recommendation version, kept content-addressed so any stored
 * number can be recomputed (`npm run reproduce`, docs/reproduce.md). Pure: encodings and digests, no I/O.
 *
 * A version's inputs are one **manifest** (canonical JSON: the engine's scalars, the data-quality verdict,
 * and the digests of the parts below) whose sha256 is the version's `inputsDigest`, and the parts it names:
 * - **config**: `{methodologyVersion, profile, policy}` (the seeds are in the policy), one item per distinct value;
 * - **books**: the book set the window chose, one item per distinct set (the same thin snapshot is usually
 *   chosen by many cycles and by both profiles);
 * - **bars**: the candles in fixed blocks of BARS_PER_BLOCK bars on the epoch grid; a block holds every bar
 *   of its time range the store had before the compute's end (also those before the lookback's start), so a
 *   completed block is written once and shared by every later version; only the newest block is new.
 * Every part is stored under the sha256 of its exact bytes, so an altered byte shows as a digest mismatch.
 */

/** Bars per content-addressed block; divides the series chunk (1,000 bars), so blocks never straddle chunks. */
export const BARS_PER_BLOCK = 100;
export const STORED_INPUTS_FORMAT = 1;
const BAR_FIELDS = 6;

export type Digest = string;
export type InputPartKind = 'manifest' | 'config' | 'books' | 'bars';

/** One content-addressed part: its kind, the sha256 of its bytes, the bytes (uncompressed). */
export interface InputPart {
  kind: InputPartKind;
  digest: Digest;
  bytes: Uint8Array;
}

export interface ConfigPart {
  methodologyVersion: string;
  profile: ProtocolProfile;
  policy: Policy;
}

/** What a version's inputsDigest is the digest of. */
export interface InputsManifest {
  format: number;
  asset: string;
  profileId: string;
  config: Digest;
  candles: { interval: CandleInterval; startMs: number; endMs: number; blocks: Digest[] };
  books: Digest;
  bookWindow: ParameterInputs['bookWindow'] | null;
  quality: DataQuality;
  nowMs: number;
  frozen: boolean;
  lastGoodMs: { candles: number | null; book: number | null };
  /** The through-the-cycle record on file the engine extended (code, not config): reproduce warns if the code's differs. */
  tailRecord: Digest | null;
}

export function sha256Of(bytes: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function jsonPart(kind: InputPartKind, value: unknown): InputPart {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return { kind, digest: sha256Of(bytes), bytes };
}

export function parseJsonPart<T>(part: Pick<InputPart, 'bytes'>): T {
  return JSON.parse(new TextDecoder().decode(part.bytes)) as T;
}

/** A bar as stored: the volume too, which the supply cap's flow measure reads (risk/engine/cap-evidence.ts). */
type StoredBar = CandleLike & { volume?: number };

/**
 * Column-major float64 (open times, opens, highs, lows, closes, volumes; NaN = no volume): exact, and the
 * regular times compress well.
 */
export function encodeBars(bars: readonly StoredBar[]): Uint8Array {
  const n = bars.length;
  const values = new Float64Array(n * BAR_FIELDS);
  bars.forEach((c, i) => {
    values[i] = c.openTimeMs;
    values[n + i] = c.open;
    values[2 * n + i] = c.high;
    values[3 * n + i] = c.low;
    values[4 * n + i] = c.close;
    values[5 * n + i] = c.volume ?? Number.NaN;
  });
  return new Uint8Array(values.buffer);
}

export function decodeBars(bytes: Uint8Array): StoredBar[] {
  const values = new Float64Array(bytes.slice().buffer);
  const n = Math.floor(values.length / BAR_FIELDS);
  return Array.from({ length: n }, (_, i) => {
    const bar: StoredBar = { openTimeMs: values[i]!, open: values[n + i]!, high: values[2 * n + i]!, low: values[3 * n + i]!, close: values[4 * n + i]! };
    const volume = values[5 * n + i]!;
    if (!Number.isNaN(volume)) bar.volume = volume;
    return bar;
  });
}

/**
 * Brotli at quality 6 with a 256 KB window: as small as quality 9 on these parts (2.3 KB per 100-bar block),
 * about 1 ms per block; quality 9 and up allocate large match tables per call and took 40x longer here.
 */
export function compress(bytes: Uint8Array): Uint8Array {
  const params = { [zlibConstants.BROTLI_PARAM_QUALITY]: 6, [zlibConstants.BROTLI_PARAM_LGWIN]: 18, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length };
  return new Uint8Array(brotliCompressSync(bytes, { params }));
}

export function decompress(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(brotliDecompressSync(bytes));
}

/** Open time of the first bar of the block holding `openTimeMs`. */
export function blockStartMs(openTimeMs: number, interval: CandleInterval): number {
  const span = INTERVAL_MS[interval] * BARS_PER_BLOCK;
  return Math.floor(openTimeMs / span) * span;
}

/** What the caller fed the engine, plus the bars of the first block before the lookback. */
export interface EngineCall {
  inputs: ParameterInputs;
  methodologyVersion: string;
  /** Every stored bar in [blockStartMs(startMs), endMs), ascending; the engine saw those in [startMs, endMs). */
  blockBars: readonly StoredBar[];
  startMs: number;
  endMs: number;
}

/** The manifest of an engine call and every part it names; the manifest's digest is the version's inputsDigest. */
export function storedInputsOf(call: EngineCall): { manifest: InputPart; parts: InputPart[] } {
  const { inputs } = call;
  const interval = inputs.profile.candleInterval;
  const config = jsonPart('config', { methodologyVersion: call.methodologyVersion, profile: inputs.profile, policy: inputs.policy } satisfies ConfigPart);
  const books = jsonPart('books', inputs.books);
  const byBlock = new Map<number, StoredBar[]>();
  for (const bar of call.blockBars) {
    const start = blockStartMs(bar.openTimeMs, interval);
    let list = byBlock.get(start);
    if (!list) byBlock.set(start, (list = []));
    list.push({ openTimeMs: bar.openTimeMs, open: bar.open, high: bar.high, low: bar.low, close: bar.close, ...(bar.volume === undefined ? {} : { volume: bar.volume }) });
  }
  const blocks = [...byBlock.keys()].sort((a, b) => a - b).map((start): InputPart => {
    const bytes = encodeBars(byBlock.get(start)!);
    return { kind: 'bars', digest: sha256Of(bytes), bytes };
  });
  const tailRecord = TAIL_HISTORY_RECORDS[inputs.asset];
  const manifest: InputsManifest = {
    format: STORED_INPUTS_FORMAT,
    asset: inputs.asset,
    profileId: inputs.profile.id,
    config: config.digest,
    candles: { interval, startMs: call.startMs, endMs: call.endMs, blocks: blocks.map((b) => b.digest) },
    books: books.digest,
    bookWindow: inputs.bookWindow ?? null,
    quality: inputs.quality,
    nowMs: inputs.nowMs,
    frozen: inputs.frozen ?? false,
    lastGoodMs: { candles: inputs.lastGoodMs?.candles ?? null, book: inputs.lastGoodMs?.book ?? null },
    tailRecord: tailRecord ? tailRecordDigest(inputs.asset) : null,
  };
  return { manifest: jsonPart('manifest', manifest), parts: [config, books, ...blocks] };
}

/** The digest of the code's through-the-cycle record for an asset, or null without one. */
export function tailRecordDigest(asset: string): Digest | null {
  const record = TAIL_HISTORY_RECORDS[asset];
  return record ? jsonPart('config', record).digest : null;
}

/** The engine's inputs rebuilt from a manifest and its parts (already decoded). */
export function engineInputsOf(manifest: InputsManifest, config: ConfigPart, books: BookSummary[], blocks: readonly CandleLike[][]): ParameterInputs {
  const { startMs, endMs } = manifest.candles;
  const candles = blocks.flat().filter((c) => c.openTimeMs >= startMs && c.openTimeMs < endMs);
  return {
    asset: manifest.asset,
    profile: config.profile,
    policy: config.policy,
    candles,
    books,
    ...(manifest.bookWindow ? { bookWindow: manifest.bookWindow } : {}),
    quality: manifest.quality,
    nowMs: manifest.nowMs,
    frozen: manifest.frozen,
    lastGoodMs: manifest.lastGoodMs,
  };
}
