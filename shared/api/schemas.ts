import * as z from 'zod';
import { assetSymbol, candleInterval, lendingParametersSchema, perpParametersSchema } from '../config/schema.js';
import { proposalSchema, parameterChangeSchema } from '../model/proposal.js';
import { lendingRecommendationSchema, marginTierSchema, perpRecommendationSchema, recommendationSchema } from '../model/recommendation.js';
import { runSchema } from '../model/run.js';
import { parameterUnits, percentKeyedSchema } from './units.js';

/**
 * Every request and response body of the HTTP API. The routes validate requests with these, the
 * contract tests validate responses against the OpenAPI document built from these (shared/api/openapi.ts):
 * one definition, so the document cannot drift from the code. `.meta({ id })` names a component.
 */

// ---- limits (rules as configuration) ----

export const LIMITS = {
  recommendations: { defaultLimit: 100, maxLimit: 500 },
  history: { defaultLimit: 20, maxLimit: 100 },
  proposals: { defaultLimit: 20, maxLimit: 100 },
  prices: { defaultDays: 30, maxDays: 365, maxPoints: 1000 },
  cursorMaxChars: 2000,
} as const;

// ---- requests ----

const cursor = z.string().min(1).max(LIMITS.cursorMaxChars).meta({ description: 'Opaque: the `nextCursor` of the previous page.' });
const limit = (defaults: { defaultLimit: number; maxLimit: number }) =>
  z.coerce.number().int().min(1).max(defaults.maxLimit).default(defaults.defaultLimit).meta({ description: 'Items per page.' });
const profileId = z.string().min(1).max(40).meta({ description: 'A profile id, e.g. `aave-v3-ethereum`.' });
const units = parameterUnits.default('bps').meta({
  description:
    'Units of the governance parameters: `bps` (as stored, how Aave-style protocols configure them) or `percent` ' +
    '(each `xxxBps` key of parameters, target, current, tiers, steps and rationale becomes `xxxPercent` = value / 100).',
});

export const recomputeBodySchema = z
  .object({
    /** Assets to recompute (case-insensitive); omitted = the whole universe. */
    assets: z
      .array(z.string().trim().toUpperCase().pipe(assetSymbol))
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Assets to recompute (case-insensitive); omitted: the whole universe.' }),
    /** Why the committee asks (kept on the run). */
    reason: z.string().trim().min(1).max(500).optional().meta({ description: 'Why (kept on the run).' }),
  })
  .strict()
  .meta({ id: 'RecomputeRequest' });

export const recommendationsQuerySchema = z
  .object({
    profile: profileId.optional(),
    limit: limit(LIMITS.recommendations),
    cursor: cursor.optional(),
    units,
  })
  .strict();

export const assetQuerySchema = z.object({ units }).strict();

export const historyQuerySchema = z
  .object({
    profile: profileId.optional().meta({ description: 'Required when several profiles cover the asset.' }),
    limit: limit(LIMITS.history),
    cursor: cursor.optional(),
    units,
  })
  .strict();

export const pricesQuerySchema = z
  .object({
    interval: candleInterval.default('1h').meta({ description: 'Candle interval of the stored series.' }),
    days: z.coerce
      .number()
      .int()
      .min(1)
      .max(LIMITS.prices.maxDays)
      .default(LIMITS.prices.defaultDays)
      .meta({ description: 'Days of history, ending at the latest stored bar.' }),
  })
  .strict();

export const proposalsQuerySchema = z.object({ limit: limit(LIMITS.proposals), cursor: cursor.optional() }).strict();

export const assetPathSchema = z.object({ asset: z.string().meta({ description: 'Asset symbol, case-insensitive.', example: 'BTC' }) });
export const runPathSchema = z.object({ id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/).meta({ description: 'Run id (ULID).' }) });

// ---- responses ----

export const fieldProblemSchema = z.object({
  field: z.string().meta({ description: 'Path of the failing field, e.g. `body.assets[1]` or `query.limit`.' }),
  message: z.string(),
});

/** RFC 9457 problem details, plus a stable `code` and the failing fields of a 400. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    instance: z.string(),
    code: z.string().meta({ description: 'Stable, machine-readable: BAD_REQUEST, UNAUTHORIZED, NOT_FOUND, ...' }),
    errors: z.array(fieldProblemSchema).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json).' });

/** What API Gateway itself answers when its stage throttling refuses a request (the cloud's 429). */
export const gatewayThrottleSchema = z.object({ message: z.string() }).meta({ id: 'GatewayThrottle' });

export const healthResponseSchema = z
  .object({
    status: z.literal('ok'),
    simulated: z.boolean(),
    historical: z.boolean().meta({ description: 'True when the market source replayed history, not the live market.' }),
    methodologyVersion: z.string(),
    time: z.iso.datetime(),
  })
  .meta({ id: 'Health' });

export const recommendationBpsSchema = recommendationSchema.meta({
  id: 'Recommendation',
  description: 'A recommendation version, governance parameters in basis points (as stored).',
});

const lendingPercent = lendingRecommendationSchema.extend({
  parameters: percentKeyedSchema(lendingParametersSchema),
  target: percentKeyedSchema(lendingParametersSchema),
  current: percentKeyedSchema(lendingParametersSchema).nullable(),
});
const perpPercent = perpRecommendationSchema.extend({
  parameters: percentKeyedSchema(perpParametersSchema),
  target: percentKeyedSchema(perpParametersSchema),
  current: percentKeyedSchema(perpParametersSchema).nullable(),
  tiers: z.array(percentKeyedSchema(marginTierSchema)),
});
export const recommendationPercentSchema = z.discriminatedUnion('profileKind', [lendingPercent, perpPercent]).meta({
  id: 'RecommendationPercent',
  description: 'A recommendation version with `?units=percent`: every `xxxBps` governance parameter as `xxxPercent`.',
});

/** Items of a response in the units the request asked for. */
const recommendationInUnits = z.union([recommendationBpsSchema, recommendationPercentSchema]);
const unitsField = parameterUnits.meta({ description: 'The units the parameters are in (the `units` query parameter).' });
const nextCursor = z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null at the end of the list.' });

export const profileSummarySchema = z.object({ id: z.string(), kind: z.enum(['lending', 'perp']), name: z.string() });

export const recommendationsResponseSchema = z
  .object({
    simulated: z.boolean().meta({ description: 'True when any data behind the response is simulated.' }),
    historical: z.boolean().meta({ description: 'True when any data behind the response is replayed history, not the live market.' }),
    units: unitsField,
    profiles: z.array(profileSummarySchema),
    recommendations: z.array(recommendationInUnits).meta({ description: 'Latest version per (asset, profile), sorted by asset then profile id.' }),
    nextCursor,
  })
  .meta({ id: 'RecommendationList' });

export const assetRecommendationsResponseSchema = z
  .object({ asset: z.string(), simulated: z.boolean(), historical: z.boolean().meta({ description: 'True when any data behind the response is replayed history, not the live market.' }), units: unitsField, recommendations: z.array(recommendationInUnits) })
  .meta({ id: 'AssetRecommendations' });

export const historyResponseSchema = z
  .object({ asset: z.string(), profileId: z.string(), units: unitsField, items: z.array(recommendationInUnits), nextCursor })
  .meta({ id: 'RecommendationHistory' });

export const pricesResponseSchema = z
  .object({
    asset: z.string(),
    interval: candleInterval,
    fromMs: z.number().meta({ description: 'Window start (inclusive), epoch ms.' }),
    toMs: z.number().meta({ description: 'Window end (exclusive), epoch ms: the end of the latest stored bar, else now.' }),
    bucketBars: z.number().int().min(1).meta({ description: 'Bars per point: the last close of each bucket is kept.' }),
    points: z.array(z.tuple([z.number(), z.number()])).max(LIMITS.prices.maxPoints).meta({ description: '[openTimeMs, close] pairs, ascending.' }),
  })
  .meta({ id: 'PriceSeries' });

export const proposalSummarySchema = proposalSchema
  .pick({ id: true, profileId: true, runId: true, createdAtMs: true, simulated: true, historical: true, title: true, status: true, target: true, externalRef: true, sentAtMs: true })
  .extend({
    links: z.array(z.url()).meta({ description: 'The http(s) URLs in `externalRef` (forum posts).' }),
    changes: z.array(parameterChangeSchema),
  })
  .meta({ id: 'ProposalSummary' });

export const proposalsResponseSchema = z.object({ items: z.array(proposalSummarySchema), nextCursor }).meta({ id: 'ProposalList' });

export const recomputeAcceptedSchema = z
  .object({
    runId: z.string(),
    status: z.enum(['queued', 'running']).meta({ description: 'The status of the run when the request was answered.' }),
    coalesced: z
      .boolean()
      .meta({ description: 'True when the request joined a run already in flight that covers its assets (no new run was started).' }),
    links: z.object({ run: z.string() }),
  })
  .meta({ id: 'RecomputeAccepted' });

export const runResponseSchema = runSchema.meta({ id: 'Run' });

export const openApiDocumentSchema = z
  .object({ openapi: z.string().regex(/^3\.1\./), info: z.object({ title: z.string(), version: z.string() }).loose(), paths: z.record(z.string(), z.unknown()) })
  .loose()
  .meta({ id: 'OpenApiDocument', description: 'This document.' });
