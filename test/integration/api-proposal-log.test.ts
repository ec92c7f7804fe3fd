import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/store/client.js';
import { InvalidCursorError } from '../../shared/store/errors.js';
import { keys } from '../../shared/store/table.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { proposal } from '../support/fixtures.js';

/** The proposal log behind GET /v1/proposals (ProposalRepository.list) on a real local DynamoDB-API server. */

let table: TestTable;
let doc: DynamoDBDocumentClient;
const T0 = 1_750_000_000_000;

beforeAll(async () => {
  table = await startTestTable();
  doc = createDocumentClient({ endpoint: table.dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  doc?.destroy();
  await table?.stop();
});

async function walk(limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await table.store.proposals.list({ limit, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((p) => p.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

describe('ProposalRepository.list', () => {
  it('lists every proposal newest first; pages end with a null cursor', async () => {
    expect(await table.store.proposals.list({ limit: 10 })).toEqual({ items: [], nextCursor: null });
    for (let i = 0; i < 7; i++) await table.store.proposals.createPending(proposal({ id: `p-${i}`, runId: `r${i}`, createdAtMs: T0 + i * 1000 }));
    const expected = [6, 5, 4, 3, 2, 1, 0].map((i) => `p-${i}`);
    expect(await walk(100)).toEqual({ ids: expected, pages: 1 });
    expect(await walk(3)).toEqual({ ids: expected, pages: 3 });
    // An exact multiple of the page size ends on a full page with no empty page after it.
    expect((await walk(7)).pages).toBe(1);
    const page = await table.store.proposals.list({ limit: 2 });
    expect(page.items[0]).toMatchObject({ id: 'p-6', status: 'pending', markdown: '# A title\n' });
  });

  it('a retried createPending (new timestamp, same id) is listed once, at its first timestamp', async () => {
    const retry = await table.store.proposals.createPending(proposal({ id: 'p-3', runId: 'r3', createdAtMs: T0 + 99_000 }));
    expect(retry.created).toBe(false);
    const { ids } = await walk(2);
    expect(ids.filter((id) => id === 'p-3')).toHaveLength(1);
    expect(ids[0]).toBe('p-6');
  });

  it('skips a log entry whose proposal is missing (a crash between the two writes)', async () => {
    await doc.send(new PutCommand({ TableName: table.tableName, Item: { pk: keys.proposalLog, sk: keys.proposalLogSort(T0 + 50_000, 'ghost'), id: 'ghost' } }));
    await doc.send(new DeleteCommand({ TableName: table.tableName, Key: { pk: keys.proposal('p-5'), sk: keys.proposalSort } }));
    const { ids } = await walk(2);
    expect(ids).toEqual(['p-6', 'p-4', 'p-3', 'p-2', 'p-1', 'p-0']);
  });

  it('refuses a cursor it did not issue', async () => {
    const foreign = Buffer.from(JSON.stringify({ pk: 'ASSET#BTC', sk: 'REC#x' })).toString('base64url');
    await expect(table.store.proposals.list({ limit: 2, cursor: foreign })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
