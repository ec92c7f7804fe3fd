import { describe, expect, it } from 'vitest';
import { MemoizedRouteStatusError } from '../../../shared/api/errors.js';
import { AdvisorError } from '../../../shared/util/errors.js';

describe('API errors', () => {
  it('a memoized route answering other than 200 names the path and the status', () => {
    const error = new MemoizedRouteStatusError('/v1/recommendations', 404);
    expect(error).toBeInstanceOf(AdvisorError);
    expect(error).toMatchObject({
      code: 'MEMOIZED_ROUTE_STATUS',
      path: '/v1/recommendations',
      status: 404,
      details: { path: '/v1/recommendations', status: 404 },
      message: 'a memoized route answered 404',
    });
  });
});
