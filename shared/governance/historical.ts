import type { Proposal } from '../model/proposal.js';
import { DeliveryError } from './errors.js';
import type { ProposalSink } from './sinks.js';

/**
 * A historical proposal (drafted from replayed recordings) reached a public target with nowhere local to
 * go: refused for good, so it fails with this message instead of reaching the forum.
 */
export class HistoricalNotPublishedError extends DeliveryError {
  constructor(proposalId: string, target: string) {
    super('rejected', `proposal ${proposalId} was drafted from replayed history: not sent to ${target} (set ADVISOR_PUBLISH_HISTORICAL=true to allow it, or ADVISOR_OUTBOX_DIR to keep it locally)`, {
      target,
      proposalId,
    });
  }
}

/**
 * Wraps the public target: live proposals go through, historical ones go to the local outbox (or are
 * refused when there is none). Per proposal, so one drafted by an earlier replaying process and still
 * pending is caught too. Keeps the wrapped target's name, which is what proposals record.
 */
export class HistoricalGuardSink implements ProposalSink {
  readonly target: string;
  readonly isPublic: boolean;

  constructor(
    readonly publicSink: ProposalSink,
    private readonly local: ProposalSink | null,
  ) {
    this.target = publicSink.target;
    this.isPublic = publicSink.isPublic;
  }

  async send(proposal: Proposal): Promise<{ externalRef: string }> {
    if (proposal.historical !== true) return this.publicSink.send(proposal);
    if (this.local && !this.local.isPublic) return this.local.send(proposal);
    throw new HistoricalNotPublishedError(proposal.id, this.publicSink.target);
  }
}
