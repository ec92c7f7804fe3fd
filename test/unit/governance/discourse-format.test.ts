import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DISCOURSE_EXTERNAL_ID_MAX_CHARS,
  DiscourseSink,
  externalIdOf,
  fitToLength,
  proposalMarker,
  threadKeyOf,
} from '../../../shared/governance/discourse.js';
import { SecretValue, StaticSecret } from '../../../shared/governance/secrets.js';
import { forumProposal } from '../../support/publish-fixtures.js';

const DISCOURSE_EXTERNAL_ID = /^[\w-]+$/;

describe('thread key (the topic external_id)', () => {
  it('is the same for the same profile and asset set, whatever the order or repetition', () => {
    const a = forumProposal('a', ['BTC', 'ETH']);
    const b = forumProposal('b', ['ETH', 'BTC', 'ETH']);
    expect(threadKeyOf(a)).toBe(threadKeyOf(b));
    expect(threadKeyOf(a)).toMatch(/^la-aave-v3-ethereum-[0-9a-f]{20}$/);
    expect(threadKeyOf({ ...a, profileId: 'a-very-long-profile-id-for-a-market' })).toMatch(/^la-a-very-long-prof-[0-9a-f]{20}$/);
  });

  it('differs for another set or another profile', () => {
    const base = forumProposal('a', ['BTC', 'ETH']);
    expect(threadKeyOf(forumProposal('b', ['BTC']))).not.toBe(threadKeyOf(base));
    expect(threadKeyOf({ ...base, profileId: 'perp-dex' })).not.toBe(threadKeyOf(base));
    // Set boundaries are part of the key: {"AB"} is not {"A", "B"}.
    expect(threadKeyOf(forumProposal('c', ['AB']))).not.toBe(threadKeyOf(forumProposal('d', ['A', 'B'])));
  });

  it("fits Discourse's external_id rules (<= 50 chars of [\\w-]) in every generation, for any profile id and assets", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9-]{3,40}$/),
        fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 99 }),
        (profileId, assets, generation) => {
          const id = externalIdOf(threadKeyOf({ ...forumProposal('x', assets), profileId }), generation);
          return id.length <= DISCOURSE_EXTERNAL_ID_MAX_CHARS && DISCOURSE_EXTERNAL_ID.test(id);
        },
      ),
    );
    expect(externalIdOf('la-k', 1)).toBe('la-k');
    expect(externalIdOf('la-k', 2)).toBe('la-k-g2');
  });
});

const LONG = [
  '# Title',
  '## Summary\n\nshort',
  '## Changes\n\n| a | b |',
  `## Reasons\n\n${'r'.repeat(400)}`,
  '## Data quality\n\nq',
  `## Cross-checks\n\n${'c'.repeat(400)}`,
  '## Methodology and reproduction\n\n<http://api/x>',
].join('\n');

describe('fitting a post into the forum limit', () => {
  it('leaves a post that fits unchanged', () => {
    expect(fitToLength(LONG, LONG.length)).toBe(LONG);
  });

  it('leaves out whole sections, least needed to vote first, says which, and keeps the changes and the API links', () => {
    const fitted = fitToLength(LONG, LONG.length - 300);
    expect(fitted).not.toContain('## Cross-checks');
    expect(fitted).toContain('## Reasons');
    expect(fitted).toContain("Left out to fit the forum's post limit: Cross-checks.");
    expect(fitted).toContain('## Changes');
    expect(fitted).toContain('<http://api/x>');

    const tighter = fitToLength(LONG, 350);
    expect(tighter).not.toContain('## Reasons');
    expect(tighter).toContain('Left out to fit the forum');
    expect(tighter).toContain('<http://api/x>');
  });

  it('never exceeds the limit', () => {
    fc.assert(fc.property(fc.integer({ min: 60, max: LONG.length + 10 }), (max) => fitToLength(LONG, max).length <= max));
  });
});

describe('what the Discourse target posts', () => {
  const sink = new DiscourseSink({
    baseUrl: 'https://forum.example/',
    categoryId: 1,
    apiUsername: 'advisor',
    apiKey: new StaticSecret(new SecretValue('unused-key-0123456789'), 'test'),
    maxPostChars: 400,
  });

  it('ends every post with the proposal marker, within the limit', () => {
    const body = sink.body(forumProposal('p-1', ['BTC'], { markdown: `# T\n\n## Summary\n\n${'x'.repeat(1_000)}\n` }));
    expect(body.length).toBeLessThanOrEqual(400);
    expect(body.trimEnd().endsWith(`\`${proposalMarker('p-1')}\`</small>`)).toBe(true);
  });

  it('dates topic titles, numbers later parts of a thread, and keeps them under the title limit', () => {
    const p = forumProposal('p-1', ['BTC'], { createdAtMs: Date.UTC(2026, 4, 1, 12) });
    expect(sink.topicTitle(p)).toBe(`${p.title} (2026-05-01)`);
    expect(sink.topicTitle(p, 2)).toBe(`${p.title} (2026-05-01, part 2)`);
    expect(sink.topicTitle(p, 1, true)).toBe(`${p.title} (2026-05-01, ${threadKeyOf(p).slice(-8)})`);
    const long = sink.topicTitle({ ...p, title: 'T'.repeat(400) });
    expect(long.length).toBeLessThanOrEqual(250);
    expect(long.endsWith('… (2026-05-01)')).toBe(true);
  });

  it('refers to a post by its short link, which carries the post id', () => {
    expect(sink.postUrl(1234)).toBe('https://forum.example/p/1234');
  });
});
