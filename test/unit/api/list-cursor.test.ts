import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareListKeys, decodeListCursor, encodeListCursor, pageAfter } from '../../../shared/api/list-cursor.js';
import { InvalidCursorError } from '../../../shared/store/errors.js';

const keyArb = fc.record({ asset: fc.constantFrom('AAVE', 'BTC', 'ETH', '1INCH', 'SOL'), profileId: fc.constantFrom('aave-v3', 'perp-dex', 'perp2') });

describe('list cursors', () => {
  it('round-trip the last key', () => {
    expect(decodeListCursor(encodeListCursor({ asset: 'BTC', profileId: 'perp-dex' }))).toEqual({ asset: 'BTC', profileId: 'perp-dex' });
  });

  it('refuse anything they did not issue', () => {
    for (const cursor of ['xyz', Buffer.from('{"after":["BTC"]}').toString('base64url'), Buffer.from('{"pk":"a","sk":"b"}').toString('base64url')]) {
      expect(() => decodeListCursor(cursor)).toThrow(InvalidCursorError);
    }
  });

  it('walking pages returns every item exactly once, in order, for any page size', () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyArb, { selector: (k) => `${k.asset}/${k.profileId}` }), fc.integer({ min: 1, max: 6 }), (keys, limit) => {
        const sorted = [...keys].sort(compareListKeys);
        const seen: typeof keys = [];
        let cursor: string | undefined;
        for (let pages = 0; ; pages++) {
          expect(pages).toBeLessThanOrEqual(sorted.length);
          const page = pageAfter(sorted, limit, cursor);
          seen.push(...page.items);
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(seen).toEqual(sorted);
      }),
    );
  });

  it('a page after a key that has since disappeared starts at the next one', () => {
    const sorted = [{ asset: 'AAVE', profileId: 'a' }, { asset: 'ETH', profileId: 'a' }];
    expect(pageAfter(sorted, 5, encodeListCursor({ asset: 'BTC', profileId: 'a' })).items).toEqual([{ asset: 'ETH', profileId: 'a' }]);
    expect(pageAfter(sorted, 5, encodeListCursor({ asset: 'ZZZ', profileId: 'a' }))).toEqual({ items: [], nextCursor: null });
  });
});
