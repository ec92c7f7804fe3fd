import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assetOutcomeSchema, runSchema, type AssetOutcome, type Run } from '../model/run.js';
import { isConditionalCheckFailed } from './client.js';
import { AssetBusyError, RunTransitionError } from './errors.js';
import { keys } from './table.js';

type RunOutcome = Pick<Run, 'status' | 'recommendations' | 'proposals' | 'errors' | 'finishedAtMs'>;

/**
 * Runs: pk RUN#<id>, sk RUN. Status moves queued -> running -> succeeded | partial | failed, or
 * queued | running -> interrupted (its process died), never back.
 * A running run fans out one worker per asset; each records its outcome once (sk ASSET#<symbol>) and
 * adds the asset to the run's `doneAssets` string set. Adding to a set is idempotent, so a redelivered
 * message never counts twice, and the writer whose update makes the set complete finalizes the run.
 */
export class RunRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(run: Run): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: keys.run(run.id), sk: keys.runSort, ...runSchema.parse(run) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    // Queued runs are unfinished too: a process that dies before planning one must not leave it queued for ever.
    if (run.status === 'queued' || run.status === 'running') await this.setActive(run.id, true);
  }

  async get(id: string): Promise<Run | null> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: keys.run(id), sk: keys.runSort }, ConsistentRead: true }),
    );
    if (!result.Item) return null;
    const done = result.Item.doneAssets as Set<string> | undefined;
    return runSchema.parse({ ...result.Item, assetsDone: done?.size ?? 0 });
  }

  /**
   * queued -> running, with the number of assets it fans out to. Returns false when the run is already
   * running or finished (a duplicate delivery).
   */
  async start(id: string, startedAtMs: number, assetsTotal: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.run(id), sk: keys.runSort },
          UpdateExpression: 'SET #status = :running, startedAtMs = :at, assetsTotal = :total',
          ConditionExpression: 'attribute_exists(pk) AND #status = :queued',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'running', ':queued': 'queued', ':at': startedAtMs, ':total': assetsTotal },
        }),
      );
      await this.setActive(id, true);
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** running -> succeeded | partial | failed, with what the run produced. */
  async finish(id: string, outcome: RunOutcome): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.run(id), sk: keys.runSort },
          UpdateExpression:
            'SET #status = :status, recommendations = :recommendations, proposals = :proposals, #errors = :errors, finishedAtMs = :at',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status', '#errors': 'errors' },
          ExpressionAttributeValues: {
            ':status': outcome.status,
            ':recommendations': outcome.recommendations,
            ':proposals': outcome.proposals,
            ':errors': outcome.errors,
            ':at': outcome.finishedAtMs,
            ':running': 'running',
          },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new RunTransitionError(id, outcome.status);
      throw error;
    }
    await this.setActive(id, false);
  }

  /**
   * queued | running -> interrupted: the process that owned the run is gone. Keeps what its assets
   * recorded (`recommendations`) for the record; no proposal is drafted from it. Returns false when the
   * run had finished meanwhile.
   */
  async interrupt(id: string, outcome: Pick<Run, 'recommendations' | 'errors' | 'finishedAtMs'>): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.run(id), sk: keys.runSort },
          UpdateExpression: 'SET #status = :interrupted, recommendations = :recommendations, #errors = list_append(#errors, :errors), finishedAtMs = :at',
          ConditionExpression: '#status IN (:queued, :running)',
          ExpressionAttributeNames: { '#status': 'status', '#errors': 'errors' },
          ExpressionAttributeValues: {
            ':interrupted': 'interrupted',
            ':recommendations': outcome.recommendations,
            ':errors': outcome.errors,
            ':at': outcome.finishedAtMs,
            ':queued': 'queued',
            ':running': 'running',
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      await this.setActive(id, false);
      return false;
    }
    await this.setActive(id, false);
    return true;
  }

  /**
   * The active-run set: ids of runs queued or started and not finished, so the planner can find a run
   * that lost an asset (or its plan) and a restarted local runtime the runs its previous process left. ADD and DELETE on a string set are idempotent; a crash between a transition and this
   * update leaves a finished id in the set (dropped by the next sweep) or a running run out of it.
   */
  private async setActive(id: string, active: boolean): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.activeRuns, sk: keys.activeRunsSort },
        UpdateExpression: active ? 'ADD runIds :id' : 'DELETE runIds :id',
        ExpressionAttributeValues: { ':id': new Set([id]) },
      }),
    );
  }

  /** Ids of the runs queued or started and not yet finished. */
  async activeRunIds(): Promise<string[]> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: keys.activeRuns, sk: keys.activeRunsSort }, ConsistentRead: true }),
    );
    return [...((result.Item?.runIds as Set<string> | undefined) ?? [])].sort();
  }

  /** Removes an id from the active set (a run found finished by the sweep). */
  async forgetActive(id: string): Promise<void> {
    await this.setActive(id, false);
  }

  /**
   * Takes an asset of a run for one delivery, until `nowMs + leaseMs` (longer than a worker can run). A
   * concurrent duplicate delivery gets AssetBusyError and is retried by the queue; a lease left by a
   * worker that died runs out and the next delivery takes over.
   */
  async claimAsset(runId: string, asset: string, owner: string, nowMs: number, leaseMs: number): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.run(runId), sk: keys.runAssetClaim(asset), owner, leaseUntilMs: nowMs + leaseMs },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntilMs < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': nowMs, ':owner': owner },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const held = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: keys.run(runId), sk: keys.runAssetClaim(asset) }, ConsistentRead: true }),
      );
      throw new AssetBusyError(runId, asset, (held.Item?.leaseUntilMs as number | undefined) ?? null);
    }
  }

  /** Stores an asset's outcome; an outcome already stored is kept (the first writer wins). */
  async recordAssetOutcome(outcome: AssetOutcome): Promise<{ recorded: boolean }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.run(outcome.runId), sk: keys.runAsset(outcome.asset), ...assetOutcomeSchema.parse(outcome) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { recorded: true };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return { recorded: false };
      throw error;
    }
  }

  async assetOutcome(runId: string, asset: string): Promise<AssetOutcome | null> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: keys.run(runId), sk: keys.runAsset(asset) }, ConsistentRead: true }),
    );
    return result.Item ? assetOutcomeSchema.parse(result.Item) : null;
  }

  /** Every outcome recorded for a run, by asset. */
  async assetOutcomes(runId: string): Promise<AssetOutcome[]> {
    const outcomes: AssetOutcome[] = [];
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.run(runId), ':prefix': keys.runAssetPrefix },
          ConsistentRead: true,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) outcomes.push(assetOutcomeSchema.parse(item));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey);
    return outcomes;
  }

  /**
   * Counts an asset as done (idempotent: a string-set ADD) and says how many are done now, or null
   * when the run is no longer running (a late or duplicate message: nothing to do).
   */
  async markAssetDone(runId: string, asset: string): Promise<{ done: number; total: number } | null> {
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.run(runId), sk: keys.runSort },
          UpdateExpression: 'ADD doneAssets :asset',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':asset': new Set([asset]), ':running': 'running' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const done = (result.Attributes?.doneAssets as Set<string> | undefined)?.size ?? 0;
      return { done, total: (result.Attributes?.assetsTotal as number | undefined) ?? 0 };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return null;
      throw error;
    }
  }
}
