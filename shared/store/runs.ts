import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runSchema, type Run } from '../model/run.js';
import { isConditionalCheckFailed } from './client.js';
import { RunTransitionError } from './errors.js';
import { keys } from './table.js';

type RunOutcome = Pick<Run, 'status' | 'recommendations' | 'proposals' | 'errors' | 'finishedAtMs'>;

/** Runs: pk RUN#<id>, sk RUN. Status moves queued -> running -> succeeded | failed, never back. */
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
  }

  async get(id: string): Promise<Run | null> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: keys.run(id), sk: keys.runSort }, ConsistentRead: true }),
    );
    return result.Item ? runSchema.parse(result.Item) : null;
  }

  /** queued -> running. Returns false when the run is already running or finished (a duplicate delivery). */
  async start(id: string, startedAtMs: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.run(id), sk: keys.runSort },
          UpdateExpression: 'SET #status = :running, startedAtMs = :at',
          ConditionExpression: 'attribute_exists(pk) AND #status = :queued',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'running', ':queued': 'queued', ':at': startedAtMs },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** running -> succeeded | failed, with what the run produced. */
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
  }
}
