import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backoffMs, sleepMs, type BackoffPolicy } from '../util/backoff.js';
import { AdvisorError } from '../util/errors.js';
import { INTERVAL_MS, type CandleInterval } from '../config/schema.js';
import type { Candle } from '../market/types.js';
import { TableRepository } from './repository.js';
import { keys } from './table.js';

/** Bars per chunk item: 1,000 bars x 6 float64 = 48 KB, far below DynamoDB's 400 KB item limit. */
export const BARS_PER_CHUNK = 1000;
const FIELDS = 6;

function encodeBars(candles: readonly Candle[]): Uint8Array {
  const values = new Float64Array(candles.length * FIELDS);
  candles.forEach((c, i) => values.set([c.openTimeMs, c.open, c.high, c.low, c.close, c.volume], i * FIELDS));
  return new Uint8Array(values.buffer);
}

function decodeBars(bytes: Uint8Array): Candle[] {
  // Copy: the SDK's buffer may not be 8-byte aligned.
  const values = new Float64Array(bytes.slice().buffer);
  const candles: Candle[] = [];
  for (let i = 0; i + FIELDS <= values.length; i += FIELDS) {
    candles.push({
      openTimeMs: values[i]!,
      open: values[i + 1]!,
      high: values[i + 2]!,
      low: values[i + 3]!,
      close: values[i + 4]!,
      volume: values[i + 5]!,
    });
  }
  return candles;
}

/** How a chunk write that lost a race is retried: re-read, re-merge, write again after a jittered backoff. */
export interface SeriesWriteOptions extends BackoffPolicy {
  /** Tries of one chunk write, the first included. */
  maxAttempts: number;
  /** Chunks written at once by one putBars (each a conditional put of its own). */
  concurrency: number;
}

export const DEFAULT_SERIES_WRITE_OPTIONS: Readonly<SeriesWriteOptions> = {
  // A write loses a race only when another writer's write landed, so n attempts always succeed against
  // n - 1 concurrent writers of one chunk: a fleet of 10 workers plus a recompute.
  maxAttempts: 11,
  baseBackoffMs: 20,
  maxBackoffMs: 1_000,
  concurrency: 8,
  random: Math.random,
  sleep: sleepMs,
};

/** A chunk write kept losing to concurrent writers of the same chunk: nothing of this write was stored. */
export class SeriesWriteConflictError extends AdvisorError {
  constructor(asset: string, interval: CandleInterval, chunkIndex: number, attempts: number) {
    super('SERIES_WRITE_CONFLICT', `series chunk ${chunkIndex} of ${asset} ${interval} kept changing under ${attempts} write attempts`, {
      asset,
      interval,
      chunkIndex,
      attempts,
    });
  }
}

interface StoredChunk {
  bars: Candle[];
  /** The chunk's optimistic version; 0 for a chunk written before versions existed; null when absent. */
  version: number | null;
}

/**
 * Aggregated candle history per asset and interval, stored in fixed chunks of bars
 * (pk ASSET#<sym>, sk SERIES#<interval>#<chunk index>), binary-encoded.
 *
 * Writers of the same chunk (a scheduled run and a recompute ingesting the same asset) never lose each
 * other's bars: each chunk carries a version, a write is a put conditioned on the version it merged
 * into, and a writer that lost the race reads the chunk again, merges again and retries.
 */
export class SeriesRepository extends TableRepository {
  private readonly writeOptions: SeriesWriteOptions;

  constructor(doc: DynamoDBDocumentClient, tableName: string, options: Partial<SeriesWriteOptions> = {}) {
    super(doc, tableName);
    this.writeOptions = { ...DEFAULT_SERIES_WRITE_OPTIONS, ...options };
  }

  private chunkIndexOf(openTimeMs: number, interval: CandleInterval): number {
    return Math.floor(openTimeMs / (INTERVAL_MS[interval] * BARS_PER_CHUNK));
  }

  /**
   * Upserts bars: each touched chunk is read, merged (new bars win) and written whole, conditioned on
   * its version; a lost race re-reads and re-merges. SeriesWriteConflictError after maxAttempts.
   */
  async putBars(asset: string, interval: CandleInterval, candles: readonly Candle[]): Promise<void> {
    if (candles.length === 0) return;
    const byChunk = new Map<number, Candle[]>();
    for (const candle of candles) {
      const index = this.chunkIndexOf(candle.openTimeMs, interval);
      let list = byChunk.get(index);
      if (!list) byChunk.set(index, (list = []));
      list.push(candle);
    }
    const indexes = [...byChunk.keys()].sort((a, b) => a - b);
    const existing = await this.readChunks(asset, interval, indexes[0]!, indexes[indexes.length - 1]!);
    for (let i = 0; i < indexes.length; i += this.writeOptions.concurrency) {
      await Promise.all(
        indexes.slice(i, i + this.writeOptions.concurrency).map((index) =>
          this.writeChunk(asset, interval, index, byChunk.get(index)!, existing.get(index) ?? { bars: [], version: null }),
        ),
      );
    }
  }

  private async writeChunk(asset: string, interval: CandleInterval, index: number, incoming: readonly Candle[], first: StoredChunk): Promise<void> {
    const { maxAttempts, sleep } = this.writeOptions;
    let stored = first;
    for (let attempt = 1; ; attempt++) {
      const merged = new Map<number, Candle>();
      for (const c of stored.bars) merged.set(c.openTimeMs, c);
      for (const c of incoming) merged.set(c.openTimeMs, c);
      const bars = [...merged.values()].sort((a, b) => a.openTimeMs - b.openTimeMs);
      const written = await this.conditionalPut({
        Item: {
          pk: keys.asset(asset),
          sk: keys.seriesChunk(interval, index),
          bars: encodeBars(bars),
          barCount: bars.length,
          firstOpenTimeMs: bars[0]!.openTimeMs,
          lastOpenTimeMs: bars[bars.length - 1]!.openTimeMs,
          version: (stored.version ?? 0) + 1,
        },
        ...this.versionCondition(stored.version),
      });
      if (written) return;
      if (attempt >= maxAttempts) throw new SeriesWriteConflictError(asset, interval, index, attempt);
      await sleep(backoffMs(attempt, this.writeOptions));
      stored = (await this.readChunks(asset, interval, index, index)).get(index) ?? { bars: [], version: null };
    }
  }

  /** The put stands only if the chunk is still what was merged into: absent, unversioned, or that version. */
  private versionCondition(version: number | null): { ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown> } {
    if (version === null) return { ConditionExpression: 'attribute_not_exists(pk)' };
    if (version === 0) return { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(version)' };
    return { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': version } };
  }

  /** Bars with open time in [startMs, endMs), ascending. */
  async getBars(asset: string, interval: CandleInterval, startMs: number, endMs: number): Promise<Candle[]> {
    const chunks = await this.readChunks(asset, interval, this.chunkIndexOf(startMs, interval), this.chunkIndexOf(endMs, interval));
    const out: Candle[] = [];
    for (const index of [...chunks.keys()].sort((a, b) => a - b)) {
      for (const c of chunks.get(index)!.bars) if (c.openTimeMs >= startMs && c.openTimeMs < endMs) out.push(c);
    }
    return out;
  }

  private async readChunks(asset: string, interval: CandleInterval, firstIndex: number, lastIndex: number): Promise<Map<number, StoredChunk>> {
    const chunks = new Map<number, StoredChunk>();
    await this.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.asset(asset),
          ':from': keys.seriesChunk(interval, firstIndex),
          ':to': keys.seriesChunk(interval, lastIndex),
        },
        ConsistentRead: true,
      },
      (item) => {
        const index = Number(String(item.sk).slice(keys.seriesPrefix(interval).length));
        chunks.set(index, { bars: decodeBars(item.bars as Uint8Array), version: typeof item.version === 'number' ? item.version : 0 });
      },
    );
    return chunks;
  }
}

