import { join } from 'node:path';
import { startLocalDynamo } from '../../local/dynamo.js';
import { LOCAL_TABLE_NAME, startRuntime, type Runtime } from '../../local/runtime.js';
import { createDocumentClient } from '../../shared/store/client.js';
import { AdvisorError } from '../../shared/util/errors.js';
import { readStoredState, type StoredState } from './invariants.js';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Reads a stopped runtime's data directory with a DynamoDB-API server of our own (nothing of the runtime runs). */
export async function readDataDirAtRest(dataDir: string): Promise<StoredState> {
  const dynamo = await startLocalDynamo({ path: join(dataDir, 'dynamodb') });
  const doc = createDocumentClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 3 });
  try {
    return await readStoredState(doc, LOCAL_TABLE_NAME, join(dataDir, 'outbox'));
  } finally {
    doc.destroy();
    await dynamo.stop();
  }
}

/**
 * Restarts the runtime on `dataDir` in this process (startRuntime: what `npm start` does before its
 * first cycle), lets whatever it starts on its own finish, and reads the store through the restarted
 * runtime's own DynamoDB-API server, before any new cycle writes.
 */
export async function restartAndRead(dataDir: string, idleTimeoutMs: number): Promise<StoredState> {
  const runtime: Runtime = await startRuntime({ dataDir, port: 0, source: 'sim', rateLimit: null, logLevel: 'SILENT' });
  try {
    await withTimeout(runtime.idle(), idleTimeoutMs, 'the restarted runtime to become idle');
    const doc = createDocumentClient({ endpoint: runtime.dynamoEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 3 });
    try {
      return await readStoredState(doc, LOCAL_TABLE_NAME, runtime.outboxDir);
    } finally {
      doc.destroy();
    }
  } finally {
    await runtime.stop();
  }
}

/** A chaos scenario waited longer than its limit for the runtime. */
export class WaitTimeoutError extends AdvisorError {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super('CHAOS_WAIT_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}`, { what, timeoutMs });
  }
}

export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new WaitTimeoutError(what, timeoutMs)), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
