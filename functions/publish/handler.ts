import type { Context } from 'aws-lambda';
import { depsFromEnvironment, type HandlerDeps } from '../../shared/cycle/deps.js';
import type { PublishEvent } from '../../shared/cycle/invoker.js';
import { dispatchOutbox } from '../../shared/governance/outbox.js';

/** Scheduled, and started after each run that made proposals: sends the outbox's pending proposals. */
export function createPublishHandler(deps: () => HandlerDeps) {
  return async (_event: PublishEvent | undefined, context?: Context) => {
    const d = deps();
    d.logger.addContext(context ?? ({} as Context));
    if (!d.sink) {
      const pending = await d.store.proposals.listPending();
      if (pending.length > 0) d.logger.warn('no publish target configured; proposals stay pending', { pending: pending.length });
      return { sent: [], failed: [], retrying: [], heldBack: [], pending: pending.length };
    }
    const result = await dispatchOutbox({ store: d.store, sink: d.sink, maxAttempts: d.maxPublishAttempts, now: d.now });
    if (result.heldBack.length > 0) d.logger.warn('simulated proposals held back from a public target', { ids: result.heldBack });
    d.logger.info('outbox dispatched', { ...result });
    return result;
  };
}

export const handler = createPublishHandler(depsFromEnvironment);
