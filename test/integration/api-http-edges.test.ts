import { describe, expect, it } from 'vitest';
import { useLocalHttpApi } from '../support/api-harness.js';
import { perpRecommendationDraft, proposal, recommendationDraft } from '../support/fixtures.js';
import { message, rawRequest, type RawResponse } from '../support/raw-http.js';

/** The local HTTP adapter over the real API and a real DynamoDB-API server, spoken to over raw TCP. */
const TOKEN = 'test-token-0123456789abcdef';
const local = useLocalHttpApi({
  token: TOKEN,
  seed: async (store) => {
    await store.recommendations.append(recommendationDraft({ asset: 'BTC' }));
    await store.recommendations.append(perpRecommendationDraft({ asset: 'BTC' }));
  },
});

const send = async (...args: Parameters<typeof message>): Promise<RawResponse> => {
  const response = await rawRequest(local.url, message(...args));
  if (!response) throw new Error(`no response to ${args[0]} ${args[1]}`);
  return response;
};
const problemOf = (response: RawResponse) => {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  return JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
};

describe('odd request targets', () => {
  it.each(['//%zz', '//[', '/v1/recommendations/%zz', '/%', '//[::1]/v1/health', '/v1/health#frag', '*'])(
    'GET %s: 400 problem+json naming no internals',
    async (target) => {
      const response = await send('GET', target);
      expect(response.status).toBe(400);
      const problem = problemOf(response);
      expect(problem).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(response.body.toString('utf8')).not.toMatch(/Invalid URL|URIError|ERR_|TypeError|at .*\.ts/);
    },
  );

  it('OPTIONS * (asterisk-form, RFC 9112 3.2.4) answers 204 with Allow', async () => {
    const response = await send('OPTIONS', '*');
    expect(response.status).toBe(204);
    expect(response.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    expect(response.headers['content-length']).toBeUndefined();
  });

  it('an absolute-form target is served like its path (RFC 9112 3.2.2)', async () => {
    expect((await send('GET', 'http://127.0.0.1/v1/health')).status).toBe(200);
  });
});

describe('HEAD and 304', () => {
  const comparable = (response: RawResponse) => {
    const { date: _date, ...rest } = response.headers;
    return rest;
  };

  it.each(['/v1/openapi.json', '/v1/recommendations', '/v1/recommendations/BTC?units=percent', '/v1/nothing', '/', '/v1/recommendations?limit=0'])(
    'HEAD %s sends the headers GET sends, content-length included, and no body',
    async (target) => {
      const get = await send('GET', target);
      const head = await send('HEAD', target);
      expect(head.status).toBe(get.status);
      expect(get.headers['content-length']).toBe(String(get.body.length));
      expect(comparable(head)).toEqual(comparable(get));
      expect(head.body.length).toBe(0);
    },
  );

  it('304 carries the validator and no content-length of an empty body', async () => {
    const get = await send('GET', '/v1/recommendations');
    for (const method of ['GET', 'HEAD']) {
      const notModified = await send(method, '/v1/recommendations', { 'If-None-Match': get.headers.etag! });
      expect(notModified.status).toBe(304);
      expect(notModified.headers.etag).toBe(get.headers.etag);
      expect(notModified.headers['content-length']).toBeUndefined();
      expect(notModified.body.length).toBe(0);
    }
  });
});

describe('request bodies', () => {
  it('413 for a body over the limit is problem+json', async () => {
    const response = await send('POST', '/v1/recompute', { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` }, Buffer.alloc(1_100_000, 0x20));
    expect(response.status).toBe(413);
    expect(problemOf(response)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE', instance: '/v1/recompute', title: 'Payload too large' });
  });

  it('POST with a body and no JSON content type: 415 problem+json', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    for (const headers of [auth, { ...auth, 'Content-Type': 'text/plain' }, { ...auth, 'Content-Type': 'application/jsonx' }]) {
      const response = await send('POST', '/v1/recompute', headers, '{"assets":["BTC"]}');
      expect(response.status).toBe(415);
      expect(problemOf(response)).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    // No body needs no content type; a JSON one with parameters is JSON.
    expect((await send('POST', '/v1/recompute', auth)).status).toBe(202);
    expect((await send('POST', '/v1/recompute', { ...auth, 'Content-Type': 'application/json; charset=utf-8' }, '{"assets":["BTC"]}')).status).toBe(202);
  });
});

describe('GET /v1/proposals', () => {
  it('externalRef shows no server path: the local outbox file is outbox/<file>', async () => {
    const id = 'aave-v3-ethereum-edge';
    await local.table.store.proposals.createPending(
      proposal({ id, externalRef: `/home/someone/.advisor/outbox/${id}.md https://forum.example/p/12 webhook:rcv-1` }),
    );
    const response = await send('GET', '/v1/proposals');
    const items = JSON.parse(response.body.toString('utf8')).items as { id: string; externalRef: string; links: string[] }[];
    const item = items.find((p) => p.id === id)!;
    expect(item.externalRef).toBe(`outbox/${id}.md https://forum.example/p/12 webhook:rcv-1`);
    expect(item.links).toEqual(['https://forum.example/p/12']);
    expect(response.body.toString('utf8')).not.toContain('/home/someone');
  });
});
