import { describe, expect, it } from 'vitest';
import { INVARIANTS, allViolations, type StoredState } from '../../scripts/chaos/invariants.js';

/** The fault suite's invariant checks over hand-made stored states: each one must be able to fail. */
const RUN_A = '01M8V6QJ3ETYNRKQYBDWXG79QS';
const RUN_B = '01M8V6R1JRHX9BWH1X17XVW3YA';

function healthy(): StoredState {
  return {
    recommendations: new Map([['BTC|perp-dex', { versions: [1, 2], latest: 2 }]]),
    runs: new Map([
      [RUN_A, { id: RUN_A, status: 'succeeded', trigger: 'schedule', createdAtMs: 1_000, finishedAtMs: 2_000, assetsTotal: 1, assetsDone: 1, recommendations: [{ asset: 'BTC', profileId: 'perp-dex', version: 1 }] }],
      [RUN_B, { id: RUN_B, status: 'succeeded', trigger: 'adhoc', createdAtMs: 3_000, finishedAtMs: 4_000, assetsTotal: 1, assetsDone: 1, recommendations: [{ asset: 'BTC', profileId: 'perp-dex', version: 2 }] }],
    ]),
    proposals: new Map([[`perp-dex-${RUN_A.toLowerCase()}`, { id: `perp-dex-${RUN_A.toLowerCase()}`, profileId: 'perp-dex', runId: RUN_A, status: 'sent', sentAtMs: 2_500, assets: ['BTC'] }]]),
    outbox: [{ file: `perp-dex-${RUN_A.toLowerCase()}.md`, id: `perp-dex-${RUN_A.toLowerCase()}`, profileId: 'perp-dex', runId: RUN_A, part: null, mtimeMs: 2_500 }],
  };
}

const checksOf = (state: StoredState) => allViolations(state).map((v) => v.check);

describe('fault suite invariants', () => {
  it('a consistent state has no violation', () => {
    expect(allViolations(healthy())).toEqual([]);
  });

  it('a version newer than its LATEST pointer, and a gap in the versions', () => {
    const state = healthy();
    state.recommendations.set('BTC|perp-dex', { versions: [1, 3], latest: 1 });
    expect(checksOf(state)).toEqual([INVARIANTS.pointer, INVARIANTS.contiguous]);
  });

  it('a run left running, and a run succeeded with assets missing', () => {
    const state = healthy();
    state.runs.set(RUN_A, { ...state.runs.get(RUN_A)!, status: 'running' });
    state.runs.set(RUN_B, { ...state.runs.get(RUN_B)!, assetsTotal: 8, assetsDone: 4 });
    expect(checksOf(state)).toEqual([INVARIANTS.runsClosed, INVARIANTS.partial]);
  });

  it('a proposal sent after a newer run for the same market finished is superseded', () => {
    const state = healthy();
    const id = `perp-dex-${RUN_A.toLowerCase()}`;
    state.proposals.set(id, { ...state.proposals.get(id)!, sentAtMs: 5_000 });
    expect(checksOf(state)).toEqual([INVARIANTS.superseded]);
  });

  it('two proposals for one (market, run) that are not the parts of one split are duplicates', () => {
    const state = healthy();
    const base = state.outbox[0]!;
    state.outbox.push({ ...base, file: base.file.replace('.md', '-1of2.md'), id: `${base.id}-1of2`, part: { index: 1, count: 2 } });
    expect(checksOf(state)).toEqual([INVARIANTS.duplicate]);
    state.outbox.splice(0, 1, { ...base, file: base.file.replace('.md', '-2of2.md'), id: `${base.id}-2of2`, part: { index: 2, count: 2 } });
    expect(checksOf(state)).toEqual([]);
  });
});
