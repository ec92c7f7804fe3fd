import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { proposalSchema, type Proposal } from '../model/proposal.js';
import { isConditionalCheckFailed } from './client.js';
import { GSI1, keys } from './table.js';

/**
 * The proposal outbox: pk PROPOSAL#<id>, sk PROPOSAL. A proposal is stored before any send; pending
 * ones are indexed in gsi1 (OUTBOX#pending) and leave the index when sent or failed.
 */
export class ProposalRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Stores a new pending proposal; an existing one with the same id is kept (idempotent retry). */
  async createPending(proposal: Proposal): Promise<{ created: boolean }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: keys.proposal(proposal.id),
            sk: keys.proposalSort,
            gsi1pk: keys.outboxPending,
            gsi1sk: `${String(proposal.createdAtMs).padStart(15, '0')}#${proposal.id}`,
            ...proposalSchema.parse({ ...proposal, status: 'pending' }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return { created: false };
      throw error;
    }
  }

  async get(id: string): Promise<Proposal | null> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: keys.proposal(id), sk: keys.proposalSort }, ConsistentRead: true }),
    );
    return result.Item ? proposalSchema.parse(result.Item) : null;
  }

  /** Pending proposals, oldest first. */
  async listPending(limit = 100): Promise<Proposal[]> {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.outboxPending },
        Limit: limit,
      }),
    );
    return (page.Items ?? []).map((item) => proposalSchema.parse(item));
  }

  /** pending -> sent. False when it was no longer pending (another dispatcher got there first). */
  async markSent(id: string, externalRef: string, sentAtMs: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.proposal(id), sk: keys.proposalSort },
          UpdateExpression: 'SET #status = :sent, externalRef = :ref, sentAtMs = :at, attempts = attempts + :one REMOVE gsi1pk, gsi1sk',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sent': 'sent', ':pending': 'pending', ':ref': externalRef, ':at': sentAtMs, ':one': 1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Records a failed attempt; after `maxAttempts` the proposal is failed and leaves the outbox index. */
  async recordFailure(id: string, message: string, maxAttempts: number): Promise<Proposal['status']> {
    const current = await this.get(id);
    if (!current || current.status !== 'pending') return current?.status ?? 'failed';
    const attempts = current.attempts + 1;
    const exhausted = attempts >= maxAttempts;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.proposal(id), sk: keys.proposalSort },
        UpdateExpression: exhausted
          ? 'SET #status = :failed, attempts = :attempts, lastError = :error REMOVE gsi1pk, gsi1sk'
          : 'SET attempts = :attempts, lastError = :error',
        ConditionExpression: '#status = :pending AND attempts = :previous',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':attempts': attempts,
          ':previous': current.attempts,
          ':error': message,
          ...(exhausted ? { ':failed': 'failed' } : {}),
        },
      }),
    );
    return exhausted ? 'failed' : 'pending';
  }
}
