import type { IncomingMessage } from 'node:http';

/**
 * A scripted fault for a loopback test server: the next `times` requests that `match` misbehave.
 *  - `respond`: answer at once with this status/body/headers, doing nothing (a 429, a 422, a 500 before work);
 *  - `after`: do the work, then answer with this status instead (a 500 after the post was made);
 *  - `workAfter`: do the work only once this promise settles, then answer normally (a request stuck
 *    before the server: the client times out, the work still happens later, as in Rails when the client
 *    hangs up); the test decides the order of events instead of racing timers;
 *  - `respondDelayMs` / `respondAfter`: do the work at once, then answer after this delay / once the
 *    promise settles (the client times out although the work was done);
 *  - `dropAfterWork`: do the work, then close the connection unanswered: the outcome is as unknown to
 *    the client as after a timeout, but no timer decides it (random fault suites use this).
 */
export interface Fault {
  match: (request: { method: string; path: string }) => boolean;
  times?: number;
  respond?: { status: number; body?: unknown; headers?: Record<string, string> };
  after?: { status: number; body?: unknown };
  respondDelayMs?: number;
  workAfter?: Promise<unknown>;
  respondAfter?: Promise<unknown>;
  dropAfterWork?: boolean;
}

export class FaultScript {
  private faults: (Fault & { left: number })[] = [];

  add(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** Takes the first fault that matches, if any. */
  take(method: string, path: string): Fault | null {
    const index = this.faults.findIndex((f) => f.left > 0 && f.match({ method, path }));
    if (index < 0) return null;
    const fault = this.faults[index]!;
    fault.left -= 1;
    if (fault.left <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
