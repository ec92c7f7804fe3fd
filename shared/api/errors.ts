import { AdvisorError } from '../util/errors.js';

/**
 * A memoized route answered other than 200. Only a 200 may be cached (and shared with the next callers);
 * any other answer is a defect of the route, answered as a 500.
 */
export class MemoizedRouteStatusError extends AdvisorError {
  constructor(
    readonly path: string,
    readonly status: number,
  ) {
    super('MEMOIZED_ROUTE_STATUS', `a memoized route answered ${status}`, { path, status });
  }
}
