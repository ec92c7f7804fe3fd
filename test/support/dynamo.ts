import { randomUUID } from 'node:crypto';
import { ensureTable, localDynamoClient, startLocalDynamo, type LocalDynamo } from '../../local/dynamo.js';
import { createDocumentClient } from '../../shared/store/client.js';
import { createStore, type Store } from '../../shared/store/index.js';

/** A real DynamoDB-API server (dynalite, in memory) with a fresh table, for integration tests. */
export interface TestTable {
  dynamo: LocalDynamo;
  tableName: string;
  store: Store;
  stop(): Promise<void>;
}

export async function startTestTable(): Promise<TestTable> {
  const dynamo = await startLocalDynamo();
  const tableName = `test-${randomUUID().slice(0, 8)}`;
  const raw = localDynamoClient(dynamo.endpoint);
  await ensureTable(raw, tableName);
  raw.destroy();
  const doc = createDocumentClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    dynamo,
    tableName,
    store: createStore(doc, tableName),
    stop: async () => {
      doc.destroy();
      await dynamo.stop();
    },
  };
}
