import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchOutbox, type DispatchResult } from '../../shared/governance/outbox.js';
import { LocalOutboxSink, type ProposalSink } from '../../shared/governance/sinks.js';
import type { Proposal } from '../../shared/model/proposal.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { proposal } from '../support/fixtures.js';
import { forumProposal } from '../support/publish-fixtures.js';
import { freshStore } from '../support/publish-table.js';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table?.stop();
});

class FlakySink implements ProposalSink {
  readonly target = 'flaky';
  readonly isPublic: boolean;
  sends: string[] = [];
  constructor(
    private failuresLeft: number,
    isPublic = false,
  ) {
    this.isPublic = isPublic;
  }
  async send(p: Proposal) {
    this.sends.push(p.id);
    if (this.failuresLeft-- > 0) throw new Error('forum down (503)');
    return { externalRef: `post-${p.id}` };
  }
}

describe('outbox dispatch', () => {
  it('writes each pending proposal to the local outbox once, then nothing is pending', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    await table.store.proposals.createPending(proposal({ id: 'local-a', markdown: '# A\n' }));
    await table.store.proposals.createPending(proposal({ id: 'local-b', markdown: '# B\n' }));
    const sink = new LocalOutboxSink(dir);
    const first = await dispatchOutbox({ store: table.store, sink, maxAttempts: 3, now: () => 5 });
    expect(first.sent.sort()).toEqual(['local-a', 'local-b']);
    expect(readdirSync(dir).sort()).toEqual(['local-a.md', 'local-b.md']);
    expect(readFileSync(join(dir, 'local-a.md'), 'utf8')).toBe('# A\n');
    const second = await dispatchOutbox({ store: table.store, sink, maxAttempts: 3, now: () => 6 });
    expect(second.sent).toEqual([]);
    expect(await table.store.proposals.get('local-a')).toMatchObject({ status: 'sent', externalRef: join(dir, 'local-a.md') });
  });

  it('a failing target keeps the proposal pending and retries it; after the maximum it is failed with the error', async () => {
    await table.store.proposals.createPending(proposal({ id: 'flaky-1' }));
    const sink = new FlakySink(1);
    const first = await dispatchOutbox({ store: table.store, sink, maxAttempts: 3, now: () => 1 });
    expect(first.retrying).toEqual(['flaky-1']);
    const second = await dispatchOutbox({ store: table.store, sink, maxAttempts: 3, now: () => 2 });
    expect(second.sent).toEqual(['flaky-1']);
    expect(sink.sends).toEqual(['flaky-1', 'flaky-1']);

    await table.store.proposals.createPending(proposal({ id: 'dead-1' }));
    const dead = new FlakySink(99);
    for (let i = 0; i < 3; i++) await dispatchOutbox({ store: table.store, sink: dead, maxAttempts: 3, now: () => 3 });
    expect(await table.store.proposals.get('dead-1')).toMatchObject({ status: 'failed', attempts: 3, lastError: 'forum down (503)' });
    expect((await dispatchOutbox({ store: table.store, sink: dead, maxAttempts: 3, now: () => 4 })).sent).toEqual([]);
    expect(dead.sends).toEqual(['dead-1', 'dead-1', 'dead-1']);
  });

  it('simulated proposals are never sent to a public target', async () => {
    await table.store.proposals.createPending(proposal({ id: 'sim-1', simulated: true }));
    const sink = new FlakySink(0, true);
    const result = await dispatchOutbox({ store: table.store, sink, maxAttempts: 3, now: () => 1 });
    expect(result.heldBack).toContain('sim-1');
    expect(sink.sends).not.toContain('sim-1');
    expect((await table.store.proposals.get('sim-1'))?.status).toBe('pending');
  });
});

/** A local (non-public) sink whose every send is decided by the test. */
class ScriptedSink implements ProposalSink {
  readonly target = 'scripted';
  readonly isPublic = false;
  readonly sends: string[] = [];
  constructor(private readonly onSend: (p: Proposal) => Promise<{ externalRef: string }>) {}
  send(p: Proposal) {
    this.sends.push(p.id);
    return this.onSend(p);
  }
}

describe('outbox leases', () => {
  const LEASE_MS = 60_000;

  it.each(['fails', 'succeeds'] as const)(
    "a dispatcher whose lease ran out mid-send (its send %s) changes nothing: the one that took over finishes, the first goes on with the others",
    async (outcome) => {
      const { store, dispose } = await freshStore(table.dynamo.endpoint);
      try {
        let nowMs = 1_000_000;
        const now = () => nowMs;
        await store.proposals.createPending(forumProposal('lease-1', ['BTC'], { createdAtMs: 1 }));
        await store.proposals.createPending(forumProposal('lease-2', ['ETH'], { createdAtMs: 2 }));
        let bEntered!: () => void;
        const bSending = new Promise<void>((resolve) => (bEntered = resolve));
        let releaseB!: () => void;
        const bGate = new Promise<void>((resolve) => (releaseB = resolve));
        const sinkB = new ScriptedSink(async (p) => {
          if (p.id === 'lease-1') {
            bEntered();
            await bGate;
          }
          return { externalRef: `b:${p.id}` };
        });
        let dispatchB: Promise<DispatchResult> | undefined;
        const sinkA = new ScriptedSink(async (p) => {
          if (p.id === 'lease-1') {
            // A stalls past its lease; B takes the proposal over and is sending it.
            nowMs += LEASE_MS + 1;
            dispatchB = dispatchOutbox({ store, sink: sinkB, owner: 'B', leaseMs: LEASE_MS, maxAttempts: 3, now });
            await bSending;
            if (outcome === 'fails') throw new Error('forum down (503)');
          }
          return { externalRef: `a:${p.id}` };
        });
        const a = await dispatchOutbox({ store, sink: sinkA, owner: 'A', leaseMs: LEASE_MS, maxAttempts: 3, now });
        expect(a.leaseLost).toEqual(['lease-1']);
        expect(a.errors.filter((e) => e.id === 'lease-1').map((e) => e.message)).toContainEqual(expect.stringMatching(/LEASE|lease/));
        expect(a.sent).toEqual(['lease-2']);
        // B's lease and the attempt count are untouched by A.
        expect(await store.proposals.get('lease-1')).toMatchObject({ status: 'pending', attempts: 0, leaseOwner: 'B' });
        releaseB();
        const b = await dispatchB!;
        expect(b.sent).toEqual(['lease-1']);
        expect(await store.proposals.get('lease-1')).toMatchObject({ status: 'sent', externalRef: 'b:lease-1', attempts: 1 });
        expect(await store.proposals.get('lease-2')).toMatchObject({ status: 'sent', externalRef: 'a:lease-2' });
      } finally {
        dispose();
      }
    },
  );
});

describe('superseded proposals', () => {
  it('of two pending proposals for one market and asset set from two runs, only the newer run\'s is sent; the older ends superseded', async () => {
    const { store, dispose } = await freshStore(table.dynamo.endpoint);
    try {
      const t0 = 1_750_000_000_000;
      // The older run was interrupted and closed late: its proposal is stored after the newer run's.
      const older = forumProposal('mkt-older', ['BTC', 'ETH'], { runId: ulid(t0), createdAtMs: t0 + 600_000 });
      const newer = forumProposal('mkt-newer', ['ETH', 'BTC'], { runId: ulid(t0 + 60_000), createdAtMs: t0 + 300_000 });
      const otherSet = forumProposal('mkt-other', ['UNI'], { runId: ulid(t0), createdAtMs: t0 + 600_001 });
      await store.proposals.createPending(newer);
      await store.proposals.createPending(older);
      await store.proposals.createPending(otherSet);
      const sink = new ScriptedSink(async (p) => ({ externalRef: `ref:${p.id}` }));
      const result = await dispatchOutbox({ store, sink, maxAttempts: 3, now: () => t0 + 700_000 });
      expect(result.sent.sort()).toEqual(['mkt-newer', 'mkt-other']);
      expect(result.superseded).toEqual(['mkt-older']);
      expect(sink.sends).not.toContain('mkt-older');
      expect(await store.proposals.get('mkt-older')).toMatchObject({ status: 'superseded', supersededBy: 'mkt-newer', externalRef: null });
      expect(await store.proposals.listPending()).toEqual([]);
    } finally {
      dispose();
    }
  });

  it('an older run\'s proposal stored after the newer one was already sent is superseded, not sent', async () => {
    const { store, dispose } = await freshStore(table.dynamo.endpoint);
    try {
      const t0 = 1_750_000_000_000;
      const sink = new ScriptedSink(async (p) => ({ externalRef: `ref:${p.id}` }));
      await store.proposals.createPending(forumProposal('late-newer', ['SOL'], { runId: ulid(t0 + 60_000), createdAtMs: t0 + 100_000 }));
      expect((await dispatchOutbox({ store, sink, maxAttempts: 3, now: () => t0 + 200_000 })).sent).toEqual(['late-newer']);
      await store.proposals.createPending(forumProposal('late-older', ['SOL'], { runId: ulid(t0), createdAtMs: t0 + 300_000 }));
      const second = await dispatchOutbox({ store, sink, maxAttempts: 3, now: () => t0 + 400_000 });
      expect(second).toMatchObject({ sent: [], superseded: ['late-older'] });
      expect(await store.proposals.get('late-older')).toMatchObject({ status: 'superseded', supersededBy: 'late-newer' });
    } finally {
      dispose();
    }
  });
});
