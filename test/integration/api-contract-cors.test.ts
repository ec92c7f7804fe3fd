import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { serveApi } from '../../local/http.js';
import { TOKEN, api, call, checkContract, observed, useContractApi, type Json } from '../support/api-contract.js';
import { httpEvent } from '../support/events.js';

/** The API against its own OpenAPI document: CORS and the local server's rate limit (see api-contract.test.ts). */

useContractApi();

describe('CORS', () => {
  it('reads are open to every origin and expose the ETag, errors included', async () => {
    for (const res of [await call('GET', '/v1/recommendations'), await call('GET', '/v1/recommendations/NOPE'), await call('HEAD', '/v1/health')]) {
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-expose-headers']).toContain('etag');
    }
  });

  it('a preflight for a read path is answered 204 with GET, HEAD', async () => {
    const res = observed(await api(httpEvent('OPTIONS', '/v1/recommendations/BTC/history', { headers: { origin: 'https://dao.example', 'access-control-request-method': 'GET' } })));
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD');
    expect(res.headers['access-control-allow-headers']).toContain('if-none-match');
  });

  it('writes are closed: the preflight and the POST carry no allow-origin', async () => {
    const preflight = observed(await api(httpEvent('OPTIONS', '/v1/recompute', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } })));
    expect(preflight.statusCode).toBe(204);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const post = await call('POST', '/v1/recompute', {
      headers: { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.statusCode).toBe(202);
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    const denied = await call('POST', '/v1/recompute', { body: '{}' });
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the local server rate limit', () => {
  it('answers 429 problem details with Retry-After beyond the burst, without reaching the handler', async () => {
    let handled = 0;
    let clockMs = 0;
    const counting = async (event: APIGatewayProxyEventV2) => {
      handled++;
      return api(event);
    };
    const { server, url } = await serveApi(counting, 0, '127.0.0.1', { rateLimit: { ratePerSecond: 1, burst: 2 }, clockMs: () => clockMs });
    try {
      const get = async () => {
        const res = await fetch(`${url}/v1/recommendations`);
        const response = { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
        return { ...response, json: checkContract('GET', '/v1/recommendations', response) as Json };
      };
      expect((await get()).statusCode).toBe(200);
      expect((await get()).statusCode).toBe(200);
      const limited = await get();
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('1');
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(limited.headers['access-control-allow-origin']).toBe('*');
      expect(limited.json).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
      expect(handled).toBe(2);
      const post = await fetch(`${url}/v1/recompute`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(post.status).toBe(429);
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
      clockMs += 1000; // one token back
      expect((await get()).statusCode).toBe(200);
      expect(handled).toBe(3);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
