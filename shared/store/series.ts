import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { INTERVAL_MS, type CandleInterval } from '../config/schema.js';
import type { Candle } from '../market/types.js';
import { keys } from './table.js';

/** Bars per chunk item: 1,000 bars x 6 float64 = 48 KB, far below DynamoDB's 400 KB item limit. */
export const BARS_PER_CHUNK = 1000;
const FIELDS = 6;

export function encodeBars(candles: readonly Candle[]): Uint8Array {
  const values = new Float64Array(candles.length * FIELDS);
  candles.forEach((c, i) => values.set([c.openTimeMs, c.open, c.high, c.low, c.close, c.volume], i * FIELDS));
  return new Uint8Array(values.buffer);
}

export function decodeBars(bytes: Uint8Array): Candle[] {
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

/**
 * Aggregated candle history per asset and interval, stored in fixed chunks of bars
 * (pk ASSET#<sym>, sk SERIES#<interval>#<chunk index>), binary-encoded.
 */
export class SeriesRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private chunkIndexOf(openTimeMs: number, interval: CandleInterval): number {
    return Math.floor(openTimeMs / (INTERVAL_MS[interval] * BARS_PER_CHUNK));
  }

  /** Upserts bars: each touched chunk is read, merged (new bars win) and written whole. */
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
    const items = indexes.map((index) => {
      const merged = new Map<number, Candle>();
      for (const c of existing.get(index) ?? []) merged.set(c.openTimeMs, c);
      for (const c of byChunk.get(index)!) merged.set(c.openTimeMs, c);
      const bars = [...merged.values()].sort((a, b) => a.openTimeMs - b.openTimeMs);
      return {
        pk: keys.asset(asset),
        sk: keys.seriesChunk(interval, index),
        bars: encodeBars(bars),
        barCount: bars.length,
        firstOpenTimeMs: bars[0]!.openTimeMs,
        lastOpenTimeMs: bars[bars.length - 1]!.openTimeMs,
      };
    });
    for (let i = 0; i < items.length; i += 25) {
      let requests: Record<string, unknown[]> | undefined = {
        [this.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
      };
      // BatchWrite may leave items unprocessed under throttling: resend them with a short backoff.
      for (let attempt = 0; requests && Object.keys(requests).length > 0; attempt++) {
        if (attempt > 8) throw new Error(`series write for ${asset} ${interval} kept being throttled`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const result = await this.doc.send(new BatchWriteCommand({ RequestItems: requests as never }));
        requests = result.UnprocessedItems as Record<string, unknown[]> | undefined;
      }
    }
  }

  /** Bars with open time in [startMs, endMs), ascending. */
  async getBars(asset: string, interval: CandleInterval, startMs: number, endMs: number): Promise<Candle[]> {
    const chunks = await this.readChunks(asset, interval, this.chunkIndexOf(startMs, interval), this.chunkIndexOf(endMs, interval));
    const out: Candle[] = [];
    for (const index of [...chunks.keys()].sort((a, b) => a - b)) {
      for (const c of chunks.get(index)!) if (c.openTimeMs >= startMs && c.openTimeMs < endMs) out.push(c);
    }
    return out;
  }

  private async readChunks(asset: string, interval: CandleInterval, firstIndex: number, lastIndex: number): Promise<Map<number, Candle[]>> {
    const chunks = new Map<number, Candle[]>();
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': keys.asset(asset),
            ':from': keys.seriesChunk(interval, firstIndex),
            ':to': keys.seriesChunk(interval, lastIndex),
          },
          ConsistentRead: true,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const index = Number(String(item.sk).slice(keys.seriesPrefix(interval).length));
        chunks.set(index, decodeBars(item.bars as Uint8Array));
      }
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey);
    return chunks;
  }
}
