import * as z from 'zod';
import { InvalidCursorError } from '../store/errors.js';

/**
 * Opaque cursors of lists the API sorts itself (the latest recommendations, sorted by asset then
 * profile): base64url JSON of the last key returned. The next page starts after that key, so an item
 * added or removed meanwhile never makes a walk skip or repeat the others.
 */
const keySchema = z.object({ after: z.tuple([z.string().min(1), z.string().min(1)]) }).strict();

export interface ListKey {
  asset: string;
  profileId: string;
}

export function encodeListCursor(key: ListKey): string {
  return Buffer.from(JSON.stringify({ after: [key.asset, key.profileId] })).toString('base64url');
}

export function decodeListCursor(cursor: string): ListKey {
  try {
    const parsed = keySchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return { asset: parsed.data.after[0], profileId: parsed.data.after[1] };
  } catch {
    // fall through: an undecodable cursor is the caller's error
  }
  throw new InvalidCursorError(cursor);
}

/** Code-unit order of (asset, profileId): the order of the list and of its cursors. */
export function compareListKeys(a: ListKey, b: ListKey): number {
  if (a.asset !== b.asset) return a.asset < b.asset ? -1 : 1;
  if (a.profileId !== b.profileId) return a.profileId < b.profileId ? -1 : 1;
  return 0;
}

/** One page of `sorted` (ascending by compareListKeys) after `cursor`, and the cursor of the next one. */
export function pageAfter<T extends ListKey>(sorted: readonly T[], limit: number, cursor: string | undefined): { items: T[]; nextCursor: string | null } {
  const after = cursor === undefined ? null : decodeListCursor(cursor);
  let start = 0;
  if (after) {
    start = sorted.findIndex((item) => compareListKeys(item, after) > 0);
    if (start < 0) return { items: [], nextCursor: null };
  }
  const items = sorted.slice(start, start + limit);
  const more = start + limit < sorted.length;
  return { items, nextCursor: more ? encodeListCursor(items[items.length - 1]!) : null };
}
