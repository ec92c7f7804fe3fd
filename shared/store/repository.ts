import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  type PutCommandInput,
  type QueryCommandInput,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from './client.js';
import { decodeCursor, encodeCursor } from './cursor.js';

/** A table key: every item of the one table is addressed by pk and sk. */
export interface ItemKey {
  pk: string;
  sk: string;
}

type Item = Record<string, unknown>;
type QueryInput = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>;

/**
 * The request shapes every repository over the one table sends: consistent reads by key, a query
 * paged to its end, a cursor page, the newest item under a prefix, and writes whose condition may
 * fail (a lost race, which each caller answers in its own way).
 */
export abstract class TableRepository {
  constructor(
    protected readonly doc: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  /** One item, read strongly consistent; undefined when absent. */
  protected async getItem(key: ItemKey, projection?: string): Promise<Item | undefined> {
    const result = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key,
        ...(projection === undefined ? {} : { ProjectionExpression: projection }),
        ConsistentRead: true,
      }),
    );
    return result.Item;
  }

  protected async putItem(item: Item): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  /** Visits every item a query matches, page after page, while `more()` (checked after each page) holds. */
  protected async queryAll(input: QueryInput, visit: (item: Item) => void, more: () => boolean = () => true): Promise<void> {
    let exclusiveStartKey: Item | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey: exclusiveStartKey }));
      for (const item of page.Items ?? []) visit(item);
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey && more());
  }

  /**
   * One page of at most `limit` items after `cursor` (whose pk must be `cursorPk`). One more item than
   * asked is read: whether it exists says whether there is a next page, so the last page says so
   * (nextCursor null) where DynamoDB's LastEvaluatedKey would send the caller for one more, empty page.
   */
  protected async queryPage(input: QueryInput, limit: number, cursor: string | undefined, cursorPk: string): Promise<{ items: Item[]; nextCursor: string | null }> {
    const page = await this.doc.send(
      new QueryCommand({ TableName: this.tableName, ...input, Limit: limit + 1, ExclusiveStartKey: decodeCursor(cursor, cursorPk) }),
    );
    const items = (page.Items ?? []).slice(0, limit);
    const more = (page.Items?.length ?? 0) > limit;
    const last = items[items.length - 1];
    return { items, nextCursor: more && last ? encodeCursor({ pk: last.pk, sk: last.sk }) : null };
  }

  /** The item with the highest sort key starting with `prefix` (read strongly consistent), or undefined. */
  protected async newestWithPrefix(pk: string, prefix: string, projection?: string): Promise<Item | undefined> {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ...(projection === undefined ? {} : { ProjectionExpression: projection }),
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return page.Items?.[0];
  }

  /** A put carrying a condition: false when the condition failed (nothing was written). */
  protected async conditionalPut(input: Omit<PutCommandInput, 'TableName'>): Promise<boolean> {
    return (await this.unlessConditionFails(() => this.doc.send(new PutCommand({ TableName: this.tableName, ...input })))) !== null;
  }

  /** An update carrying a condition: null when the condition failed (nothing was written). */
  protected async conditionalUpdate(input: Omit<UpdateCommandInput, 'TableName'>): Promise<UpdateCommandOutput | null> {
    return this.unlessConditionFails(() => this.doc.send(new UpdateCommand({ TableName: this.tableName, ...input })));
  }

  /** A delete carrying a condition: false when the condition failed (nothing was deleted). */
  protected async conditionalDelete(input: Omit<DeleteCommandInput, 'TableName'>): Promise<boolean> {
    return (await this.unlessConditionFails(() => this.doc.send(new DeleteCommand({ TableName: this.tableName, ...input })))) !== null;
  }

  /** The write's result, or null when its condition failed; any other error is thrown. */
  private async unlessConditionFails<T>(write: () => Promise<T>): Promise<T | null> {
    try {
      return await write();
    } catch (error) {
      if (isConditionalCheckFailed(error)) return null;
      throw error;
    }
  }
}
