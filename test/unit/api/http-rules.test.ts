import { describe, expect, it } from 'vitest';
import { ifNoneMatchHits, strongEtag } from '../../../shared/api/conditional.js';
import { acceptsJson } from '../../../shared/api/negotiate.js';
import { proposalLinks } from '../../../shared/api/views.js';

describe('ETags', () => {
  it('are strong, quoted and change with the bytes', () => {
    expect(strongEtag('a')).toMatch(/^"[\w-]{27}"$/);
    expect(strongEtag('a')).not.toBe(strongEtag('b'));
  });

  it('If-None-Match matches a listed tag, its weak form, or *', () => {
    const etag = strongEtag('x');
    expect(ifNoneMatchHits(etag, etag)).toBe(true);
    expect(ifNoneMatchHits(`"a", W/${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits('*', etag)).toBe(true);
    expect(ifNoneMatchHits('"a", "b"', etag)).toBe(false);
    expect(ifNoneMatchHits(undefined, etag)).toBe(false);
  });
});

describe('Accept', () => {
  it('admits JSON through exact types, wildcards and +json; refuses q=0 and other types', () => {
    for (const accept of [undefined, '', '*/*', 'application/*', 'application/json', 'text/html,*/*;q=0.8', 'application/problem+json']) {
      expect(acceptsJson(accept), String(accept)).toBe(true);
    }
    for (const accept of ['text/html', 'application/json;q=0', 'text/*', 'application/xml']) expect(acceptsJson(accept), accept).toBe(false);
  });
});

describe('proposal links', () => {
  it('are the http(s) URLs among the targets, each once', () => {
    expect(proposalLinks('/tmp/outbox/a.md https://forum.example/p/12 webhook:abc https://forum.example/p/12 http://127.0.0.1:4000/p/3')).toEqual([
      'https://forum.example/p/12',
      'http://127.0.0.1:4000/p/3',
    ]);
    expect(proposalLinks(null)).toEqual([]);
    expect(proposalLinks('javascript:alert(1) ftp://x/y')).toEqual([]);
  });
});
