import { timingSafeEqual, createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { problems } from './problem.js';

export type AuthMode = { kind: 'token'; token: string } | { kind: 'iam' };

function sameSecret(a: string, b: string): boolean {
  // Hash both sides so the comparison is constant-time whatever the lengths.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Who is calling a write endpoint, or a 401. Locally: `Authorization: Bearer <token>`. In the cloud
 * the HTTP API's IAM authorizer has already verified the SigV4 signature; the caller's ARN is in the
 * request context, and a request without it never passed the authorizer.
 */
export function authenticate(event: APIGatewayProxyEventV2, mode: AuthMode): string {
  if (mode.kind === 'iam') {
    const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam;
    if (!iam?.userArn) throw problems.unauthorized('this endpoint needs a SigV4-signed request (IAM)');
    return iam.userArn;
  }
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  if (!header) throw problems.unauthorized('missing Authorization header: send "Authorization: Bearer <token>"');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw problems.unauthorized('malformed Authorization header: expected "Bearer <token>"');
  if (!sameSecret(match[1]!, mode.token)) throw problems.unauthorized('invalid token');
  return 'token';
}
