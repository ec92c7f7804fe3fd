import { describe, expect, it } from 'vitest';
import { RequestTargetError, parseRequestTarget } from '../../../local/http.js';
import { publicExternalRef } from '../../../shared/api/views.js';

describe('request targets', () => {
  it('origin-form and absolute-form targets give their path and query; dot segments resolve', () => {
    expect(parseRequestTarget('/v1/health')).toEqual({ path: '/v1/health', query: '' });
    expect(parseRequestTarget('/v1/recommendations?units=percent&limit=2')).toEqual({ path: '/v1/recommendations', query: 'units=percent&limit=2' });
    expect(parseRequestTarget('http://example.test:8080/v1/health?x=1')).toEqual({ path: '/v1/health', query: 'x=1' });
    expect(parseRequestTarget('/v1/../v1/health')).toEqual({ path: '/v1/health', query: '' });
    expect(parseRequestTarget('/v1/runs/..%2F..').path).toBe('/v1/runs/..%2F..');
    expect(parseRequestTarget('/v1/x?filter[a]=|"').query).toBe('filter[a]=|"');
  });

  it.each(['//%zz', '//[', '/%', '/a%2', '*', 'v1/health', '/v1/health#x', '/a b', '/é', 'http://[/', '/v1?x=#'])('%s is a RequestTargetError', (target) => {
    expect(() => parseRequestTarget(target)).toThrow(RequestTargetError);
  });
});

describe('externalRef in the API', () => {
  it('a local outbox path becomes outbox/<file>; URLs and webhook ids stay', () => {
    expect(publicExternalRef(null)).toBeNull();
    expect(publicExternalRef('/srv/advisor/.advisor/outbox/p-1.md')).toBe('outbox/p-1.md');
    expect(publicExternalRef('C:\\Users\\me\\.advisor\\outbox\\p-1.md https://forum.example/p/3')).toBe('outbox/p-1.md https://forum.example/p/3');
    expect(publicExternalRef('webhook:rcv-1')).toBe('webhook:rcv-1');
  });
});
