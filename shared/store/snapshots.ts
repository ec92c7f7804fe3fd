import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marketSnapshotSchema, type MarketSnapshot } from '../model/snapshot.js';
import { TableRepository } from './repository.js';
import { keys } from './table.js';

/** Snapshots expire after this long (TTL in the cloud; the history of recommendations is kept forever). */
const SNAPSHOT_RETENTION_SECONDS = 90 * 86_400;

export class SnapshotRepository extends TableRepository {
  async put(snapshot: MarketSnapshot): Promise<void> {
    await this.putItem({
      pk: keys.asset(snapshot.asset),
      sk: keys.snapshot(snapshot.takenAtMs),
      ...marketSnapshotSchema.parse(snapshot),
      expiresAt: Math.floor(snapshot.takenAtMs / 1000) + SNAPSHOT_RETENTION_SECONDS,
    });
  }

  /** Snapshots taken at or after `sinceMs` (and before `beforeMs` when given), newest first, at most `limit`. */
  async recent(asset: string, sinceMs: number, limit: number, beforeMs?: number): Promise<MarketSnapshot[]> {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.asset(asset),
          ':from': keys.snapshot(sinceMs),
          ':to': beforeMs === undefined ? `${keys.snapshotPrefix}~` : keys.snapshot(beforeMs - 1),
        },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []).map((item) => marketSnapshotSchema.parse(item));
  }

  async latest(asset: string): Promise<MarketSnapshot | null> {
    const item = await this.newestWithPrefix(keys.asset(asset), keys.snapshotPrefix);
    return item ? marketSnapshotSchema.parse(item) : null;
  }
}
