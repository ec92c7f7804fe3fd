import { describe, expect, it } from 'vitest';
import { TableNotActiveError } from '../../../local/dynamo.js';
import { LevelStoreOpenError } from '../../../local/runtime.js';
import { AdvisorError } from '../../../shared/util/errors.js';

describe('local runtime errors', () => {
  it('carry the table and the store path', () => {
    const table = new TableNotActiveError('advisor', 100);
    expect(table).toBeInstanceOf(AdvisorError);
    expect(table).toMatchObject({ code: 'TABLE_NOT_ACTIVE', tableName: 'advisor', polls: 100, message: 'table advisor did not become ACTIVE' });
    const level = new LevelStoreOpenError('/data/dynamodb', 'lock held');
    expect(level).toMatchObject({ code: 'LEVEL_STORE_OPEN', path: '/data/dynamodb', details: { path: '/data/dynamodb', reason: 'lock held' }, message: 'lock held' });
  });
});
