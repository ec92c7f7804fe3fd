import { randomUUID } from 'node:crypto';
import { ensureTable, localDynamoClient } from '../../local/dynamo.js';
import { createDocumentClient } from '../../shared/store/client.js';
import { createStore, type Store } from '../../shared/store/index.js';

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
