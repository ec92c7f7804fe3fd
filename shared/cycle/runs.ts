import { ulid } from 'ulid';
import type { Run } from '../model/run.js';

export function newRun(input: { trigger: Run['trigger']; requestedBy: string; reason: string | null; assets: string[]; nowMs: number }): Run {
  return {
    id: ulid(input.nowMs),
    trigger: input.trigger,
    requestedBy: input.requestedBy,
    reason: input.reason,
    assets: input.assets,
    status: 'queued',
    createdAtMs: input.nowMs,
    startedAtMs: null,
    finishedAtMs: null,
    recommendations: [],
    proposals: [],
    errors: [],
    assetsTotal: null,
    assetsDone: 0,
  };
}
