import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { ensureTable, localDynamoClient } from '../../local/dynamo.js';
import { createDocumentClient } from '../../shared/store/client.js';
import { createStore, type Store } from '../../shared/store/index.js';
import { startTestTable, type TestTable } from './dynamo.js';
import { TestClock } from './publish-fixtures.js';

/**
 * A fresh table on an already running DynamoDB-API server: each test gets an outbox of its own (a
 * proposal left pending by one test must not be dispatched to another test's forum).
 */
export async function freshStore(endpoint: string): Promise<{ store: Store; dispose(): void }> {
  const tableName = `publish-${randomUUID().slice(0, 8)}`;
  const raw = localDynamoClient(endpoint);
  await ensureTable(raw, tableName);
  raw.destroy();
  const doc = createDocumentClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return { store: createStore(doc, tableName), dispose: () => doc.destroy() };
}

/** What a publish test works with: a fresh outbox and a clock, new for every test. */
export interface PublishTestContext {
  readonly table: TestTable;
  readonly store: Store;
  readonly clock: TestClock;
}

/**
 * Registers the hooks the publish integration tests share: one DynamoDB-API server for the file, a
 * fresh table and clock per test (disposed after it). Read the fields inside tests and hooks only.
 */
export function usePublishTable(): PublishTestContext {
  let table: TestTable | undefined;
  let current: { store: Store; dispose(): void } | undefined;
  let clock: TestClock | undefined;
  beforeAll(async () => {
    table = await startTestTable();
  });
  afterAll(async () => {
    await table?.stop();
  });
  beforeEach(async () => {
    clock = new TestClock();
    current = await freshStore(table!.dynamo.endpoint);
  });
  afterEach(() => {
    current?.dispose();
    current = undefined;
  });
  return {
    get table() {
      return table!;
    },
    get store() {
      return current!.store;
    },
    get clock() {
      return clock!;
    },
  };
}
