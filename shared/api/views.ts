import type * as z from 'zod';
import type { Proposal } from '../model/proposal.js';
import type { proposalSummarySchema } from './schemas.js';

export type ProposalSummary = z.infer<typeof proposalSummarySchema>;

/**
 * The http(s) URLs in a proposal's `externalRef` (space-separated targets: an outbox path, a forum post
 * URL, `webhook:<id>`), each once, in order. Anything else is not a link a reader can follow.
 */
export function proposalLinks(externalRef: string | null): string[] {
  if (!externalRef) return [];
  const links: string[] = [];
  for (const token of externalRef.split(/\s+/)) {
    if (!/^https?:\/\//i.test(token)) continue;
    try {
      const href = new URL(token).href;
      if (!links.includes(href)) links.push(href);
    } catch {
      // not a URL after all: leave it out
    }
  }
  return links;
}

/** An absolute file path (POSIX or Windows): where the local outbox wrote a proposal on this machine. */
const ABSOLUTE_PATH = /^(?:\/|[A-Za-z]:[\\/])/;

/**
 * `externalRef` as the API shows it: a local outbox file becomes `outbox/<file name>`, so the response
 * names no path of the server's file system; URLs and `webhook:<id>` stay as they are.
 */
export function publicExternalRef(externalRef: string | null): string | null {
  if (!externalRef) return externalRef;
  return externalRef
    .split(/\s+/)
    .map((token) => (ABSOLUTE_PATH.test(token) ? `outbox/${token.split(/[\\/]/).pop()}` : token))
    .join(' ');
}

/** A proposal as the list shows it: no Markdown body, lease or error internals. */
export function proposalSummary(proposal: Proposal): ProposalSummary {
  return {
    id: proposal.id,
    profileId: proposal.profileId,
    runId: proposal.runId,
    createdAtMs: proposal.createdAtMs,
    simulated: proposal.simulated,
    historical: proposal.historical === true,
    title: proposal.title,
    status: proposal.status,
    target: proposal.target,
    externalRef: publicExternalRef(proposal.externalRef),
    links: proposalLinks(proposal.externalRef),
    sentAtMs: proposal.sentAtMs,
    changes: proposal.changes,
  };
}
