import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** Largest request body accepted locally (API Gateway's limit is 10 MB; ours needs far less). */
const MAX_BODY_BYTES = 1_000_000;

/** Builds the API Gateway HTTP API (payload v2) event for a node:http request. */
export function toEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://local');
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

async function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function write(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const body = result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  response.writeHead(result.statusCode ?? 200, { ...result.headers, 'content-length': String(body.length) } as Record<string, string>);
  response.end(body);
}

/** Serves an HTTP API v2 Lambda handler on node:http, the way API Gateway would call it. */
export async function serveApi(handler: ApiHandler, port: number, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    void (async () => {
      try {
        const body = await readBody(request);
        if (body === null) {
          write(response, {
            statusCode: 413,
            headers: { 'content-type': 'application/problem+json' },
            body: JSON.stringify({ title: 'Payload too large', status: 413, code: 'PAYLOAD_TOO_LARGE', detail: `limit ${MAX_BODY_BYTES} bytes` }),
          });
          return;
        }
        write(response, await handler(toEvent(request, body)));
      } catch (error) {
        write(response, {
          statusCode: 500,
          headers: { 'content-type': 'application/problem+json' },
          body: JSON.stringify({ title: 'Internal error', status: 500, code: 'INTERNAL', detail: (error as Error).message }),
        });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host}:${address.port}` };
}
