import { connect } from 'node:net';

/** What came back for one raw request: the status, or why there was none. */
export type RawOutcome = { status: number; head: string } | { status: null; reason: 'timeout' | 'closed' | 'error'; message: string };

/**
 * Sends bytes as they are over a new TCP connection to 127.0.0.1 and reads the status line of the
 * answer. Raw so that targets like `//%zz` or `//[` reach the server unchanged (fetch would normalise
 * or refuse them). The request should say `Connection: close`; the answer is complete when the server
 * closes, or the time is up.
 */
export function rawRequest(port: number, bytes: Buffer, timeoutMs: number): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let settled = false;
    const finish = (outcome: RawOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    // The final answer: interim 1xx heads (100 Continue) come first and are skipped.
    const parsed = (): RawOutcome | null => {
      for (const match of received.matchAll(/(?:^|\r\n\r\n)HTTP\/1\.[01] (\d{3})[^\r]*/g)) {
        const status = Number(match[1]);
        if (status >= 200 || status < 100) return { status, head: match[0].trim() };
      }
      return null;
    };
    const timer = setTimeout(() => finish(parsed() ?? { status: null, reason: 'timeout', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      // Only the head matters; stop collecting after it so a large body costs nothing.
      if (received.length < 16_384) received += chunk;
    });
    socket.on('end', () => finish(parsed() ?? { status: null, reason: 'closed', message: `closed without a status line (${JSON.stringify(received.slice(0, 60))})` }));
    socket.on('close', () => finish(parsed() ?? { status: null, reason: 'closed', message: 'closed without an answer' }));
    socket.on('error', (error) => finish(parsed() ?? { status: null, reason: 'error', message: error.message }));
    socket.write(bytes);
  });
}

/** Builds a raw HTTP/1.x request; Content-Length is set from the body unless a header gives it. */
export function buildRequest(input: {
  method: string;
  target: string;
  version?: '1.0' | '1.1';
  headers: [string, string][];
  body?: Buffer;
}): Buffer {
  const lines = [`${input.method} ${input.target} HTTP/${input.version ?? '1.1'}`];
  const names = new Set(input.headers.map(([name]) => name.toLowerCase()));
  for (const [name, value] of input.headers) lines.push(`${name}: ${value}`);
  if (input.body && !names.has('content-length') && !names.has('transfer-encoding')) lines.push(`Content-Length: ${input.body.length}`);
  if (!names.has('connection')) lines.push('Connection: close');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return input.body ? Buffer.concat([head, input.body]) : head;
}
