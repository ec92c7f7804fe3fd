import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import { FunctionNameMissingError, NoSnapshotError, ProfileKindMismatchError, RunNotFoundError } from '../../../shared/cycle/errors.js';
import { LambdaInvoker } from '../../../shared/cycle/invoker.js';
import { planRun, type PlanDeps } from '../../../shared/cycle/plan.js';
import type { Store } from '../../../shared/store/index.js';
import { AdvisorError } from '../../../shared/util/errors.js';

/** The cycle's refusals are named errors carrying the data that caused them. */
describe('cycle errors', () => {
  it('planning a run the store does not hold is a RunNotFoundError naming it', async () => {
    const deps = {
      config: buildConfig(),
      store: { runs: { get: async () => null } } as unknown as Store,
      invoker: { async invoke() {} },
      queue: { async send() {} },
      logger: new Logger({ logLevel: 'SILENT' }),
      now: () => 0,
    } as unknown as PlanDeps;
    const error = await planRun(deps, 'run-missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunNotFoundError);
    expect(error).toMatchObject({ code: 'RUN_NOT_FOUND', runId: 'run-missing', details: { runId: 'run-missing' }, message: 'run run-missing does not exist' });
  });

  it('invoking a role without a function name is a FunctionNameMissingError naming the role, before any AWS call', async () => {
    const error = await new LambdaInvoker({ plan: 'advisor-plan', finalize: undefined, publish: undefined }).invoke('finalize', { runId: 'r' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FunctionNameMissingError);
    expect(error).toMatchObject({ code: 'FUNCTION_NAME_MISSING', role: 'finalize', details: { role: 'finalize' } });
  });

  it('a missing snapshot and a kind mismatch carry the asset and the kinds', () => {
    const noSnapshot = new NoSnapshotError('BTC');
    expect(noSnapshot).toBeInstanceOf(AdvisorError);
    expect(noSnapshot).toMatchObject({ name: 'NoSnapshotError', code: 'NO_SNAPSHOT', asset: 'BTC', details: { asset: 'BTC' }, message: 'no market snapshot for BTC' });
    const mismatch = new ProfileKindMismatchError('hl', 'perp', 'lending');
    expect(mismatch).toMatchObject({
      code: 'PROFILE_KIND_MISMATCH',
      details: { profileId: 'hl', profileKind: 'perp', computedKind: 'lending' },
      message: 'profile hl is perp but parameters came out lending',
    });
  });
});
