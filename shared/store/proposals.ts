import { BatchGetCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { assetSetKeyOf, proposalSchema, runRankOf, type Proposal } from '../model/proposal.js';
import type { Page } from './recommendations.js';
import { TableRepository } from './repository.js';
import { GSI1, keys } from './table.js';
import { AdvisorError } from '../util/errors.js';

export class ProposalReadThrottledError extends AdvisorError {
  constructor(keysLeft: number) {
    super('PROPOSAL_READ_THROTTLED', `proposal batch read kept being throttled (${keysLeft} keys left)`, { keysLeft });
  }
}

/**
 * A dispatcher tried to move a proposal on after its lease was taken over (it ran out, and another
 * dispatcher claimed the proposal) or the proposal was finished by someone else. Nothing was written;
 * the holder finishes it. Concerns this one proposal: the dispatch goes on with the others.
 */
export class LeaseLostError extends AdvisorError {
  constructor(id: string, owner: string | null, transition: string, current: Proposal | null) {
    super(
      'LEASE_LOST',
      `proposal ${id}: ${transition} refused, ${owner ? `dispatcher ${owner} no longer holds its lease` : 'another dispatcher holds its lease'} (now ${current ? `${current.status}${current.leaseOwner ? `, held by ${current.leaseOwner}` : ''}` : 'missing'})`,
      { id, owner, transition, status: current?.status ?? null, leaseOwner: current?.leaseOwner ?? null },
    );
  }
}

/** BatchGetItem takes at most 100 keys. */
const MAX_LIST_LIMIT = 100;

/**
 * The proposal outbox: pk PROPOSAL#<id>, sk PROPOSAL. A proposal is stored before any send; pending
 * ones are indexed in gsi1 (OUTBOX#pending) and leave the index when sent or failed. A dispatcher
 * claims one (a lease: leaseOwner, leaseUntilMs) before sending it; every outcome releases the lease.
 *
 * The proposal log, one small item per proposal: pk PROPOSALS, sk `<createdAtMs, 15 digits>#<id>`,
 * holding only the id. A Query on it lists every proposal newest first without a new index (tables
 * made before the log existed have no index to add). Proposals stored before the log existed are not
 * in it.
 */
export class ProposalRepository extends TableRepository {
  /**
   * Stores a new pending proposal; an existing one with the same id is kept (idempotent retry). It is
   * first recorded as the newest of its market and asset set if its run is the newest so far, before the
   * proposal itself: a crash in between can only hold an older proposal back, never let it out.
   */
  async createPending(proposal: Proposal): Promise<{ created: boolean }> {
    // The log entry goes first: a crash between the two writes leaves an entry without its proposal,
    // which list() skips, never a proposal the list cannot reach.
    await this.putItem({ pk: keys.proposalLog, sk: keys.proposalLogSort(proposal.createdAtMs, proposal.id), id: proposal.id });
    await this.recordNewestOfSet(proposal);
    const created = await this.conditionalPut({
      Item: {
        pk: keys.proposal(proposal.id),
        sk: keys.proposalSort,
        gsi1pk: keys.outboxPending,
        gsi1sk: `${String(proposal.createdAtMs).padStart(15, '0')}#${proposal.id}`,
        ...proposalSchema.parse({ ...proposal, status: 'pending' }),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    return { created };
  }

  /** Keeps the set's pointer on the proposal of the most recent run (see runRankOf). */
  private async recordNewestOfSet(proposal: Proposal): Promise<void> {
    const rank = runRankOf(proposal);
    if (rank === null) return;
    // A failed condition: a more recent run's proposal holds the pointer already.
    await this.conditionalUpdate({
      Key: { pk: keys.proposalThread(assetSetKeyOf(proposal)), sk: keys.proposalThreadSort },
      UpdateExpression: 'SET proposalId = :id, runRank = :rank',
      ConditionExpression: 'attribute_not_exists(runRank) OR runRank < :rank',
      ExpressionAttributeValues: { ':id': proposal.id, ':rank': rank },
    });
  }

  /**
   * The id of a proposal of a more recent run for the same market and asset set, which makes this one
   * stale; null when this is the newest (or the set was recorded before supersession existed).
   */
  async newerOfSameSet(proposal: Proposal): Promise<string | null> {
    const rank = runRankOf(proposal);
    if (rank === null) return null;
    const item = (await this.getItem({ pk: keys.proposalThread(assetSetKeyOf(proposal)), sk: keys.proposalThreadSort })) as
      | { proposalId?: unknown; runRank?: unknown }
      | undefined;
    if (!item || typeof item.proposalId !== 'string' || typeof item.runRank !== 'string') return null;
    return item.proposalId !== proposal.id && item.runRank > rank ? item.proposalId : null;
  }

  /**
   * Every proposal, newest first, `limit` (1-100) per page; `nextCursor` is null on the last page. A
   * page may hold fewer than `limit` items: a log entry whose proposal is missing (a crash between the
   * two writes of createPending), or whose timestamp is not the proposal's (a retried createPending,
   * whose proposal kept its first one), is skipped.
   */
  async list(options: { limit: number; cursor?: string }): Promise<Page<Proposal>> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit)), MAX_LIST_LIMIT);
    const page = await this.queryPage(
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.proposalLog }, ScanIndexForward: false },
      limit,
      options.cursor,
      keys.proposalLog,
    );
    const { nextCursor } = page;
    const entries = page.items.map((item) => ({ sk: String(item.sk), id: String(item.id) }));
    const byId = await this.getMany([...new Set(entries.map((e) => e.id))]);
    const items: Proposal[] = [];
    const seen = new Set<string>();
    for (const entry of entries) {
      const proposal = byId.get(entry.id);
      if (!proposal || seen.has(proposal.id) || entry.sk !== keys.proposalLogSort(proposal.createdAtMs, proposal.id)) continue;
      seen.add(proposal.id);
      items.push(proposal);
    }
    return { items, nextCursor };
  }

  /** Proposals by id (BatchGetItem, unprocessed keys resent with a short backoff); missing ids are absent. */
  private async getMany(ids: string[]): Promise<Map<string, Proposal>> {
    const found = new Map<string, Proposal>();
    if (ids.length === 0) return found;
    let keysToGet: Record<string, unknown>[] | undefined = ids.map((id) => ({ pk: keys.proposal(id), sk: keys.proposalSort }));
    for (let attempt = 0; keysToGet && keysToGet.length > 0; attempt++) {
      if (attempt > 8) throw new ProposalReadThrottledError(keysToGet.length);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      const result = await this.doc.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keysToGet, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) {
        const proposal = proposalSchema.parse(item);
        found.set(proposal.id, proposal);
      }
      keysToGet = result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
    }
    return found;
  }

  async get(id: string): Promise<Proposal | null> {
    const item = await this.getItem({ pk: keys.proposal(id), sk: keys.proposalSort });
    return item ? proposalSchema.parse(item) : null;
  }

  /**
   * Pending proposals, oldest first, at most `limit`. `simulated` keeps only simulated (true) or only real
   * (false) ones: a public target skips the simulated ones without them filling its batch. Pages through
   * the index, since DynamoDB applies a filter after its own per-page limit.
   */
  async listPending(limit = 100, options: { simulated?: boolean } = {}): Promise<Proposal[]> {
    const items: Proposal[] = [];
    await this.queryAll(
      {
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ...(options.simulated === undefined
          ? { ExpressionAttributeValues: { ':pk': keys.outboxPending } }
          : {
              FilterExpression: 'simulated = :simulated',
              ExpressionAttributeValues: { ':pk': keys.outboxPending, ':simulated': options.simulated },
            }),
        Limit: limit,
      },
      (item) => {
        if (items.length < limit) items.push(proposalSchema.parse(item));
      },
      () => items.length < limit,
    );
    return items;
  }

  /**
   * Takes a pending proposal for one dispatcher until `nowMs + leaseMs`: two dispatchers (the schedule
   * and the one a run starts) never send the same proposal at the same time. A dispatcher that dies
   * keeps it until the lease runs out; then another takes it, and the target's lookup finds whatever
   * the dead one managed to post. Returns the proposal as claimed, or null when it is not pending or
   * another dispatcher's lease still runs.
   */
  async claim(id: string, owner: string, nowMs: number, leaseMs: number): Promise<Proposal | null> {
    const result = await this.conditionalUpdate({
      Key: { pk: keys.proposal(id), sk: keys.proposalSort },
      UpdateExpression: 'SET leaseOwner = :owner, leaseUntilMs = :until',
      ConditionExpression: '#status = :pending AND (attribute_not_exists(leaseUntilMs) OR leaseUntilMs <= :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':owner': owner, ':until': nowMs + leaseMs, ':now': nowMs, ':pending': 'pending' },
      ReturnValues: 'ALL_NEW',
    });
    return result?.Attributes ? proposalSchema.parse(result.Attributes) : null;
  }

  /**
   * The condition every transition after a claim carries: still pending, and leased by `owner` (or, for
   * a call outside any dispatch, by nobody), so a dispatcher whose lease was taken over changes nothing.
   */
  private leaseCondition(owner: string | undefined): { expression: string; values: Record<string, unknown> } {
    return owner === undefined
      ? { expression: '#status = :pending AND attribute_not_exists(leaseOwner)', values: { ':pending': 'pending' } }
      : { expression: '#status = :pending AND leaseOwner = :me', values: { ':pending': 'pending', ':me': owner } };
  }

  /** Runs a conditional transition; a failed condition becomes LeaseLostError (or `false`, see markSent). */
  private async transition(id: string, owner: string | undefined, name: string, update: Omit<UpdateCommandInput, 'TableName' | 'Key'>): Promise<void> {
    const moved = await this.conditionalUpdate({ Key: { pk: keys.proposal(id), sk: keys.proposalSort }, ...update });
    if (!moved) throw new LeaseLostError(id, owner ?? null, name, await this.get(id));
  }

  /**
   * Keeps a claimed proposal pending without counting an attempt (the target asked us to wait longer
   * than one dispatch may), noting why, and gives up the lease. LeaseLostError when `owner` lost it.
   */
  async recordDeferral(id: string, message: string, owner?: string): Promise<void> {
    const lease = this.leaseCondition(owner);
    await this.transition(id, owner, 'deferral', {
      UpdateExpression: 'SET lastError = :error REMOVE leaseOwner, leaseUntilMs',
      ConditionExpression: lease.expression,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':error': message, ...lease.values },
    });
  }

  /**
   * pending -> sent, by the lease holder `owner`. LeaseLostError when another dispatcher holds the lease
   * or `owner` lost it; without an owner (outside a dispatch), false when it is no longer pending.
   */
  async markSent(id: string, externalRef: string, sentAtMs: number, owner?: string): Promise<boolean> {
    const lease = this.leaseCondition(owner);
    try {
      await this.transition(id, owner, 'mark sent', {
        UpdateExpression:
          'SET #status = :sent, externalRef = :ref, sentAtMs = :at, attempts = attempts + :one REMOVE gsi1pk, gsi1sk, leaseOwner, leaseUntilMs',
        ConditionExpression: lease.expression,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':ref': externalRef, ':at': sentAtMs, ':one': 1, ...lease.values },
      });
      return true;
    } catch (error) {
      if (owner === undefined && error instanceof LeaseLostError && error.details.status !== 'pending') return false;
      throw error;
    }
  }

  /**
   * pending -> superseded, by the lease holder: a newer run's proposal (`supersededBy`) for the same
   * market and asset set replaces it, so it is never sent. Leaves the outbox index.
   */
  async markSuperseded(id: string, supersededBy: string, owner: string): Promise<void> {
    const lease = this.leaseCondition(owner);
    await this.transition(id, owner, 'mark superseded', {
      UpdateExpression: 'SET #status = :superseded, supersededBy = :by REMOVE gsi1pk, gsi1sk, leaseOwner, leaseUntilMs',
      ConditionExpression: lease.expression,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':superseded': 'superseded', ':by': supersededBy, ...lease.values },
    });
  }

  /**
   * Records a failed attempt and gives up the lease; after `maxAttempts`, or at once when the failure is
   * `permanent` (the target rejected the proposal itself, e.g. a 422), the proposal is failed, keeps the
   * error and leaves the outbox index. Conditioned on the lease of `owner` (LeaseLostError when lost).
   */
  async recordFailure(
    id: string,
    message: string,
    maxAttempts: number,
    options: { permanent?: boolean; owner?: string } = {},
  ): Promise<Proposal['status']> {
    const current = await this.get(id);
    if (!current || current.status !== 'pending') {
      if (options.owner !== undefined) throw new LeaseLostError(id, options.owner, 'record failure', current);
      return current?.status ?? 'failed';
    }
    const attempts = current.attempts + 1;
    const exhausted = options.permanent === true || attempts >= maxAttempts;
    const lease = this.leaseCondition(options.owner);
    await this.transition(id, options.owner, 'record failure', {
      UpdateExpression: exhausted
        ? 'SET #status = :failed, attempts = :attempts, lastError = :error REMOVE gsi1pk, gsi1sk, leaseOwner, leaseUntilMs'
        : 'SET attempts = :attempts, lastError = :error REMOVE leaseOwner, leaseUntilMs',
      ConditionExpression: `${lease.expression} AND attempts = :previous`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':attempts': attempts,
        ':previous': current.attempts,
        ':error': message,
        ...lease.values,
        ...(exhausted ? { ':failed': 'failed' } : {}),
      },
    });
    return exhausted ? 'failed' : 'pending';
  }
}
