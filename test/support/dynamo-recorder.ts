import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/store/client.js';
import { createStore, type Store } from '../../shared/store/index.js';
import type { TestTable } from './dynamo.js';

/**
 * Records the DynamoDB actions each function's code sends, as IAM names (`PutItem`, `BatchGetItem`...),
 * so a test can hold each function's role to exactly what its code calls (infra/function-specs.ts).
 *
 * The middleware sits on the low-level client, under the document client: lib-dynamodb's `PutCommand`
 * reaches it as `PutItemCommand`, whose name minus `Command` is the IAM action. It runs once per send
 * (the `initialize` step, before the SDK's retries), whatever the outcome.
 */
export type RecordedTarget = 'table' | `index/${string}`;

export class DynamoActionRecorder {
  /** role -> action -> targets (the table, or a named index). */
  private readonly sent = new Map<string, Map<string, Set<RecordedTarget>>>();
  private readonly clients: DynamoDBDocumentClient[] = [];

  record(role: string, action: string, target: RecordedTarget): void {
    const actions = this.sent.get(role) ?? new Map<string, Set<RecordedTarget>>();
    this.sent.set(role, actions);
    const targets = actions.get(action) ?? new Set<RecordedTarget>();
    actions.set(action, targets);
    targets.add(target);
  }

  /** Adds the recording middleware to a document client (its middleware stack is the low-level client's). */
  instrument(doc: DynamoDBDocumentClient, role: string): DynamoDBDocumentClient {
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const action = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        const indexName = (args.input as { IndexName?: unknown }).IndexName;
        this.record(role, action, typeof indexName === 'string' ? `index/${indexName}` : 'table');
        return next(args);
      },
      { step: 'initialize', name: `recordDynamoAction:${role}`, override: true },
    );
    return doc;
  }

  /** A document client on the test table's server, recorded as `role`. */
  documentClient(table: TestTable, role: string): DynamoDBDocumentClient {
    const doc = createDocumentClient({
      endpoint: table.dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    this.clients.push(doc);
    return this.instrument(doc, role);
  }

  /** Every repository over the test table, each call recorded as `role`. */
  storeFor(table: TestTable, role: string): Store {
    return createStore(this.documentClient(table, role), table.tableName);
  }

  /** The actions `role` sent to the table itself (IAM resource: the table ARN), sorted. */
  tableActionsOf(role: string): string[] {
    return this.actionsTo(role, (t) => t === 'table');
  }

  /** The actions `role` sent to an index (IAM resource: `<table ARN>/index/<name>`), sorted. */
  indexActionsOf(role: string): string[] {
    return this.actionsTo(role, (t) => t.startsWith('index/'));
  }

  /** `role -> action -> targets` of every role recorded, for a failure message. */
  toJSON(): Record<string, Record<string, RecordedTarget[]>> {
    return Object.fromEntries(
      [...this.sent.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([role, actions]) => [role, Object.fromEntries([...actions].map(([a, t]) => [a, [...t].sort()]))]),
    );
  }

  private actionsTo(role: string, matches: (target: RecordedTarget) => boolean): string[] {
    return [...(this.sent.get(role)?.entries() ?? [])]
      .filter(([, targets]) => [...targets].some(matches))
      .map(([action]) => action)
      .sort();
  }

  destroy(): void {
    for (const doc of this.clients) doc.destroy();
  }
}
