import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The parts of the table and the outbox the invariants look at, read directly (not through the API). */
export interface StoredState {
  /** Per `asset|profile`: the stored version numbers and the LATEST pointer's version (null: none). */
  recommendations: Map<string, { versions: number[]; latest: number | null }>;
  runs: Map<string, StoredRun>;
  proposals: Map<string, StoredProposal>;
  /** Files in <data-dir>/outbox, one per delivered proposal. */
  outbox: OutboxFile[];
}

export interface StoredRun {
  id: string;
  status: string;
  trigger: string;
  createdAtMs: number;
  finishedAtMs: number | null;
  assetsTotal: number | null;
  assetsDone: number;
  recommendations: { asset: string; profileId: string; version: number }[];
}

export interface StoredProposal {
  id: string;
  profileId: string;
  runId: string;
  status: string;
  sentAtMs: number | null;
  assets: string[];
}

export interface OutboxFile {
  file: string;
  /** The proposal id the file is named after. */
  id: string;
  profileId: string | null;
  runId: string | null;
  part: { index: number; count: number } | null;
  mtimeMs: number;
}

/** `<profile>-<run id, 26 chars>[-<i>of<n>].md`, as LocalOutboxSink names them. */
const OUTBOX_NAME = /^(?<profile>.+)-(?<run>[0-9a-hjkmnp-tv-z]{26})(?:-(?<index>\d+)of(?<count>\d+))?\.md$/;

export async function readOutbox(outboxDir: string): Promise<OutboxFile[]> {
  let names: string[];
  try {
    names = await readdir(outboxDir);
  } catch {
    return [];
  }
  const files: OutboxFile[] = [];
  for (const file of names.filter((n) => n.endsWith('.md')).sort()) {
    const match = OUTBOX_NAME.exec(file);
    const { mtimeMs } = await stat(join(outboxDir, file));
    files.push({
      file,
      id: file.slice(0, -'.md'.length),
      profileId: match?.groups?.profile ?? null,
      runId: match ? match.groups!.run!.toUpperCase() : null,
      part: match?.groups?.index ? { index: Number(match.groups.index), count: Number(match.groups.count) } : null,
      mtimeMs,
    });
  }
  return files;
}

/** Scans the table for recommendation versions and pointers, runs and proposals (series bars left out). */
export async function readStoredState(doc: DynamoDBDocumentClient, tableName: string, outboxDir: string): Promise<StoredState> {
  const state: StoredState = { recommendations: new Map(), runs: new Map(), proposals: new Map(), outbox: await readOutbox(outboxDir) };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        FilterExpression: 'begins_with(sk, :rec) OR sk = :run OR sk = :proposal',
        ProjectionExpression: 'pk, sk, version, #status, #trigger, id, runId, profileId, createdAtMs, finishedAtMs, assetsTotal, doneAssets, recommendations, changes, sentAtMs',
        ExpressionAttributeNames: { '#status': 'status', '#trigger': 'trigger' },
        ExpressionAttributeValues: { ':rec': 'REC#', ':run': 'RUN', ':proposal': 'PROPOSAL' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) addItem(state, item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return state;
}

function addItem(state: StoredState, item: Record<string, unknown>): void {
  const pk = String(item.pk);
  const sk = String(item.sk);
  if (sk.startsWith('REC#') && pk.startsWith('ASSET#')) {
    const rest = sk.slice('REC#'.length);
    const latest = rest.endsWith('#LATEST');
    const profileId = latest ? rest.slice(0, -'#LATEST'.length) : rest.slice(0, rest.lastIndexOf('#V#'));
    const key = `${pk.slice('ASSET#'.length)}|${profileId}`;
    let entry = state.recommendations.get(key);
    if (!entry) state.recommendations.set(key, (entry = { versions: [], latest: null }));
    if (latest) entry.latest = Number(item.version);
    else entry.versions.push(Number(item.version));
  } else if (sk === 'RUN' && pk.startsWith('RUN#')) {
    const id = pk.slice('RUN#'.length);
    state.runs.set(id, {
      id,
      status: String(item.status),
      trigger: String(item.trigger),
      createdAtMs: Number(item.createdAtMs),
      finishedAtMs: typeof item.finishedAtMs === 'number' ? item.finishedAtMs : null,
      assetsTotal: typeof item.assetsTotal === 'number' ? item.assetsTotal : null,
      assetsDone: (item.doneAssets as Set<string> | undefined)?.size ?? 0,
      recommendations: (item.recommendations as StoredRun['recommendations'] | undefined) ?? [],
    });
  } else if (sk === 'PROPOSAL' && pk.startsWith('PROPOSAL#')) {
    const id = pk.slice('PROPOSAL#'.length);
    state.proposals.set(id, {
      id,
      profileId: String(item.profileId),
      runId: String(item.runId),
      status: String(item.status),
      sentAtMs: typeof item.sentAtMs === 'number' ? item.sentAtMs : null,
      assets: [...new Set(((item.changes as { asset: string }[] | undefined) ?? []).map((c) => c.asset))],
    });
  }
}

/** One broken invariant: `key` identifies it across repeated checks of the same data (for counting once). */
export interface Violation {
  check: string;
  key: string;
  detail: string;
}

export const INVARIANTS = {
  pointer: 'no version newer than its LATEST pointer',
  contiguous: 'versions contiguous (1..n)',
  runsClosed: 'no run left running/queued after start',
  partial: 'no run succeeded with assets missing',
  duplicate: 'no duplicate proposal sent',
  superseded: 'no superseded proposal sent',
} as const;

export function pointerViolations(state: StoredState): Violation[] {
  const out: Violation[] = [];
  for (const [key, { versions, latest }] of state.recommendations) {
    const newest = versions.length > 0 ? Math.max(...versions) : null;
    if (newest !== null && (latest === null || newest > latest)) {
      out.push({ check: INVARIANTS.pointer, key: `${key}#${newest}`, detail: `${key.replace('|', ' ')}: V#${newest} stored, LATEST at ${latest ?? 'none'}` });
    } else if (latest !== null && (newest === null || latest > newest)) {
      out.push({ check: INVARIANTS.pointer, key: `${key}#L${latest}`, detail: `${key.replace('|', ' ')}: LATEST at ${latest}, newest stored version ${newest ?? 'none'}` });
    }
  }
  return out;
}

export function contiguityViolations(state: StoredState): Violation[] {
  const out: Violation[] = [];
  for (const [key, { versions }] of state.recommendations) {
    const sorted = [...versions].sort((a, b) => a - b);
    const broken = sorted.findIndex((v, i) => v !== i + 1);
    if (broken >= 0) out.push({ check: INVARIANTS.contiguous, key: `${key}@${sorted.join(',')}`, detail: `${key.replace('|', ' ')}: versions ${sorted.join(', ')}` });
  }
  return out;
}

export function runViolations(state: StoredState): Violation[] {
  const out: Violation[] = [];
  for (const run of state.runs.values()) {
    if (run.status === 'running' || run.status === 'queued') {
      out.push({ check: INVARIANTS.runsClosed, key: run.id, detail: `run ${run.id} (${run.trigger}) still ${run.status}, ${run.assetsDone}/${run.assetsTotal ?? '?'} assets` });
    }
    if (run.status === 'succeeded' && run.assetsTotal !== null && run.assetsDone < run.assetsTotal) {
      out.push({ check: INVARIANTS.partial, key: run.id, detail: `run ${run.id} succeeded with ${run.assetsDone}/${run.assetsTotal} assets` });
    }
  }
  return out;
}

/**
 * Duplicates: a (profile, run) delivered as more than one proposal (other than the parts 1..n of one
 * split). Superseded: a proposal delivered after a newer run for the same market had finished with new
 * versions of every asset it changes.
 */
export function proposalViolations(state: StoredState): Violation[] {
  const out: Violation[] = [];
  const byRun = new Map<string, OutboxFile[]>();
  for (const file of state.outbox) {
    const stored = state.proposals.get(file.id);
    const profileId = stored?.profileId ?? file.profileId ?? '?';
    const runId = stored?.runId ?? file.runId ?? file.id;
    const key = `${profileId}|${runId}`;
    byRun.set(key, [...(byRun.get(key) ?? []), file]);
  }
  for (const [key, files] of byRun) {
    if (files.length === 1) continue;
    const counts = new Set(files.map((f) => f.part?.count ?? 1));
    const indexes = new Set(files.map((f) => f.part?.index ?? 1));
    const count = [...counts][0]!;
    if (counts.size !== 1 || files.some((f) => f.part === null) || indexes.size !== files.length || files.length > count) {
      out.push({ check: INVARIANTS.duplicate, key, detail: `${key.replace('|', ' run ')}: ${files.map((f) => f.file).join(', ')}` });
    }
  }
  const runs = [...state.runs.values()];
  for (const file of state.outbox) {
    const proposal = state.proposals.get(file.id);
    if (!proposal || proposal.assets.length === 0) continue;
    const sentAtMs = proposal.sentAtMs ?? file.mtimeMs;
    const own = state.runs.get(proposal.runId);
    const newer = runs.find(
      (run) =>
        run.id !== proposal.runId &&
        (own ? run.createdAtMs > own.createdAtMs : run.id > proposal.runId) &&
        run.finishedAtMs !== null &&
        run.finishedAtMs <= sentAtMs &&
        proposal.assets.every((asset) => run.recommendations.some((r) => r.profileId === proposal.profileId && r.asset === asset)),
    );
    if (newer) {
      out.push({
        check: INVARIANTS.superseded,
        key: proposal.id,
        detail: `${proposal.id} sent at ${new Date(sentAtMs).toISOString()}, after run ${newer.id} had finished (${new Date(newer.finishedAtMs!).toISOString()}) with newer ${proposal.profileId} versions of ${proposal.assets.join(', ')}`,
      });
    }
  }
  return out;
}

export function allViolations(state: StoredState): Violation[] {
  return [...pointerViolations(state), ...contiguityViolations(state), ...runViolations(state), ...proposalViolations(state)];
}
