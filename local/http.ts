import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { corsReadHeaders } from '../shared/api/cors.js';
import { HttpProblem, problemResultOf, problems } from '../shared/api/problem.js';
import { AdvisorError } from '../shared/util/errors.js';

type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** Largest request body accepted locally (API Gateway's limit is 10 MB; ours needs far less). */
const MAX_BODY_BYTES = 1_000_000;

/** A request target that is not a path this server can serve (RFC 9112 3.2): answered 400. */
export class RequestTargetError extends AdvisorError {
  constructor(target: string) {
    super('BAD_REQUEST_TARGET', 'the request target is not a valid origin-form path (RFC 9112 3.2.1)', { target });
  }
}

/** RFC 3986 `path-absolute`: segments of pchar (unreserved, sub-delims, ':', '@', well-formed %XX). */
const ORIGIN_PATH = /^(?:\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*)+$/;
/** A query: printable ASCII but '#' (lenient beyond RFC 3986: clients send `[`, `|`, `"` unencoded). */
const QUERY = /^[\x21\x22\x24-\x7e]*$/;

/**
 * The path and query of a request target: origin-form (`/path?query`) or absolute-form
 * (`http://host/path?query`, which servers must accept, RFC 9112 3.2.2). Anything else, or a path with
 * characters RFC 3986 does not allow there (`//[`, malformed `%zz`), is a RequestTargetError: parsed as
 * a URL it would either fail (`//%zz` reads as a host) or reach a route as something else.
 */
export function parseRequestTarget(target: string): { path: string; query: string } {
  let raw = target;
  if (/^https?:\/\//i.test(target)) {
    if (!URL.canParse(target)) throw new RequestTargetError(target);
    const url = new URL(target);
    raw = `${url.pathname}${url.search}`;
  }
  const queryAt = raw.indexOf('?');
  const path = queryAt < 0 ? raw : raw.slice(0, queryAt);
  const query = queryAt < 0 ? '' : raw.slice(queryAt + 1);
  if (!ORIGIN_PATH.test(path) || !QUERY.test(query)) throw new RequestTargetError(target);
  // A valid path behind a fixed origin parses; this resolves dot segments as every URL parser would.
  return { path: new URL(`http://local${path}`).pathname, query };
}

/** Builds the API Gateway HTTP API (payload v2) event for a node:http request; RequestTargetError for a bad target. */
export function toEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const target = parseRequestTarget(request.url ?? '/');
  const url = { pathname: target.path, search: target.query ? `?${target.query}` : '', searchParams: new URLSearchParams(target.query) };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const method = (request.method ?? 'GET').toUpperCase();
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    body: body.length > 0 ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: `HTTP/${request.httpVersion}`, sourceIp: request.socket.remoteAddress ?? '', userAgent: headers['user-agent'] ?? '' },
      requestId: `${now.toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
  };
}

const EMPTY_BODY = Buffer.alloc(0);

/**
 * Past the limit, a body is still read (and thrown away) up to this many bytes before the 413 goes
 * out. A server that answers and closes while the client is still writing leaves unread bytes in its
 * socket: the kernel then resets the connection, and the client may lose the answer with it (the
 * "lingering close" of RFC 9112 9.6). API Gateway's own limit (10 MB) fits under this bound.
 */
const MAX_DRAINED_BYTES = 16 * 2 ** 20;

/** The client closed its connection before its request body was complete. */
export class RequestAbortedError extends AdvisorError {
  constructor(receivedBytes: number) {
    super('REQUEST_ABORTED', 'the client closed the connection before the request body was complete', { receivedBytes });
  }
}

/**
 * A request body: its bytes, or `tooLarge` when it is over the limit. `drained` says the whole body was
 * read (the connection can carry the answer); false when it was over MAX_DRAINED_BYTES, declared or
 * sent, and reading stopped.
 */
type BodyRead = { body: Buffer } | { tooLarge: true; drained: boolean };

const isDrained = (read: BodyRead): boolean => !('tooLarge' in read) || read.drained;

/**
 * Reads a request body, keeping at most `limitBytes` of it. Never stops reading early below
 * MAX_DRAINED_BYTES (see there); leaving a `for await` loop early would destroy the socket instead.
 */
function readBody(request: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<BodyRead> {
  // A request without Content-Length or Transfer-Encoding has no body (RFC 9112 6.3).
  if (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined) {
    request.resume();
    return Promise.resolve({ body: EMPTY_BODY });
  }
  if (Number(request.headers['content-length']) > MAX_DRAINED_BYTES) return Promise.resolve({ tooLarge: true, drained: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let receivedBytes = 0;
    let settled = false;
    const settle = (outcome: BodyRead | RequestAbortedError) => {
      if (settled) return;
      settled = true;
      if (outcome instanceof RequestAbortedError) reject(outcome);
      else resolve(outcome);
    };
    request.on('data', (chunk: Buffer) => {
      receivedBytes += chunk.length;
      if (receivedBytes <= limitBytes) chunks.push(chunk);
      else chunks.length = 0; // over the limit: keep reading, stop keeping
      if (receivedBytes > MAX_DRAINED_BYTES) {
        request.pause();
        settle({ tooLarge: true, drained: false });
      }
    });
    request.once('end', () => settle(receivedBytes > limitBytes ? { tooLarge: true, drained: true } : { body: Buffer.concat(chunks) }));
    request.once('error', () => settle(new RequestAbortedError(receivedBytes)));
    request.once('close', () => settle(new RequestAbortedError(receivedBytes)));
  });
}

/**
 * The bytes of the last body sent. Pollers fetch the same representation over and over and the API
 * answers them with the same (memoized) string: encoding it once spares a copy per response (90 KB for
 * the recommendation list) and the garbage collection that comes with it.
 */
let lastEncoded: { text: string; base64: boolean; bytes: Buffer } | undefined;

function encodeBody(text: string, base64: boolean): Buffer {
  if (lastEncoded?.text === text && lastEncoded.base64 === base64) return lastEncoded.bytes;
  const bytes = Buffer.from(text, base64 ? 'base64' : 'utf8');
  lastEncoded = { text, base64, bytes };
  return bytes;
}

/**
 * Writes a handler's result. Content-Length is the body's length; for HEAD the handler's (the length
 * GET would send, RFC 9110 9.3.2); none for 204 and 304, which have no content (RFC 9110 8.6).
 * `closeConnection` when the request's body was not read to its end: the connection cannot carry
 * another request.
 */
function write(response: ServerResponse, result: APIGatewayProxyStructuredResultV2, method: string, closeConnection = false): void {
  const status = result.statusCode ?? 200;
  const body = result.body ? encodeBody(result.body, result.isBase64Encoded === true) : Buffer.alloc(0);
  const headers = { ...result.headers } as Record<string, string>;
  if (status === 204 || status === 304) delete headers['content-length'];
  else if (method !== 'HEAD' || headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  if (closeConnection) headers.connection = 'close';
  response.writeHead(status, headers);
  response.end(method === 'HEAD' ? undefined : body);
}

/** A problem as the handler would answer it (for the refusals this adapter makes itself). */
function problemResult(problem: HttpProblem, method: string, path: string, cors: boolean): APIGatewayProxyStructuredResultV2 {
  const result = problemResultOf(problem, path, cors && (method === 'GET' || method === 'HEAD') ? corsReadHeaders() : {});
  // HEAD: GET's headers, its length included, and no body.
  if (method === 'HEAD') return { ...result, headers: { ...result.headers, 'content-length': String(Buffer.byteLength(result.body)) }, body: '' };
  return result;
}

/** The path of a request for a problem's `instance`: its target's path when valid, else `/`. */
function instanceOf(request: IncomingMessage): string {
  try {
    return parseRequestTarget(request.url ?? '/').path;
  } catch {
    return '/';
  }
}

/** How long a connection refused by the HTTP parser stays open to read what its client still sends. */
const PARSER_REFUSAL_LINGER_MS = 2_000;

/** The answer to a request node:http's parser refused, as raw bytes (there is no response object). */
function parserRefusal(error: NodeJS.ErrnoException): Buffer {
  const problem =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? problems.headersTooLarge()
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problems.requestTimeout()
        : problems.badRequest('the request is not valid HTTP/1.1 (RFC 9112): its request line or a header could not be parsed');
  const result = problemResultOf(problem, '/');
  const body = Buffer.from(result.body);
  const head = [`HTTP/1.1 ${problem.status} ${problem.title}`, ...Object.entries({ ...result.headers, connection: 'close', 'content-length': String(body.length) }).map(([name, value]) => `${name}: ${value}`)];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/**
 * A request node:http's parser refused (a bad method or header, a head over the size limit). Node's
 * default answers and destroys the socket at once, which resets a client still sending its body, and
 * the client may lose the answer (see MAX_DRAINED_BYTES). Here the answer goes out, the socket is half
 * closed, and what the client still sends is read and thrown away (the parser refuses it again, and
 * this handler then does nothing) until it closes, for at most PARSER_REFUSAL_LINGER_MS.
 */
function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) return; // answered already, or the client is gone
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  socket.end(parserRefusal(error));
  setTimeout(() => socket.destroy(), PARSER_REFUSAL_LINGER_MS).unref();
}

export const rateLimitSchema = z.object({
  /** Sustained requests per second per client. */
  ratePerSecond: z.number().positive(),
  /** Requests a client may send at once after a quiet spell. */
  burst: z.number().int().min(1),
});
export type RateLimit = z.infer<typeof rateLimitSchema>;

/** The local default per client: far above a dashboard or a poller, far below what a loop can send. */
export const DEFAULT_LOCAL_RATE_LIMIT: RateLimit = { ratePerSecond: 50, burst: 100 };

/** Above this many tracked clients, buckets that have refilled (idle clients) are forgotten. */
const MAX_TRACKED_CLIENTS = 10_000;

export class RateLimitConfigError extends AdvisorError {
  constructor(variable: string, value: string) {
    super('RATE_LIMIT_CONFIG', `${variable} must be a number of requests per second >= 0 (0 = off), got ${JSON.stringify(value)}`, { variable, value });
  }
}

/**
 * The local rate limit from `ADVISOR_RATE_LIMIT_RPS`: absent = the default, 0 = off, n = n requests/s
 * with a burst of 2n. (In the cloud API Gateway's stage throttling does this job.)
 */
export function rateLimitFromEnvironment(env: NodeJS.ProcessEnv = process.env): RateLimit | null {
  const raw = env.ADVISOR_RATE_LIMIT_RPS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_LOCAL_RATE_LIMIT;
  const ratePerSecond = Number(raw);
  if (!Number.isFinite(ratePerSecond) || ratePerSecond < 0) throw new RateLimitConfigError('ADVISOR_RATE_LIMIT_RPS', raw);
  return ratePerSecond === 0 ? null : { ratePerSecond, burst: Math.max(1, Math.ceil(2 * ratePerSecond)) };
}

/** Token buckets per client: each holds up to `burst` tokens, refilled at `ratePerSecond`; a request takes one. */
export class ClientRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  constructor(
    readonly limit: RateLimit,
    private readonly clockMs: () => number = () => performance.now(),
  ) {
    rateLimitSchema.parse(limit);
  }

  /** Takes a token for `client`: null when allowed, else the whole seconds until one is available. */
  take(client: string): { retryAfterSeconds: number } | null {
    const nowMs = this.clockMs();
    const bucket = this.buckets.get(client) ?? { tokens: this.limit.burst, updatedMs: nowMs };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * this.limit.ratePerSecond);
    bucket.updatedMs = nowMs;
    if (!this.buckets.has(client)) {
      if (this.buckets.size >= MAX_TRACKED_CLIENTS) this.forgetIdle(nowMs);
      this.buckets.set(client, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return { retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.ratePerSecond)) };
  }

  private forgetIdle(nowMs: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * this.limit.ratePerSecond >= this.limit.burst) this.buckets.delete(client);
    }
  }
}

export interface ServeOptions {
  /** Per-client (source IP) token bucket; null = no limit. Over it: 429 before the handler runs. */
  rateLimit?: RateLimit | null;
  /** The limiter's clock (tests). */
  clockMs?: () => number;
}

function tooManyRequests(request: IncomingMessage, limiter: ClientRateLimiter, retryAfterSeconds: number): APIGatewayProxyStructuredResultV2 {
  const method = (request.method ?? 'GET').toUpperCase();
  // A browser reading the API from another origin must see the 429 to back off: CORS headers on reads.
  return problemResult(problems.tooManyRequests(retryAfterSeconds, limiter.limit.ratePerSecond, limiter.limit.burst), method, instanceOf(request), true);
}

/**
 * Serves an HTTP API v2 Lambda handler on node:http, the way API Gateway would call it, with a
 * per-client rate limit in front (API Gateway's throttling, locally).
 */
export async function serveApi(
  handler: ApiHandler,
  port: number,
  host = '127.0.0.1',
  options: ServeOptions = {},
): Promise<{ server: Server; url: string }> {
  const limiter = options.rateLimit ? new ClientRateLimiter(options.rateLimit, options.clockMs) : null;
  // Host is checked in the handler, after the body is read: node's own check answers 400 and closes
  // on an unread body, which can reset the client before it reads the answer.
  const server = createServer({ requireHostHeader: false }, (request, response) => {
    const method = (request.method ?? 'GET').toUpperCase();
    void (async () => {
      try {
        const refused = limiter?.take(request.socket.remoteAddress ?? '');
        if (refused) {
          // Read any body before answering (see MAX_DRAINED_BYTES): the client then reads the 429.
          const read = await readBody(request, 0);
          write(response, tooManyRequests(request, limiter!, refused.retryAfterSeconds), method, !isDrained(read));
          return;
        }
        if (request.url === '*' && method === 'OPTIONS') {
          const read = await readBody(request, 0);
          write(response, { statusCode: 204, headers: { allow: 'GET, HEAD, POST, OPTIONS' }, body: '' }, method, !isDrained(read));
          return;
        }
        const read = await readBody(request);
        if ('tooLarge' in read) {
          write(response, problemResult(problems.payloadTooLarge(MAX_BODY_BYTES), method, instanceOf(request), false), method, !read.drained);
          return;
        }
        const body = read.body;
        if (request.httpVersion === '1.1' && request.headers.host === undefined) {
          // node:http would refuse this itself, without reading the body (see createServer below).
          write(response, problemResult(problems.badRequest('an HTTP/1.1 request must carry a Host header (RFC 9112 3.2)'), method, instanceOf(request), false), method);
          return;
        }
        let event: APIGatewayProxyEventV2;
        try {
          event = toEvent(request, body);
        } catch (error) {
          if (!(error instanceof RequestTargetError)) throw error;
          write(response, problemResult(problems.badRequest(error.message), method, '/', false), method);
          return;
        }
        write(response, await handler(event), method);
      } catch (error) {
        if (error instanceof RequestAbortedError || (request.destroyed && !response.headersSent)) return; // the client went away mid-request
        // A defect of this adapter: logged here, never echoed to the client.
        console.error('local HTTP adapter failed on a request', error);
        if (response.headersSent) response.destroy();
        else write(response, problemResult(problems.internal(), method, instanceOf(request), false), method);
      }
    })();
  });
  server.on('clientError', onClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host}:${address.port}` };
}
