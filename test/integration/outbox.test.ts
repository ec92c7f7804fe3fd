import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchOutbox } from '../../shared/governance/outbox.js';
import { LocalOutboxSink, type ProposalSink } from '../../shared/governance/sinks.js';
import type { Proposal } from '../../shared/model/proposal.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { proposal } from '../support/fixtures.js';

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
