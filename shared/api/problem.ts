import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AdvisorError } from '../util/errors.js';

export interface FieldProblem {
  /** Dotted path of the failing field, e.g. `body.assets[1]` or `query.limit`. */
  field: string;
  message: string;
}

/**
 * An HTTP error as RFC 9457 problem details: `type`, `title`, `status`, `detail`, plus `code` (stable,
 * machine-readable) and `errors` (the failing fields) for 400s.
 */
export class HttpProblem extends AdvisorError {
  constructor(
    readonly status: number,
    code: string,
    readonly title: string,
    detail: string,
    readonly errors: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(code, detail, { status, errors });
  }

  toBody(instance: string) {
    return {
      type: `https://leverage-advisor.dev/problems/${this.code.toLowerCase().replace(/_/g, '-')}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      instance,
      code: this.code,
      ...(this.errors.length > 0 ? { errors: this.errors } : {}),
    };
  }
}

export const problems = {
  badRequest: (detail: string, errors: FieldProblem[] = []) => new HttpProblem(400, 'BAD_REQUEST', 'Bad request', detail, errors),
  unauthorized: (detail: string) =>
    new HttpProblem(401, 'UNAUTHORIZED', 'Unauthorized', detail, [], { 'www-authenticate': 'Bearer realm="leverage-advisor"' }),
  notFound: (detail: string) => new HttpProblem(404, 'NOT_FOUND', 'Not found', detail),
  methodNotAllowed: (allowed: string[]) =>
    new HttpProblem(405, 'METHOD_NOT_ALLOWED', 'Method not allowed', `allowed: ${allowed.join(', ')}`, [], { allow: allowed.join(', ') }),
  notAcceptable: (accept: string) =>
    new HttpProblem(406, 'NOT_ACCEPTABLE', 'Not acceptable', `this resource is application/json; the request accepts only ${JSON.stringify(accept)}`),
  /** Over the rate limit: the client may retry after `retryAfterSeconds`. */
  tooManyRequests: (retryAfterSeconds: number, ratePerSecond: number, burst: number) =>
    new HttpProblem(
      429,
      'TOO_MANY_REQUESTS',
      'Too many requests',
      `more than ${ratePerSecond} requests/s (burst ${burst}) from this client; retry after ${retryAfterSeconds} s`,
      [],
      { 'retry-after': String(retryAfterSeconds) },
    ),
  payloadTooLarge: (limitBytes: number) =>
    new HttpProblem(413, 'PAYLOAD_TOO_LARGE', 'Payload too large', `the body is larger than ${limitBytes} bytes`, [], { connection: 'close' }),
  /** The request's head is over the server's header limit (RFC 6585 5). */
  headersTooLarge: () => new HttpProblem(431, 'HEADERS_TOO_LARGE', 'Request header fields too large', 'the request headers are larger than the server accepts', [], { connection: 'close' }),
  /** The request did not arrive in time. */
  requestTimeout: () => new HttpProblem(408, 'REQUEST_TIMEOUT', 'Request timeout', 'the request was not received in time', [], { connection: 'close' }),
  unsupportedMediaType: () => new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 'send the body as application/json'),
  internal: () => new HttpProblem(500, 'INTERNAL', 'Internal error', 'the request could not be completed; it has been logged'),
  /** Temporarily unable (a capacity bound, not this caller's doing): retry after `retryAfterSeconds` when given. */
  unavailable: (detail: string, code = 'UNAVAILABLE', retryAfterSeconds?: number) =>
    new HttpProblem(503, code, 'Service unavailable', detail, [], retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }),
  /** This caller's own budget of an operation is spent (not the per-client request rate above). */
  callerRateLimited: (detail: string, code: string, retryAfterSeconds: number) =>
    new HttpProblem(429, code, 'Too many requests', detail, [], { 'retry-after': String(retryAfterSeconds) }),
};

/** A problem as an HTTP answer (RFC 9457 problem+json, never cached); `extraHeaders` such as CORS. */
export function problemResultOf(problem: HttpProblem, path: string, extraHeaders: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 & { headers: Record<string, string>; body: string } {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store', ...problem.headers, ...extraHeaders },
    body: JSON.stringify(problem.toBody(path)),
  };
}
