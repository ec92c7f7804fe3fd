import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultScript, delay, readBody, type Fault } from './http-faults.js';

/**
 * A webhook receiver on loopback that does what docs/publishing.md tells receivers to do, written
 * independently of shared/governance/webhook.ts (so a bug shared by signer and verifier cannot hide):
 * raw body first; timestamp within the tolerance; HMAC-SHA256 over `<timestamp>.<raw body>`, compared in
 * constant time; then deduplication on Idempotency-Key. Faults are scripted per request.
 */

export interface Delivery {
  idempotencyKey: string;
  timestamp: number;
  body: string;
}

export interface ReceiverOptions {
  secret: string;
  toleranceSeconds?: number;
  /** The receiver's clock, in Unix seconds. */
  nowSeconds?: () => number;
}

export class WebhookReceiver {
  /** Every verified delivery, duplicates included. */
  readonly deliveries: Delivery[] = [];
  /** Deliveries kept: the first per Idempotency-Key. */
  readonly accepted = new Map<string, Delivery & { id: string }>();
  /** Requests refused, with the reason. */
  readonly rejected: { status: number; reason: string }[] = [];
  readonly faults = new FaultScript();
  private server!: Server;
  url = '';

  constructor(private readonly options: ReceiverOptions) {}

  async start(path = '/hooks/advisor'): Promise<this> {
    this.server = createServer((req, res) => {
      void (async () => {
        const raw = await readBody(req);
        const reply = (status: number, body: unknown) => {
          if (res.destroyed) return;
          const text = JSON.stringify(body);
          res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
          res.end(text);
        };
        if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://x').pathname !== path) return reply(404, { error: 'not found' });
        const fault = this.faults.take(req.method, path);
        if (fault?.respond) return reply(fault.respond.status, fault.respond.body ?? {});
        if (fault?.workAfter) await fault.workAfter;

        const signature = req.headers['x-signature'];
        const timestampText = req.headers['x-signature-timestamp'];
        const key = req.headers['idempotency-key'];
        const refuse = (status: number, reason: string) => {
          this.rejected.push({ status, reason });
          reply(status, { error: reason });
        };
        if (typeof signature !== 'string' || typeof timestampText !== 'string' || typeof key !== 'string') return refuse(400, 'missing headers');
        const timestamp = Number(timestampText);
        const now = this.options.nowSeconds?.() ?? Math.floor(Date.now() / 1000);
        if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > (this.options.toleranceSeconds ?? 300)) return refuse(401, 'stale timestamp');
        const expected = Buffer.from(`v1=${createHmac('sha256', this.options.secret).update(`${timestampText}.${raw}`).digest('hex')}`);
        const given = Buffer.from(signature);
        if (expected.length !== given.length || !timingSafeEqual(expected, given)) return refuse(401, 'bad signature');

        const delivery = { idempotencyKey: key, timestamp, body: raw };
        this.deliveries.push(delivery);
        let kept = this.accepted.get(key);
        if (!kept) {
          kept = { ...delivery, id: `rcv-${this.accepted.size + 1}` };
          this.accepted.set(key, kept);
        }
        if (fault?.respondDelayMs) await delay(fault.respondDelayMs);
        if (fault?.respondAfter) await fault.respondAfter;
        if (fault?.after) return reply(fault.after.status, fault.after.body ?? { error: 'boom' });
        reply(200, { id: kept.id });
      })();
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  fault(fault: Fault): void {
    this.faults.add(fault);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
