/**
 * Calls the IAM-protected `POST /v1/recompute` of a deployed stage, SigV4-signed with your AWS
 * credentials (the default chain: env, profile, SSO, instance role):
 *
 *   npx tsx infra/tools/recompute.ts <ApiUrl output> [--assets BTC,ETH] [--reason "vol spike"]
 *
 * The caller needs `execute-api:Invoke` on the route (docs/deploy.md shows the policy).
 */
import { createHash, createHmac, type BinaryLike } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import { AdvisorError } from '../../shared/util/errors.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface RecomputeRequest {
  /** The stack's ApiUrl output, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/ */
  apiUrl: string;
  assets?: string[];
  reason?: string;
}

export interface SignedRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

export class RecomputeRequestError extends AdvisorError {}

/** The service name API Gateway checks in the signature's scope. */
const EXECUTE_API = 'execute-api';

const toBinary = (data: string | ArrayBuffer | ArrayBufferView): BinaryLike =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** `sha256` for SignatureV4 from node:crypto (an HMAC when given a key). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', toBinary(secret)) : createHash('sha256');
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

/** The region is in the API's host name: <id>.execute-api.<region>.amazonaws.com. */
export function regionOfApiUrl(apiUrl: string): string {
  const match = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(apiUrl).hostname);
  if (!match) throw new RecomputeRequestError('NOT_AN_API_URL', `${apiUrl} is not an API Gateway URL (<id>.execute-api.<region>.amazonaws.com)`, { apiUrl });
  return match[1]!;
}

/** The signed request: every header it carries is signed (host, content-type, x-amz-date, the session token). */
export async function signRecompute(
  request: RecomputeRequest,
  credentials: AwsCredentials,
  options: { region?: string; signingDate?: Date } = {},
): Promise<SignedRequest> {
  const url = new URL('v1/recompute', request.apiUrl.endsWith('/') ? request.apiUrl : `${request.apiUrl}/`);
  const body = JSON.stringify({ ...(request.assets ? { assets: request.assets } : {}), ...(request.reason ? { reason: request.reason } : {}) });
  const signer = new SignatureV4({
    service: EXECUTE_API,
    region: options.region ?? regionOfApiUrl(request.apiUrl),
    credentials,
    sha256: NodeSha256,
    // API Gateway does not need x-amz-content-sha256 (S3 does); the body's hash is in the signature anyway.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    },
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  return { url: url.toString(), method: 'POST', headers: signed.headers as Record<string, string>, body };
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { assets: { type: 'string' }, reason: { type: 'string' } },
  });
  const [apiUrl] = positionals;
  if (!apiUrl) throw new RecomputeRequestError('USAGE', 'usage: recompute.ts <ApiUrl> [--assets BTC,ETH] [--reason text]');
  // Any SDK client resolves the default credential chain; this one is already a dependency.
  const credentials = await new LambdaClient({ region: regionOfApiUrl(apiUrl) }).config.credentials();
  const signed = await signRecompute(
    { apiUrl, ...(values.assets ? { assets: values.assets.split(',') } : {}), ...(values.reason ? { reason: values.reason } : {}) },
    credentials,
  );
  const response = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });
  console.log(response.status, await response.text());
  if (!response.ok) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: Error) => {
    console.error(`error: ${error.message}`);
    process.exit(1);
  });
}
