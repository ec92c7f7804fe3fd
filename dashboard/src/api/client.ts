import type * as z from 'zod/mini';
import { AdvisorError } from '../../../shared/util/errors.js';
import { FETCH } from '../config.js';
import {
  assetRecommendationsSchema,
  healthSchema,
  historyPageSchema,
  pricesSchema,
  proposalSchema,
  proposalsPageSchema,
  recommendationSchema,
  recommendationsPageSchema,
  type Health,
  type Prices,
  type Profile,
  type ProposalSummary,
  type Recommendation,
} from './schemas.js';

/** The API answered with an error status, or did not answer (status null). */
export class ApiRequestError extends AdvisorError {
  constructor(
    readonly path: string,
    readonly status: number | null,
    message: string,
  ) {
    super('API_REQUEST_FAILED', message, { path, status });
  }
}

/** The API answered 200 with a body the page cannot read. */
export class ApiResponseError extends AdvisorError {
  constructor(
    readonly path: string,
    readonly issues: string[],
  ) {
    super('API_RESPONSE_INVALID', `${path}: unexpected response (${issues.slice(0, 3).join('; ')})`, { path, issues });
  }
}

/** A fetch that may fail without failing the page: each panel shows its own "no data". */
export type Loaded<T> = { ok: true; value: T } | { ok: false; message: string };

export async function attempt<T>(work: Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function issuesOf(error: z.core.$ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

async function getJson(path: string): Promise<unknown> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), FETCH.timeoutMs);
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin', signal: controller.signal });
  } catch (error) {
    throw new ApiRequestError(path, null, `${path}: no answer (${(error as Error).message})`);
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    // Problem details carry a readable `detail`; anything else is reported by its status alone.
    let detail = '';
    try {
      const problem = (await response.json()) as { detail?: unknown };
      if (typeof problem.detail === 'string') detail = `: ${problem.detail}`;
    } catch {
      // not JSON
    }
    throw new ApiRequestError(path, response.status, `${path} answered ${response.status}${detail}`);
  }
  return response.json();
}

async function getValidated<S extends z.ZodMiniType>(path: string, schema: S): Promise<z.infer<S>> {
  const body = await getJson(path);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiResponseError(path, issuesOf(parsed.error));
  return parsed.data as z.infer<S>;
}

/** List items one by one: the valid ones are shown, the others counted (and logged for the developer). */
export function validItems<S extends z.ZodMiniType>(items: unknown[], schema: S, path: string): { items: z.infer<S>[]; rejected: number } {
  const valid: z.infer<S>[] = [];
  let rejected = 0;
  for (const item of items) {
    const parsed = schema.safeParse(item);
    if (parsed.success) valid.push(parsed.data as z.infer<S>);
    else {
      rejected++;
      console.warn(new ApiResponseError(path, issuesOf(parsed.error)).message);
    }
  }
  return { items: valid, rejected };
}

function withQuery(path: string, query: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== null && value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Follows `nextCursor` until it is null (or absent: an API without pagination), at most `maxPages`
 * pages; a cursor seen twice ends the walk instead of looping.
 */
async function allPages<T>(maxPages: number, page: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  for (let n = 0; n < maxPages; n++) {
    const result = await page(cursor);
    items.push(...result.items);
    if (result.nextCursor === null || seen.has(result.nextCursor)) return { items, complete: true };
    seen.add(result.nextCursor);
    cursor = result.nextCursor;
  }
  return { items, complete: false };
}

export function fetchHealth(): Promise<Health> {
  return getValidated('/v1/health', healthSchema);
}

export interface RecommendationSet {
  simulated: boolean;
  historical: boolean;
  profiles: Profile[];
  recommendations: Recommendation[];
  rejected: number;
}

export async function fetchAllRecommendations(): Promise<RecommendationSet> {
  let simulated = false;
  let historical = false;
  let profiles: Profile[] = [];
  let rejected = 0;
  const { items } = await allPages(FETCH.recommendationsMaxPages, async (cursor) => {
    const path = withQuery('/v1/recommendations', { limit: FETCH.recommendationsPageLimit, cursor });
    const page = await getValidated(path, recommendationsPageSchema);
    simulated ||= page.simulated;
    historical ||= page.historical === true;
    profiles = page.profiles;
    const valid = validItems(page.recommendations, recommendationSchema, path);
    rejected += valid.rejected;
    return { items: valid.items, nextCursor: page.nextCursor ?? null };
  });
  return { simulated, historical, profiles, recommendations: items, rejected };
}

let profilesCache: Promise<Profile[]> | null = null;

/** The profiles (id, kind, name): one small page of /v1/recommendations, fetched once per visit. */
export function fetchProfiles(): Promise<Profile[]> {
  profilesCache ??= getValidated(withQuery('/v1/recommendations', { limit: 1 }), recommendationsPageSchema).then((page) => page.profiles);
  // A failure is not cached: the next page tries again.
  profilesCache.catch(() => {
    profilesCache = null;
  });
  return profilesCache;
}

export async function fetchAssetRecommendations(asset: string): Promise<{ simulated: boolean; historical: boolean; recommendations: Recommendation[] }> {
  const path = `/v1/recommendations/${encodeURIComponent(asset)}`;
  const body = await getValidated(path, assetRecommendationsSchema);
  return { simulated: body.simulated, historical: body.historical === true, recommendations: validItems(body.recommendations, recommendationSchema, path).items };
}

/** Versions of one asset and profile, oldest first (the API pages them newest first). */
export async function fetchHistory(asset: string, profileId: string): Promise<Recommendation[]> {
  const { items } = await allPages(FETCH.historyMaxPages, async (cursor) => {
    const path = withQuery(`/v1/recommendations/${encodeURIComponent(asset)}/history`, { profile: profileId, limit: FETCH.historyPageLimit, cursor });
    const page = await getValidated(path, historyPageSchema);
    return { items: validItems(page.items, recommendationSchema, path).items, nextCursor: page.nextCursor ?? null };
  });
  return items.sort((a, b) => a.version - b.version);
}

export function fetchPrices(asset: string): Promise<Prices> {
  return getValidated(withQuery(`/v1/assets/${encodeURIComponent(asset)}/prices`, { interval: FETCH.priceInterval, days: FETCH.priceDays }), pricesSchema);
}

export async function fetchProposals(cursor: string | null): Promise<{ items: ProposalSummary[]; nextCursor: string | null; rejected: number }> {
  const path = withQuery('/v1/proposals', { limit: FETCH.proposalsPageLimit, cursor });
  const page = await getValidated(path, proposalsPageSchema);
  const valid = validItems(page.items, proposalSchema, path);
  return { items: valid.items, nextCursor: page.nextCursor ?? null, rejected: valid.rejected };
}
