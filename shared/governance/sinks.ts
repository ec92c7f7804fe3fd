import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Proposal } from '../model/proposal.js';
import { NoSinkTargetsError } from './errors.js';
import { TARGET_NAMES, combinedTargetName } from './targets.js';

/**
 * Where proposals go: a local folder (LocalOutboxSink), a Discourse forum (discourse.ts), a signed
 * webhook (webhook.ts), or several of them (FanOutSink).
 */
export interface ProposalSink {
  /** Stable name of the target, recorded on each proposal. */
  readonly target: string;
  /** True when the target is a real forum: simulated proposals must never go there. */
  readonly isPublic: boolean;
  /** Delivers the proposal; must be idempotent on proposal.id. Returns where it landed. */
  send(proposal: Proposal): Promise<{ externalRef: string }>;
}

/**
 * Writes `<dir>/<proposal id>.md`, and beside it `<proposal id>.safe.json`, the Safe Transaction Builder batch of a
 * lending proposal's risk-steward calls (issue 16) when it has one. Idempotent: the same id always lands in the
 * same files with the same content, each written to a temporary name first and renamed, so a reader never sees
 * half a proposal.
 */
export class LocalOutboxSink implements ProposalSink {
  readonly target = TARGET_NAMES.localOutbox;
  readonly isPublic = false;

  constructor(private readonly directory: string) {}

  async send(proposal: Proposal): Promise<{ externalRef: string }> {
    await mkdir(this.directory, { recursive: true });
    const batch = proposal.steward?.batch;
    if (batch) await writeAtomically(join(this.directory, `${proposal.id}.safe.json`), `${JSON.stringify(batch, null, 2)}\n`);
    const path = join(this.directory, `${proposal.id}.md`);
    await writeAtomically(path, proposal.markdown);
    return { externalRef: path };
  }
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, 'utf8');
  await rename(temporary, path);
}

/**
 * Several targets for each proposal, in order. Each target is idempotent on proposal.id, so when a later
 * one fails and the proposal is retried, the earlier ones find their delivery instead of repeating it
 * (Discourse by its lookup; a webhook receiver by the Idempotency-Key). Public when any target is.
 */
export class FanOutSink implements ProposalSink {
  readonly target: string;
  readonly isPublic: boolean;

  constructor(private readonly sinks: readonly ProposalSink[]) {
    if (sinks.length === 0) throw new NoSinkTargetsError();
    this.target = combinedTargetName(sinks.map((s) => s.target));
    this.isPublic = sinks.some((s) => s.isPublic);
  }

  async send(proposal: Proposal): Promise<{ externalRef: string }> {
    const refs: string[] = [];
    for (const sink of this.sinks) refs.push((await sink.send(proposal)).externalRef);
    return { externalRef: refs.join(' ') };
  }
}
