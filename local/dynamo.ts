import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../shared/store/table.js';
import { AdvisorError } from '../shared/util/errors.js';

/**
 * The local DynamoDB-API server: dynalite (DynamoDB's HTTP API on LevelDB) in this process.
 * With `path` the data lives on disk and survives restarts; without it, in memory (tests).
 */
export interface LocalDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

interface DynaliteServer {
  listen(port: number, host: string, callback: (error?: Error) => void): void;
  close(callback: (error?: Error) => void): void;
  address(): AddressInfo;
}

export async function startLocalDynamo(options: { path?: string; port?: number } = {}): Promise<LocalDynamo> {
  const dynalite = createRequire(import.meta.url)('dynalite') as (options: Record<string, unknown>) => DynaliteServer;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => server.listen(options.port ?? 0, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/** The table stayed in CREATING (or another non-ACTIVE status) through every poll. */
export class TableNotActiveError extends AdvisorError {
  constructor(
    readonly tableName: string,
    readonly polls: number,
  ) {
    super('TABLE_NOT_ACTIVE', `table ${tableName} did not become ACTIVE`, { tableName, polls });
  }
}

const TABLE_ACTIVE_POLLS = 100;

/** Creates the table from the shared definition unless it exists; waits until it is ACTIVE. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<{ created: boolean }> {
  let created = false;
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    created = true;
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let i = 0; i < TABLE_ACTIVE_POLLS; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return { created };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new TableNotActiveError(tableName, TABLE_ACTIVE_POLLS);
}
