import type { Server } from 'node:http';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll } from 'vitest';
import { serveApi } from '../../local/http.js';
import { createApi, type ApiDeps } from '../../shared/api/app.js';
import { buildConfig } from '../../shared/config/load.js';
import type { Store } from '../../shared/store/index.js';
import { startTestTable, type TestTable } from './dynamo.js';

/**
 * The API's dependencies for a test: the default config, an invoker that does nothing, a silent logger,
 * clock 0, IAM auth, simulated, 60 s max-age; `overrides` replace any of them.
 */
export function testApiDeps(overrides: Partial<ApiDeps> & Pick<ApiDeps, 'store'>): ApiDeps {
  return {
    config: buildConfig(),
    invoker: { async invoke() {} },
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => 0,
    auth: { kind: 'iam' },
    simulated: true,
    cacheMaxAgeSeconds: 60,
    ...overrides,
  };
}

/**
 * The API behind the local HTTP adapter (no rate limit) over a fresh local table, with bearer-token
 * auth and the wall clock, for one test file (its own beforeAll/afterAll). `seed` fills the table
 * before the server starts.
 */
export function useLocalHttpApi(options: { token: string; seed: (store: Store) => Promise<void>; config?: ApiDeps['config'] }) {
  let table: TestTable;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    table = await startTestTable();
    const api = createApi(
      testApiDeps({
        config: options.config ?? buildConfig(),
        store: table.store,
        now: () => Date.now(),
        auth: { kind: 'token', token: options.token },
      }),
    );
    await options.seed(table.store);
    ({ server, url } = await serveApi(api, 0, '127.0.0.1', { rateLimit: null }));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await table?.stop();
  });
  return {
    get table(): TestTable {
      return table;
    },
    get url(): string {
      return url;
    },
  };
}
