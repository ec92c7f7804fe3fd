import { createHash } from 'node:crypto';
import { TableRepository } from './repository.js';
import { keys } from './table.js';

/** How many recompute runs one caller started in one fixed window. */
export interface CallerWindow {
  windowStartMs: number;
  count: number;
}

/** The recompute gate as read: runs in flight, callers' counts, and the version a replacement must name. */
export interface RecomputeGate {
  runIds: string[];
  /** By callerHash(principal). */
  callers: Record<string, CallerWindow>;
  /** 0 when the item does not exist yet. */
  version: number;
}

/** A caller's key in the gate: a hash, so any principal (an IAM ARN, `token`) makes a short map key. */
export function callerHash(principal: string): string {
  return createHash('sha256').update(principal).digest('hex').slice(0, 32);
}

/**
 * The state that makes POST /v1/recompute safe across concurrent API functions, in one item (pk
 * RECOMPUTE, sk INFLIGHT): the ids of the recompute runs in flight and each caller's count of runs
 * started in the current window. The item is replaced whole under a version check (compare-and-swap),
 * so every race is decided by a DynamoDB condition, none in memory: of two requests that read the same
 * version only one registers its run, and the other re-reads and finds it. Keeping the counts in the
 * same item makes "start a run" and "charge its caller" one atomic write: a request that joins a run is
 * never charged, and a charge is never lost to a crash between two writes.
 */
export class RecomputeRepository extends TableRepository {
  async gate(): Promise<RecomputeGate> {
    const item = await this.getItem({ pk: keys.recomputeInFlight, sk: keys.recomputeInFlightSort });
    return {
      runIds: (item?.runIds as string[] | undefined) ?? [],
      callers: (item?.callers as Record<string, CallerWindow> | undefined) ?? {},
      version: (item?.version as number | undefined) ?? 0,
    };
  }

  /** Replaces the gate if nobody replaced it since `expectedVersion` was read; false when somebody did. */
  async replaceGate(expectedVersion: number, next: Pick<RecomputeGate, 'runIds' | 'callers'>): Promise<boolean> {
    const replaced = await this.conditionalUpdate({
      Key: { pk: keys.recomputeInFlight, sk: keys.recomputeInFlightSort },
      UpdateExpression: 'SET runIds = :runIds, callers = :callers, version = :next',
      ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
      ExpressionAttributeValues: {
        ':runIds': next.runIds,
        ':callers': next.callers,
        ':next': expectedVersion + 1,
        ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }),
      },
    });
    return replaced !== null;
  }

  /**
   * Deletes a run this request created but never registered (it lost the race and joined another run):
   * nobody else knows its id. Only while still queued, so a run that somehow started is never removed.
   */
  async discardUnregisteredRun(runId: string): Promise<void> {
    // A run no longer queued is left alone: nothing to do.
    await this.conditionalDelete({
      Key: { pk: keys.run(runId), sk: keys.runSort },
      ConditionExpression: '#status = :queued',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':queued': 'queued' },
    });
  }
}
