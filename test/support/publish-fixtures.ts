import type { RetryPolicy } from '../../shared/governance/http.js';
import type { ParameterChange, Proposal } from '../../shared/model/proposal.js';
import { proposal } from './fixtures.js';
import { delay } from './http-faults.js';

/** A proposal of real (not simulated) data changing the liquidation threshold of each asset. */
export function forumProposal(id: string, assets: string[], overrides: Partial<Proposal> = {}): Proposal {
  const changes: ParameterChange[] = assets.map((asset) => ({
    asset,
    parameter: 'liquidationThresholdBps',
    current: 7800,
    recommended: 7750,
    target: 7500,
    unit: 'bps',
    status: 'bounded-needs-vote',
    stress: false,
    reason: `LT for ${asset}`,
    guardRail: 'bounded step',
  }));
  const title = `Aave v3 Ethereum: ${assets.length} parameter change${assets.length === 1 ? '' : 's'} for ${assets.join(', ')}`;
  return proposal({
    id,
    runId: id.toUpperCase(),
    simulated: false,
    title,
    markdown: `# ${title}\n\n## Summary\n\nProposal ${id} changes ${assets.join(', ')}.\n`,
    changes,
    target: 'discourse',
    createdAtMs: Date.now() - 1_000,
    ...overrides,
  });
}

/**
 * A virtual clock shared by the client's retry sleeps, the fake forum and the dispatcher: a 3 s
 * rate-limit wait passes in a millisecond of real time, and the forum can still check it was honoured.
 */
export class TestClock {
  offsetMs = 0;
  readonly sleeps: number[] = [];

  now = (): number => Date.now() + this.offsetMs;

  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.offsetMs += ms;
    await delay(1);
  };

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * The request timeout of publishing tests. No loopback answer comes near it even on a loaded CI machine
 * (250 ms timed out healthy requests under CPU load). A test of the timeout itself makes the server hang
 * until the test releases it, so nothing races: such a test just waits this long.
 */
export const PUBLISH_TEST_TIMEOUT_MS = 2_000;

/** Fast retries on the test clock: 3 tries, 40 ms backoff base, PUBLISH_TEST_TIMEOUT_MS per request. */
export function testPolicy(clock: TestClock, overrides: Partial<RetryPolicy> = {}): Partial<RetryPolicy> {
  return {
    attempts: 3,
    timeoutMs: PUBLISH_TEST_TIMEOUT_MS,
    baseBackoffMs: 40,
    maxBackoffMs: 160,
    maxRateLimitWaitMs: 10_000,
    random: () => 0.5,
    sleep: clock.sleep,
    ...overrides,
  };
}
