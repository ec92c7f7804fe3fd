import type { Rng } from './random.js';
import { buildRequest } from './raw-http.js';

/** A generated request: its bytes and a short label for reports. */
export interface FuzzRequest {
  label: string;
  bytes: Buffer;
}

const ASSETS = ['BTC', 'ETH', 'SOL', 'UNI', 'CRV', 'AAVE', 'DOGE', 'LINK'];
const PROFILES = ['aave-v3-ethereum', 'perp-dex'];

/** Route templates; `{a}` an asset-like segment, `{id}` a run-id-like one. */
const ROUTES = [
  '/v1/health',
  '/v1/openapi.json',
  '/v1/recommendations',
  '/v1/recommendations/{a}',
  '/v1/recommendations/{a}/history',
  '/v1/assets/{a}/prices',
  '/v1/proposals',
  '/v1/recompute',
  '/v1/runs/{id}',
  '/',
  '/index.html',
  '/app.js',
  '/style.css',
  '/favicon.ico',
  '/v1',
  '/v1/',
  '/v2/recommendations',
];

/** Request targets a server must refuse cleanly (4xx), never answer with a 500. */
const ODD_TARGETS = [
  '//%zz',
  '//[',
  '/%',
  '/%zz',
  '/%ff%fe',
  '/v1/recommendations/%zz',
  '/v1/recommendations/%',
  '/v1/recommendations/%E0%A4%A',
  '/v1/runs/%zz',
  '//',
  '///v1/health',
  '//evil.example/v1/health',
  '//[::1]/v1/health',
  '//[::1',
  '//user@host:99999/x',
  '/v1/health?%zz',
  '/v1/recommendations?limit=%zz',
  '/v1/recommendations?%=%',
  '/..%2f..%2fetc%2fpasswd',
  '/v1/../../etc/passwd',
  '/v1/recommendations/..%2F..%2Fhealth',
  '*',
  'http://127.0.0.1/v1/health',
  'http://[::1/v1/health',
  'http://%zz/',
  'https://x:y@127.0.0.1:1/v1/health',
  '/v1/recommendations/BTC%00',
  '/v1/recommendations/%C0%AF',
  '/v1/recommendations/%F0%9F%92%A9',
  '/?' + '&'.repeat(100),
  '/v1/proposals?cursor=' + 'A'.repeat(2000),
];

/** CONNECT is left out: node:http drops a tunnel request it has no 'connect' listener for, by design. */
const METHODS = ['GET', 'GET', 'GET', 'HEAD', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'get', 'G ET', 'BREW'];

function assetSegment(rng: Rng): string {
  return rng.pick([
    () => rng.pick(ASSETS),
    () => rng.pick(ASSETS).toLowerCase(),
    () => 'NOPE',
    () => '',
    () => '%20',
    () => encodeURIComponent('BTC/ETH'),
    () => 'B'.repeat(rng.int(1, 3000)),
    () => '%F0%9F%92%A9',
    () => '..',
    () => '.',
    () => '%2e%2e',
    () => 'BTC;ETH',
    () => "BTC'--",
    () => '__proto__',
    () => 'constructor',
    () => 'hasOwnProperty',
  ])();
}

function idSegment(rng: Rng): string {
  return rng.pick([
    () => '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    () => '01ARZ3NDEKTSV4RRFFQ69G5FA',
    () => 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ',
    () => 'not-a-run',
    () => '%00',
    () => '7ZZZZZZZZZZZZZZZZZZZZZZZZZ',
    () => 'x'.repeat(rng.int(1, 500)),
  ])();
}

function queryValue(rng: Rng): string {
  return rng.pick([
    () => String(rng.int(-5, 300)),
    () => '0',
    () => '1e309',
    () => 'NaN',
    () => '-0',
    () => '1.5',
    () => '',
    () => '%zz',
    () => rng.pick(PROFILES),
    () => rng.pick(['bps', 'percent', 'fraction', 'PERCENT']),
    () => rng.pick(['1h', '5m', '1d', '1m']),
    () => Buffer.from(JSON.stringify({ pk: 'ASSET#BTC', sk: 'REC#x' })).toString('base64url'),
    () => Buffer.from('garbage').toString('base64'),
    () => '%E2%82%AC',
    () => 'a'.repeat(rng.int(1, 1000)),
    () => '[]',
    () => '{}',
  ])();
}

function query(rng: Rng): string {
  if (rng.chance(0.4)) return '';
  const names = ['profile', 'limit', 'cursor', 'units', 'interval', 'days', 'foo', '', 'limit', '__proto__', 'profile[]'];
  const pairs: string[] = [];
  for (let i = rng.int(1, 4); i > 0; i--) pairs.push(rng.chance(0.1) ? rng.pick(names) : `${rng.pick(names)}=${queryValue(rng)}`);
  return `?${pairs.join(rng.chance(0.9) ? '&' : ';')}`;
}

function target(rng: Rng): string {
  if (rng.chance(0.15)) return rng.pick(ODD_TARGETS);
  let path = rng.pick(ROUTES).replace('{a}', assetSegment(rng)).replace('{id}', idSegment(rng));
  if (rng.chance(0.05)) path += '/';
  if (rng.chance(0.03)) path = path.replace('/v1/', '//v1//');
  if (rng.chance(0.03)) path = path.toUpperCase();
  return path + query(rng);
}

/**
 * Bodies that are never a valid recompute (so a fuzzed request with the right token starts no run): the
 * text itself, or made per request from the generator.
 */
const INVALID_BODIES: readonly (string | ((rng: Rng) => Buffer))[] = [
  '',
  '{',
  'null',
  '"BTC"',
  '123',
  '[]',
  '{"assets":"BTC"}',
  '{"assets":[]}',
  '{"assets":[1,2]}',
  '{"assets":["NOPE"]}',
  '{"assets":["BTC"],"extra":true}',
  '{"reason":""}',
  `{"reason":"${'r'.repeat(600)}"}`,
  '{"__proto__":{"assets":["BTC"]},"assets":5}',
  `{"assets":[${Array.from({ length: 201 }, () => '"BTC"').join(',')}]}`,
  (rng) => Buffer.from('['.repeat(rng.int(1_000, 20_000)) + ']'.repeat(10)),
  (rng) => Buffer.from('{"a":'.repeat(rng.int(100, 5_000)) + '1'),
  () => Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3, 0x28]),
  '\uFEFF{"assets":5}',
  'assets=BTC&reason=x',
  (rng) => Buffer.alloc(rng.int(1_000_001, 1_100_000), 0x20),
  '{"assets":["BTC"],"assets":7}',
];

function invalidBody(rng: Rng): Buffer {
  const body = rng.pick(INVALID_BODIES);
  return typeof body === 'string' ? Buffer.from(body) : body(rng);
}

function headers(rng: Rng, token: string, hasBody: boolean): [string, string][] {
  const list: [string, string][] = [];
  if (rng.chance(0.97)) list.push(['Host', rng.pick(['127.0.0.1', 'localhost:1', 'example.com', '[::1]', 'a'.repeat(300)])]);
  if (rng.chance(0.5)) list.push(['Authorization', rng.pick([`Bearer ${token}`, `Bearer ${token}`, 'Bearer wrong-token-0123456789', 'Bearer', 'Basic dXNlcjpwdw==', `bearer ${token}x`, `Bearer ${'t'.repeat(5000)}`, ''])]);
  if (hasBody || rng.chance(0.3)) {
    list.push(['Content-Type', rng.pick(['application/json', 'application/json; charset=utf-8', 'application/JSON', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/problem+json', '', ';;;'])]);
  }
  if (rng.chance(0.2)) list.push(['If-None-Match', rng.pick(['*', '"abc"', 'W/"abc"', '"', '"a", W/"b", *', 'x'.repeat(500)])]);
  if (rng.chance(0.1)) list.push(['If-Modified-Since', rng.pick(['Thu, 01 Jan 1970 00:00:00 GMT', 'yesterday', ''])]);
  if (rng.chance(0.2)) list.push(['Accept', rng.pick(['application/json', 'text/html', '*/*', 'application/xml', 'text/csv', 'image/png;q=0', ''])]);
  if (rng.chance(0.1)) list.push(['Accept-Encoding', rng.pick(['gzip, br', 'identity;q=0', '*;q=0'])]);
  if (rng.chance(0.15)) list.push(['Origin', rng.pick(['https://evil.example', 'null', 'http://127.0.0.1:1', ''])]);
  if (rng.chance(0.05)) list.push(['Access-Control-Request-Method', rng.pick(['POST', 'DELETE', 'GET'])]);
  if (rng.chance(0.05)) list.push(['Range', 'bytes=0-10']);
  if (rng.chance(0.05)) list.push(['X-Forwarded-For', rng.pick(['1.2.3.4', 'garbage', ''])]);
  if (rng.chance(0.03)) list.push(['X-Long', 'v'.repeat(rng.int(1_000, 20_000))]);
  if (rng.chance(0.02)) list.push(['Bad Header', 'x']);
  if (rng.chance(0.02)) list.push(['Expect', '100-continue']);
  return list;
}

function chunked(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
}

/** One fuzzed request: method, target, headers and body drawn from `rng`. */
export function fuzzRequest(rng: Rng, token: string): FuzzRequest {
  const method = rng.pick(METHODS);
  const requestTarget = target(rng);
  const withBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? rng.chance(0.85) : rng.chance(0.05);
  const body = withBody ? invalidBody(rng) : undefined;
  const list = headers(rng, token, withBody);
  let bytes: Buffer;
  if (body && body.length < 100_000 && rng.chance(0.1)) {
    bytes = buildRequest({ method, target: requestTarget, headers: [...list, ['Transfer-Encoding', 'chunked']], body: chunked(body) });
  } else {
    bytes = buildRequest({ method, target: requestTarget, version: rng.chance(0.05) ? '1.0' : '1.1', headers: list, ...(body ? { body } : {}) });
  }
  return { label: `${method} ${requestTarget.slice(0, 80)}${body ? ` (${body.length} B body)` : ''}`, bytes };
}

/** A well-formed, authenticated recompute that starts a real run. */
export function validRecompute(rng: Rng, token: string): FuzzRequest {
  const body = Buffer.from(JSON.stringify({ assets: rng.sample(ASSETS, rng.int(1, 3)), reason: 'chaos fuzz' }));
  return {
    label: 'POST /v1/recompute (valid)',
    bytes: buildRequest({ method: 'POST', target: '/v1/recompute', headers: [['Host', '127.0.0.1'], ['Authorization', `Bearer ${token}`], ['Content-Type', 'application/json']], body }),
  };
}
