import { InvalidCursorError } from './errors.js';

/** Opaque pagination cursors: the DynamoDB LastEvaluatedKey as base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

export function decodeCursor(cursor: string | undefined, expectedPk: string): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      key !== null &&
      typeof key === 'object' &&
      (key as Record<string, unknown>).pk === expectedPk &&
      typeof (key as Record<string, unknown>).sk === 'string' &&
      Object.keys(key).length === 2
    ) {
      return key as Record<string, unknown>;
    }
  } catch {
    // fall through: any undecodable cursor is the caller's error
  }
  throw new InvalidCursorError(cursor);
}
