import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecomputeRequestError, regionOfApiUrl, signRecompute } from '../../infra/tools/recompute.js';

const run = promisify(execFile);
/** AWS's documentation example key pair: not a real credential. */
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

async function curlSupportsSigV4(): Promise<boolean> {
  try {
    const { stdout } = await run('curl', ['--help', 'all']);
    return stdout.includes('--aws-sigv4');
  } catch {
    return false;
  }
}
const hasCurl = await curlSupportsSigV4();

/** x-amz-date (20261125T150113Z) as a Date. */
function amzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new Error(`bad x-amz-date ${value}`);
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

describe('the SigV4 recompute example (infra/tools/recompute.ts)', () => {
  let server: ReturnType<typeof createServer>;
  let apiUrl: string;
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the region from the API URL, and refuses a URL that is not API Gateway', () => {
    expect(regionOfApiUrl('https://abc123.execute-api.eu-west-1.amazonaws.com/')).toBe('eu-west-1');
    expect(() => regionOfApiUrl('https://example.org/')).toThrow(RecomputeRequestError);
  });

  it.skipIf(!hasCurl)('signs exactly as curl --aws-sigv4 does (the other recipe in docs/deploy.md)', async () => {
    const request = { assets: ['BTC', 'ETH'], reason: 'vol spike' };
    await run('curl', [
      '-s',
      '--aws-sigv4',
      'aws:amz:us-east-1:execute-api',
      '--user',
      `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`,
      '-H',
      'content-type: application/json',
      '-d',
      JSON.stringify(request),
      `${apiUrl}v1/recompute`,
    ]);
    const fromCurl = received.at(-1)!;
    const ours = await signRecompute({ apiUrl, ...request }, CREDENTIALS, {
      region: 'us-east-1',
      signingDate: amzDate(String(fromCurl.headers['x-amz-date'])),
    });
    expect(ours.body).toBe(fromCurl.body);
    expect(ours.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/execute-api\/aws4_request, /);
    expect(ours.headers.authorization).toBe(fromCurl.headers.authorization);
  });

  it('signs the body and the session token, so neither can be swapped', async () => {
    const signingDate = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const sign = (reason: string, sessionToken?: string) =>
      signRecompute({ apiUrl, reason }, { ...CREDENTIALS, ...(sessionToken ? { sessionToken } : {}) }, { region: 'us-east-1', signingDate });
    const [a, b, withToken] = await Promise.all([sign('a'), sign('b'), sign('a', 'token')]);
    expect(a.headers.authorization).not.toBe(b.headers.authorization);
    expect(withToken.headers['x-amz-security-token']).toBe('token');
    expect(withToken.headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,');
  });
});
