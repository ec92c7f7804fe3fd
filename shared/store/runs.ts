import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { chainReadingSchema, type ChainReading } from '../model/chain.js';
import { assetOutcomeSchema, runSchema, type AssetOutcome, type Run } from '../model/run.js';
import { AssetBusyError, RunTransitionError } from './errors.js';
import { TableRepository } from './repository.js';
import { keys } from './table.js';

type RunOutcome = Pick<Run, 'status' | 'recommendations' | 'proposals' | 'errors' | 'finishedAtMs'> & Partial<Pick<Run, 'publication'>>;

/**
 * Runs: pk RUN#<id>, sk RUN. Status moves queued -> running -> succeeded | partial | failed, or
 * queued | running -> interrupted (its process died), never back.
 * A running run fans out one worker per asset; each records its outcome once (sk ASSET#<symbol>) and
 * adds the asset to the run's `doneAssets` string set. Adding to a set is idempotent, so a redelivered
 * message never counts twice, and the writer whose update makes the set complete finalizes the run.
 */
export class RunRepository extends TableRepository {
  async create(run: Run): Promise<void> {
    // The id joins the active set first: a process killed between the two writes then leaves an id
    // without a run, which the sweeps drop, rather than a queued run that no sweep knows of.
    if (run.status === 'queued' || run.status === 'running') await this.setActive(run.id, true);
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: keys.run(run.id), sk: keys.runSort, ...runSchema.parse(run) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<Run | null> {
    const item = await this.getItem({ pk: keys.run(id), sk: keys.runSort });
    if (!item) return null;
    const done = item.doneAssets as Set<string> | undefined;
    return runSchema.parse({ ...item, assetsDone: done?.size ?? 0 });
  }

  /**
   * queued -> running, with the number of assets it fans out to. Returns false when the run is already
   * running or finished (a duplicate delivery).
   */
  async start(id: string, startedAtMs: number, assetsTotal: number): Promise<boolean> {
    const started = await this.conditionalUpdate({
      Key: { pk: keys.run(id), sk: keys.runSort },
      UpdateExpression: 'SET #status = :running, startedAtMs = :at, assetsTotal = :total',
      ConditionExpression: 'attribute_exists(pk) AND #status = :queued',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':running': 'running', ':queued': 'queued', ':at': startedAtMs, ':total': assetsTotal },
    });
    if (!started) return false;
    await this.setActive(id, true);
    return true;
  }

  /** running -> succeeded | partial | failed, with what the run produced. */
  async finish(id: string, outcome: RunOutcome): Promise<void> {
    const finished = await this.conditionalUpdate({
      Key: { pk: keys.run(id), sk: keys.runSort },
      UpdateExpression:
        'SET #status = :status, recommendations = :recommendations, proposals = :proposals, publication = :publication, #errors = :errors, finishedAtMs = :at',
      ConditionExpression: '#status = :running',
      ExpressionAttributeNames: { '#status': 'status', '#errors': 'errors' },
      ExpressionAttributeValues: {
        ':status': outcome.status,
        ':recommendations': outcome.recommendations,
        ':proposals': outcome.proposals,
        ':publication': outcome.publication ?? [],
        ':errors': outcome.errors,
        ':at': outcome.finishedAtMs,
        ':running': 'running',
      },
    });
    if (!finished) throw new RunTransitionError(id, outcome.status);
    await this.setActive(id, false);
  }

  /**
   * queued | running -> interrupted: the process that owned the run is gone. Keeps what its assets
   * recorded (`recommendations`) for the record; no proposal is drafted from it. Returns false when the
   * run had finished meanwhile.
   */
  async interrupt(id: string, outcome: Pick<Run, 'recommendations' | 'errors' | 'finishedAtMs'>): Promise<boolean> {
    const interrupted = await this.conditionalUpdate({
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
    });
    // Finished meanwhile or not, it is no longer active.
    await this.setActive(id, false);
    return interrupted !== null;
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
    const item = await this.getItem({ pk: keys.activeRuns, sk: keys.activeRunsSort });
    return [...((item?.runIds as Set<string> | undefined) ?? [])].sort();
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
    const key = { pk: keys.run(runId), sk: keys.runAssetClaim(asset) };
    const claimed = await this.conditionalPut({
      Item: { ...key, owner, leaseUntilMs: nowMs + leaseMs },
      ConditionExpression: 'attribute_not_exists(pk) OR leaseUntilMs < :now OR #owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':now': nowMs, ':owner': owner },
    });
    if (claimed) return;
    const held = await this.getItem(key);
    throw new AssetBusyError(runId, asset, (held?.leaseUntilMs as number | undefined) ?? null);
  }

  /** Stores an asset's outcome; an outcome already stored is kept (the first writer wins). */
  async recordAssetOutcome(outcome: AssetOutcome): Promise<{ recorded: boolean }> {
    const recorded = await this.conditionalPut({
      Item: { pk: keys.run(outcome.runId), sk: keys.runAsset(outcome.asset), ...assetOutcomeSchema.parse(outcome) },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    return { recorded };
  }

  /** issue 16: stores the run's chain reading of a profile; one already stored is kept (a duplicate plan). */
  async recordChainReading(runId: string, reading: ChainReading): Promise<{ recorded: boolean }> {
    const recorded = await this.conditionalPut({
      Item: { pk: keys.run(runId), sk: keys.runChain(reading.profileId), ...chainReadingSchema.parse(reading) },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    return { recorded };
  }

  /** The run's chain readings by profile id (empty when no RPC was configured). */
  async chainReadings(runId: string): Promise<Record<string, ChainReading>> {
    const readings: Record<string, ChainReading> = {};
    await this.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.run(runId), ':prefix': keys.runChainPrefix },
        ConsistentRead: true,
      },
      (item) => {
        const reading = chainReadingSchema.parse(item);
        readings[reading.profileId] = reading;
      },
    );
    return readings;
  }

  async assetOutcome(runId: string, asset: string): Promise<AssetOutcome | null> {
    const item = await this.getItem({ pk: keys.run(runId), sk: keys.runAsset(asset) });
    return item ? assetOutcomeSchema.parse(item) : null;
  }

  /** Every outcome recorded for a run, by asset. */
  async assetOutcomes(runId: string): Promise<AssetOutcome[]> {
    const outcomes: AssetOutcome[] = [];
    await this.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.run(runId), ':prefix': keys.runAssetPrefix },
        ConsistentRead: true,
      },
      (item) => outcomes.push(assetOutcomeSchema.parse(item)),
    );
    return outcomes;
  }

  /**
   * Counts an asset as done (idempotent: a string-set ADD) and says how many are done now, or null
   * when the run is no longer running (a late or duplicate message: nothing to do).
   */
  async markAssetDone(runId: string, asset: string): Promise<{ done: number; total: number } | null> {
    const result = await this.conditionalUpdate({
      Key: { pk: keys.run(runId), sk: keys.runSort },
      UpdateExpression: 'ADD doneAssets :asset',
      ConditionExpression: '#status = :running',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':asset': new Set([asset]), ':running': 'running' },
      ReturnValues: 'ALL_NEW',
    });
    if (!result) return null;
    const done = (result.Attributes?.doneAssets as Set<string> | undefined)?.size ?? 0;
    return { done, total: (result.Attributes?.assetsTotal as number | undefined) ?? 0 };
  }
}
