import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** An API Gateway HTTP API v2 event, as API Gateway would send it. */
export function httpEvent(
  method: string,
  path: string,
  options: { query?: Record<string, string>; headers?: Record<string, string>; body?: string; iamUserArn?: string } = {},
): APIGatewayProxyEventV2 {
  const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers,
    queryStringParameters: options.query,
    body: options.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'test',
      domainPrefix: 'test',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'req',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
      ...(options.iamUserArn ? { authorizer: { iam: { userArn: options.iamUserArn } } } : {}),
    },
  } as APIGatewayProxyEventV2;
}
