import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import type { ZodError, ZodType } from 'zod';
import { formatPath } from '../util/field-path.js';
import { problems, type FieldProblem } from './problem.js';

/** What a route sees of a request, what it answers, and the request parsing every route shares. */

export interface Request {
  event: APIGatewayProxyEventV2;
  params: Record<string, string>;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (request: Request) => Promise<Reply>;

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: RouteHandler;
  /**
   * `cycle`: its 200s may be answered from the response memo (reads whose data changes once per
   * cycle); `static`: rendered once per process (the OpenAPI document).
   */
  memo?: 'cycle' | 'static';
}

export function fieldProblems(error: ZodError, prefix: string): FieldProblem[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: formatPath([prefix, ...issue.path, key]), message: 'unknown parameter' }))
      : [{ field: formatPath([prefix, ...issue.path]), message: issue.message }],
  );
}

export function parseQuery<S extends ZodType>(schema: S, event: APIGatewayProxyEventV2): z.output<S> {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw problems.badRequest('invalid query parameters', fieldProblems(parsed.error, 'query'));
  return parsed.data;
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
const JSON_CONTENT_TYPE = /^\s*application\/json\s*(;|$)/i;

export function parseJsonBody(event: APIGatewayProxyEventV2): unknown {
  const contentType = event.headers?.['content-type'];
  // A body must say it is JSON (no sniffing); no body needs no content type, but a declared one must be JSON.
  if (contentType !== undefined ? !JSON_CONTENT_TYPE.test(contentType) : Boolean(event.body)) throw problems.unsupportedMediaType();
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw problems.badRequest(`the body is not valid JSON: ${(error as Error).message}`, [{ field: 'body', message: 'invalid JSON' }]);
  }
}

/** The memo key of a read: its path and its query, parameters sorted. */
export function memoKey(path: string, event: APIGatewayProxyEventV2): string {
  const query = Object.entries(event.queryStringParameters ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return query.length === 0 ? path : `${path}?${new URLSearchParams(query).toString()}`;
}

export const isReadMethod = (method: string) => method === 'GET' || method === 'HEAD';
