import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { sleepMs } from '../util/backoff.js';
import { AdvisorError } from '../util/errors.js';
import { compress, decompress, parseJsonPart, sha256Of, type Digest, type InputPart, type InputPartKind, type InputsManifest } from '../reproduce/inputs.js';
import { TableRepository } from './repository.js';
import { keys } from './table.js';

/** BatchWriteItem takes at most 25 puts. */
const BATCH_WRITE_ITEMS = 25;
/** Sends of one batch while DynamoDB leaves items unprocessed (throttling), the first included. */
const MAX_BATCH_ATTEMPTS = 8;

/** DynamoDB kept leaving a version's input parts unprocessed: the version is not written (the delivery is retried). */
export class InputsWriteError extends AdvisorError {
  constructor(unprocessed: number, attempts: number) {
    super('INPUTS_WRITE_UNPROCESSED', `${unprocessed} input parts still unprocessed after ${attempts} batch writes`, { unprocessed, attempts });
  }
}
/**
 * The kind another profile of the asset stores too (both choose the same book set): checked before writing.
 * Config parts are per profile and bar blocks per interval: only this (asset, profile)'s previous manifest
 * could have stored them, and it is known.
 */
const SHARED_KINDS: ReadonlySet<InputPartKind> = new Set(['books']);

/** A stored part as read back: the bytes as stored (decompressed), and whether they still hash to their key. */
export interface StoredPart extends InputPart {
  /** sha256 of the bytes read; differs from `digest` when the item was altered. */
  actualDigest: Digest;
}

/**
 * The inputs of recommendation versions, content-addressed (shared/reproduce/inputs.ts): pk INPUT#<digest>,
 * sk the part's kind, the bytes brotli-compressed in `body`. Immutable and kept as long as the versions
 * (no TTL); a part already stored is never rewritten, so a save costs the parts that are new.
 */
export class InputsRepository extends TableRepository {
  /**
   * Writes the parts not in `known` (the parts of the previous version's manifest, which are stored:
   * a version is written after its inputs), then the manifest. Idempotent: the same digest is the same bytes.
   */
  async save(manifest: InputPart, parts: readonly InputPart[], known: ReadonlySet<Digest> = new Set()): Promise<{ written: number; bytes: number }> {
    const seen = new Set<Digest>(known);
    const fresh = parts.filter((p) => !seen.has(p.digest) && seen.add(p.digest));
    const checked = await Promise.all(fresh.map(async (p) => (SHARED_KINDS.has(p.kind) && (await this.exists(p)) ? null : p)));
    const items = [...checked.filter((p): p is InputPart => p !== null), manifest].map((p) => ({ pk: keys.input(p.digest), sk: keys.inputSort(p.kind), body: compress(p.bytes) }));
    // An asset's first versions write ~90 blocks per series: 25 to a request (BatchWriteItem), not one each.
    for (let i = 0; i < items.length; i += BATCH_WRITE_ITEMS) await this.batchPut(items.slice(i, i + BATCH_WRITE_ITEMS));
    return { written: items.length, bytes: items.reduce((a, item) => a + item.body.length, 0) };
  }

  /** One BatchWriteItem of puts; unprocessed items (throttling) are sent again after a short, growing pause. */
  private async batchPut(items: Record<string, unknown>[]): Promise<void> {
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new InputsWriteError(pending.length, attempt);
      if (attempt > 0) await sleepMs(Math.min(1_000, 20 * 2 ** attempt));
      const result = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
      pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
    }
  }

  /**
   * Whether a part is stored: a read of 0.5-1 RRU (eventually consistent: a part never changes, and a miss
   * only rewrites the same bytes) against a write of 1 WRU per KB: the 7 KB book set is written once, not
   * once per profile.
   */
  private async exists(part: InputPart): Promise<boolean> {
    const key = { pk: keys.input(part.digest), sk: keys.inputSort(part.kind) };
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ProjectionExpression: 'pk', ConsistentRead: false }));
    return result.Item !== undefined;
  }

  /** The parts a stored manifest names (empty when it is absent or unreadable): what a save after it need not write. */
  async partsOf(manifestDigest: Digest | undefined): Promise<Set<Digest>> {
    if (!manifestDigest) return new Set();
    const stored = await this.get('manifest', manifestDigest).catch(() => null);
    if (!stored || stored.actualDigest !== manifestDigest) return new Set();
    try {
      const m = parseJsonPart<InputsManifest>(stored);
      return new Set([m.config, m.books, ...m.candles.blocks]);
    } catch {
      return new Set();
    }
  }

  /** One part by digest, or null when absent. Reads need not be consistent: a part never changes. */
  async get(kind: InputPartKind, digest: Digest): Promise<StoredPart | null> {
    const item = await this.getItem({ pk: keys.input(digest), sk: keys.inputSort(kind) });
    if (!item) return null;
    const bytes = decompress(item.body as Uint8Array);
    return { kind, digest, bytes, actualDigest: sha256Of(bytes) };
  }

  /** Several parts of one kind, a few reads at a time, in the order asked; null for each absent one. */
  async getMany(kind: InputPartKind, digests: readonly Digest[], concurrency = 16): Promise<(StoredPart | null)[]> {
    const out: (StoredPart | null)[] = [];
    for (let i = 0; i < digests.length; i += concurrency) out.push(...(await Promise.all(digests.slice(i, i + concurrency).map((d) => this.get(kind, d)))));
    return out;
  }
}
