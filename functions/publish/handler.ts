import type { Context } from 'aws-lambda';
import { publishDepsFromEnvironment, type PublishDeps } from '../../shared/cycle/publish-deps.js';
import type { PublishEvent } from '../../shared/cycle/invoker.js';
import { dispatchOutbox } from '../../shared/governance/outbox.js';

/**
 * Time kept back from the Lambda's deadline: no send starts later than this before it, so the function
 * is not killed mid-send (a kill would be safe, only slower: the lease must run out first).
 */
export const DEADLINE_RESERVE_MS = 20_000;

/** Scheduled, and started after each run that made proposals: sends the outbox's pending proposals. */
export function createPublishHandler(deps: () => PublishDeps) {
  return async (_event: PublishEvent | undefined, context?: Context) => {
    const d = deps();
    d.logger.addContext(context ?? ({} as Context));
    if (!d.sink) {
      const pending = await d.store.proposals.listPending();
      if (pending.length > 0) d.logger.warn('no publish target configured; proposals stay pending', { pending: pending.length });
      return { sent: [], failed: [], retrying: [], heldBack: [], deferred: [], busy: [], unconfirmed: [], superseded: [], leaseLost: [], errors: [], pending: pending.length };
    }
    const remainingMs = context?.getRemainingTimeInMillis?.();
    const result = await dispatchOutbox({
      store: d.store,
      sink: d.sink,
      simulatedSink: d.simulatedSink,
      maxAttempts: d.maxPublishAttempts,
      now: d.now,
      leaseMs: d.env.ADVISOR_PUBLISH_LEASE_MS,
      ...(remainingMs !== undefined ? { deadlineMs: d.now() + remainingMs - DEADLINE_RESERVE_MS } : {}),
    });
    if (result.heldBack.length > 0) d.logger.warn('simulated proposals held back from a public target', { ids: result.heldBack });
    // Messages are built by the targets without headers or secrets (shared/governance/http.ts).
    for (const { id, message } of result.errors) d.logger.warn('proposal not delivered', { id, target: d.sink.target, error: message });
    d.logger.info('outbox dispatched', {
      target: d.sink.target,
      sent: result.sent,
      failed: result.failed,
      retrying: result.retrying,
      deferred: result.deferred,
      busy: result.busy,
      unconfirmed: result.unconfirmed,
      superseded: result.superseded,
      leaseLost: result.leaseLost,
      heldBack: result.heldBack.length,
    });
    return result;
  };
}

export const handler = createPublishHandler(publishDepsFromEnvironment);
