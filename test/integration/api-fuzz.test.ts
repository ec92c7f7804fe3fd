import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../shared/config/load.js';
import { useLocalHttpApi } from '../support/api-harness.js';
import { perpRecommendationDraft, proposal, recommendationDraft } from '../support/fixtures.js';
import { rawRequest } from '../support/raw-http.js';

/**
 * A fixed-seed fuzz of the local HTTP adapter over the real API and a real DynamoDB-API server: random
 * methods, request targets (odd ones included), queries, headers and bodies, written byte for byte on raw
 * sockets. Whatever comes in, no 5xx, and the server still answers afterwards.
 */
const SEED = 0x5eed_2026;
const REQUESTS = 400;
const CONCURRENCY = 8;
const TOKEN = 'fuzz-token-0123456789abcdef';
const defaults = buildConfig();
const local = useLocalHttpApi({
  token: TOKEN,
  // Room for every authenticated recompute the fuzz sends (the bound has its own tests); a small
  // per-caller budget, so 429s are exercised too.
  config: { ...defaults, schedule: { ...defaults.schedule, maxRunsInFlight: 10_000, recomputesPerCallerPerHour: 5 } },
  seed: async (store) => {
    for (const asset of ['BTC', 'ETH']) {
      await store.recommendations.append(recommendationDraft({ asset }));
      await store.recommendations.append(perpRecommendationDraft({ asset }));
    }
    await store.proposals.createPending(proposal({ id: 'aave-v3-ethereum-fuzz', externalRef: '/tmp/outbox/aave-v3-ethereum-fuzz.md' }));
  },
});

/** mulberry32: a small seeded generator, so every run sends the same requests. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chance = (p: number) => next() < p;
  const text = (length: number, alphabet: string) => Array.from({ length }, () => alphabet[int(alphabet.length)]).join('');
  return { int, pick, chance, text };
}

const METHODS = ['GET', 'GET', 'GET', 'HEAD', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'PROPFIND', 'get', 'BREW'];
const PATHS = [
  '/', '/v1', '/v1/', '/v1/health', '/v1/openapi.json', '/v1/recommendations', '/v1/recommendations/BTC', '/v1/recommendations/eth',
  '/v1/recommendations/NOPE', '/v1/recommendations/BTC/history', '/v1/assets/BTC/prices', '/v1/assets/ETH/prices', '/v1/proposals',
  '/v1/recompute', '/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV', '/v1/runs/nope', '/assets/BTC', '/index.html', '/app.js', '/favicon.ico',
];
const SEGMENTS = ['%zz', '%', '%2', '%00', '%2F', '%C0%AF', '%E0%A4%A', '..', '.', '[', ']', '|', '{}', '~', ';x=1', '@', '', 'BTC', '%F0%9F%92%A9', 'a'.repeat(300)];
const ODD_TARGETS = ['//%zz', '//[', '*', '//', '///v1/health', 'http://127.0.0.1/v1/health', 'http://[/', 'https://x/v1/../v1/health', 'v1/health', '/v1/health#f', '/?', '/??', '/\xff', '/v1/health?\x7f'];
const QUERY_KEYS = ['units', 'limit', 'cursor', 'profile', 'interval', 'days', 'x', 'units', ''];
const QUERY_VALUES = ['', '0', '1', '-1', '1e9', 'NaN', 'percent', 'bps', 'wei', 'perp-dex', 'aave-v3-ethereum', '1h', '5m', '%zz', 'bm90LWEtY3Vyc29y', 'x'.repeat(2100), '[1]', '"'];
const ACCEPTS = [undefined, '*/*', 'application/json', 'text/html', 'application/json;q=0', 'text/*, application/*;q=0.1', '', ';;;', 'application/problem+json'];
const CONTENT_TYPES = [undefined, 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/jsonx', 'APPLICATION/JSON'];
const AUTHS = [undefined, `Bearer ${TOKEN}`, `Bearer ${TOKEN}`, 'Bearer wrong', 'Basic YTpi', 'Bearer', ''];
const BODIES = [
  '{}', '{"assets":["BTC"]}', '{"assets":["btc","ETH"],"reason":"fuzz"}', '{"assets":[]}', '{"assets":"BTC"}', '{"assets":["NOPE"]}', '{"force":true}',
  '{"assets": [', 'null', '[]', '"x"', '12', '{"reason":""}', `{"assets":[${Array(300).fill('"BTC"').join(',')}]}`, '{"a":'.repeat(200), '\u0000\u0001',
  'assets=BTC', '',
];

function randomRequest(rng: ReturnType<typeof generator>): { method: string; bytes: Buffer } {
  // One in eight is an authenticated recompute, so the write path is reached past its authentication.
  if (rng.chance(0.125)) {
    const body = Buffer.from(rng.pick(BODIES), 'utf8');
    const type = rng.chance(0.7) ? 'application/json' : rng.pick(CONTENT_TYPES);
    const head =
      `POST /v1/recompute HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ${TOKEN}\r\n` +
      `${type === undefined ? '' : `Content-Type: ${type}\r\n`}Content-Length: ${body.length}\r\n\r\n`;
    return { method: 'POST', bytes: Buffer.concat([Buffer.from(head, 'latin1'), body]) };
  }
  const method = rng.pick(METHODS);
  let target: string;
  if (rng.chance(0.15)) target = rng.pick(ODD_TARGETS);
  else {
    target = rng.pick(PATHS);
    for (let i = rng.int(3); i > 0; i--) target += `/${rng.pick(SEGMENTS)}`;
    if (rng.chance(0.1)) target = `/${target}`;
    if (rng.chance(0.05)) target = `http://127.0.0.1${target}`;
    if (rng.chance(0.5)) {
      const pairs = Array.from({ length: 1 + rng.int(3) }, () => `${rng.pick(QUERY_KEYS)}=${rng.pick(QUERY_VALUES)}`);
      target += `?${pairs.join('&')}`;
    }
  }
  const headers: [string, string][] = [];
  const optional = (name: string, value: string | undefined) => value !== undefined && headers.push([name, value]);
  optional('Accept', rng.pick(ACCEPTS));
  optional('Authorization', rng.pick(AUTHS));
  if (rng.chance(0.2)) optional('If-None-Match', rng.pick(['*', '"x"', 'W/"x"', '"', 'garbage, "y"']));
  if (rng.chance(0.2)) optional('Origin', rng.pick(['https://evil.example', 'null', 'http://127.0.0.1']));
  if (rng.chance(0.2)) optional('X-Junk', rng.text(1 + rng.int(40), 'abcXYZ019 !#$%&*+-.^_`|~"(),/:;<=>?@[]{}'));
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD' ? rng.chance(0.8) : rng.chance(0.05)) {
    body = rng.chance(0.1) ? Buffer.from(rng.text(1 + rng.int(200), '\x00\x01\xff{}[]":,abc'), 'latin1') : Buffer.from(rng.pick(BODIES), 'utf8');
    optional('Content-Type', rng.pick(CONTENT_TYPES));
  }
  const chunked = body !== undefined && rng.chance(0.15);
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers.map(([n, v]) => `${n}: ${v}`)];
  if (body !== undefined) lines.push(chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  const payload = body === undefined ? Buffer.alloc(0) : chunked ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : body;
  return { method, bytes: Buffer.concat([head, payload]) };
}

describe('fuzzed requests to the local HTTP adapter', () => {
  it(`${REQUESTS} requests (seed ${SEED}): every one answered, none 5xx, the server still up`, async () => {
    const rng = generator(SEED);
    const requests = Array.from({ length: REQUESTS }, () => randomRequest(rng));
    const byStatus = new Map<number, number>();
    const failures: string[] = [];
    let nextIndex = 0;
    const worker = async () => {
      while (nextIndex < requests.length) {
        const { method, bytes } = requests[nextIndex++]!;
        const response = await rawRequest(local.url, bytes);
        const requestLine = bytes.toString('latin1').split('\r\n')[0]!;
        if (!response) {
          failures.push(`no response: ${requestLine}`);
          continue;
        }
        byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
        if (response.status >= 500) failures.push(`${response.status}: ${requestLine}: ${response.body.toString('utf8').slice(0, 200)}`);
        if (method === 'HEAD' && response.body.length > 0) failures.push(`HEAD with a body: ${requestLine}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(failures).toEqual([]);
    expect([...byStatus.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    // The fuzz reached the routes, not only the refusals.
    for (const status of [200, 202, 400, 401, 404, 405, 415]) expect(byStatus.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
    const health = await fetch(`${local.url}/v1/health`);
    expect(health.status).toBe(200);
  });
});
