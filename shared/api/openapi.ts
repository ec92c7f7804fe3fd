import * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import {
  LIMITS,
  assetPathSchema,
  assetQuerySchema,
  assetRecommendationsResponseSchema,
  gatewayThrottleSchema,
  healthResponseSchema,
  historyQuerySchema,
  historyResponseSchema,
  openApiDocumentSchema,
  pricesQuerySchema,
  pricesResponseSchema,
  problemSchema,
  proposalsQuerySchema,
  proposalsResponseSchema,
  recommendationsQuerySchema,
  recommendationsResponseSchema,
  recomputeAcceptedSchema,
  recomputeBodySchema,
  runPathSchema,
  runResponseSchema,
} from './schemas.js';
import { safeBatchSchema } from '../model/steward.js';

/** The API's own version (the paths' `/v1`); the methodology has its own, in `info`. */
export const API_VERSION = '1.1.0';

export interface OpenApiOptions {
  methodologyVersion: string;
  /** The Cache-Control max-age of reads, seconds (tied to the schedule). */
  cacheMaxAgeSeconds: number;
}

const PROBLEM = 'application/problem+json';
const JSON_TYPE = 'application/json';

const readHeaders = z.object({
  etag: z.string().meta({ description: 'Strong validator of the exact bytes: send it back in If-None-Match.' }),
  'cache-control': z.string().meta({ description: 'public, max-age tied to the cycle schedule (no-store on health and runs).' }),
  'access-control-allow-origin': z.literal('*').meta({ description: 'Reads are open to every origin.' }),
});

const problemResponse = (description: string, headers?: z.ZodObject) => ({
  description,
  content: { [PROBLEM]: { schema: problemSchema } },
  ...(headers ? { headers } : {}),
});

/** Error responses shared by operations, registered once under components.responses. */
const errors = {
  badRequest: { ...problemResponse('A query parameter, path parameter or body field is invalid: `errors` names each failing field.'), id: 'BadRequest' },
  unauthorized: {
    ...problemResponse(
      'No valid credentials.',
      z.object({ 'www-authenticate': z.string().meta({ description: 'Bearer realm="leverage-advisor" (token mode).' }) }),
    ),
    id: 'Unauthorized',
  },
  notFound: { ...problemResponse('Unknown asset, profile, run or route.'), id: 'NotFound' },
  notAcceptable: { ...problemResponse('The Accept header admits no JSON representation.'), id: 'NotAcceptable' },
  unsupportedMediaType: { ...problemResponse('The body is not application/json (a body needs Content-Type: application/json).'), id: 'UnsupportedMediaType' },
  payloadTooLarge: { ...problemResponse('The body is larger than the server accepts.'), id: 'PayloadTooLarge' },
  tooManyRequests: {
    description:
      'Rate limited. Locally a token bucket per client IP answers with problem details and Retry-After; in the cloud ' +
      'API Gateway stage throttling answers `{"message": "Too Many Requests"}` before the function runs.',
    content: { [PROBLEM]: { schema: problemSchema }, [JSON_TYPE]: { schema: gatewayThrottleSchema } },
    headers: z.object({ 'retry-after': z.string().optional().meta({ description: 'Seconds to wait (local rate limit).' }) }),
    id: 'TooManyRequests',
  },
  internal: { ...problemResponse('Unexpected failure; it was logged.'), id: 'InternalError' },
} as const;

const notModified = {
  description: 'If-None-Match named the current ETag: nothing changed, no body.',
  headers: z.object({ etag: z.string(), 'cache-control': z.string() }),
  id: 'NotModified',
};

function ok(description: string, schema: z.ZodType, extra: ZodOpenApiResponsesObject = {}): ZodOpenApiResponsesObject {
  return {
    '200': { description, content: { [JSON_TYPE]: { schema } }, headers: readHeaders },
    '304': notModified,
    '406': errors.notAcceptable,
    '429': errors.tooManyRequests,
    '500': errors.internal,
    ...extra,
  };
}

function read(operation: Omit<ZodOpenApiOperationObject, 'responses'> & { responses: ZodOpenApiResponsesObject }): ZodOpenApiOperationObject {
  return { tags: ['read'], ...operation };
}

/**
 * The OpenAPI 3.1 document of the HTTP API, built from the zod schemas the routes validate with
 * (shared/api/schemas.ts). The dashboard pages served by the same function are not part of it.
 */
export function buildOpenApiDocument(options: OpenApiOptions): Record<string, unknown> {
  const document = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Leverage Advisor API',
      version: API_VERSION,
      'x-methodology-version': options.methodologyVersion,
      description: [
        `Recommended risk parameters for DeFi lending and perp protocols, methodology ${options.methodologyVersion}.`,
        '',
        'Conventions for pollers:',
        `- Every 200 GET carries a strong ETag; send it back in If-None-Match and get 304 with no body while nothing changed. ` +
          `Cache-Control: public, max-age=${options.cacheMaxAgeSeconds} (a tenth of the cycle period, at least 30 s).`,
        '- Lists that can grow are paginated with an opaque `cursor`: pass `nextCursor` back until it is null.',
        '- `?units=bps` (default, how Aave-style protocols configure) or `?units=percent` on the recommendation endpoints.',
        '- CORS: GET and HEAD are open to every origin (ETag exposed); POST is not (its preflight gets no allow headers).',
        '- Errors are RFC 9457 problem details (application/problem+json) with a stable `code` and, for 400s, the failing fields. ' +
          'A method a path does not support gets 405 with Allow.',
        '- Rate limits: a token bucket per client locally (429 with Retry-After), API Gateway throttling in the cloud.',
        '- Responses say `simulated: true` when the market data behind them came from the simulator.',
      ].join('\n'),
    },
    servers: [{ url: '/', description: 'The origin that served this document.' }],
    tags: [
      { name: 'read', description: 'Public reads (no credentials).' },
      { name: 'write', description: 'Authenticated requests.' },
    ],
    paths: {
      '/v1/health': {
        get: read({
          operationId: 'getHealth',
          summary: 'Liveness, data source and methodology version',
          responses: ok('Up.', healthResponseSchema),
        }),
      },
      '/v1/openapi.json': {
        get: read({ operationId: 'getOpenApiDocument', summary: 'This document', responses: ok('The OpenAPI 3.1 document.', openApiDocumentSchema) }),
      },
      '/v1/recommendations': {
        get: read({
          operationId: 'listRecommendations',
          summary: 'The latest recommendation of every asset and profile',
          description: `Sorted by asset, then profile id (code-unit order); \`limit\` 1-${LIMITS.recommendations.maxLimit} (default ${LIMITS.recommendations.defaultLimit}).`,
          requestParams: { query: recommendationsQuerySchema },
          responses: ok('One page of latest recommendations.', recommendationsResponseSchema, { '400': errors.badRequest }),
        }),
      },
      '/v1/recommendations/{asset}': {
        get: read({
          operationId: 'getAssetRecommendations',
          summary: 'The latest recommendation of one asset, per profile',
          requestParams: { path: assetPathSchema, query: assetQuerySchema },
          responses: ok('Latest per profile covering the asset.', assetRecommendationsResponseSchema, { '400': errors.badRequest, '404': errors.notFound }),
        }),
      },
      '/v1/recommendations/{asset}/history': {
        get: read({
          operationId: 'getRecommendationHistory',
          summary: 'Every version of one asset and profile, newest first',
          description: `\`profile\` is required when several profiles cover the asset; \`limit\` 1-${LIMITS.history.maxLimit} (default ${LIMITS.history.defaultLimit}).`,
          requestParams: { path: assetPathSchema, query: historyQuerySchema },
          responses: ok('One page of versions.', historyResponseSchema, { '400': errors.badRequest, '404': errors.notFound }),
        }),
      },
      '/v1/assets/{asset}/prices': {
        get: read({
          operationId: 'getAssetPrices',
          summary: 'Close prices of the stored aggregated series, for charts',
          description:
            `The last \`days\` (max ${LIMITS.prices.maxDays}) ending at the latest stored bar, downsampled to at most ` +
            `${LIMITS.prices.maxPoints} points (the last close of each bucket).`,
          requestParams: { path: assetPathSchema, query: pricesQuerySchema },
          responses: ok('The price series.', pricesResponseSchema, { '400': errors.badRequest, '404': errors.notFound }),
        }),
      },
      '/v1/proposals': {
        get: read({
          operationId: 'listProposals',
          summary: 'Governance proposals, newest first, with links to where they were posted',
          description: `\`limit\` 1-${LIMITS.proposals.maxLimit} (default ${LIMITS.proposals.defaultLimit}); a page may hold fewer items than \`limit\`.`,
          requestParams: { query: proposalsQuerySchema },
          responses: ok('One page of proposals.', proposalsResponseSchema, { '400': errors.badRequest }),
        }),
      },
      '/v1/proposals/{id}/payload': {
        get: read({
          operationId: 'getProposalPayload',
          summary: "A lending proposal's risk-steward calls as a Safe Transaction Builder batch",
          description:
            'The `updateCollateralSide` and `updateCaps` calls of the bounded steps, ABI-encoded for the Aave risk steward (caps in whole ' +
            'tokens, unchanged fields KEEP_CURRENT): load it in the Safe Transaction Builder. 404 for an unknown proposal and for one ' +
            'without a payload (a perp market, or no change a steward can take).',
          requestParams: { path: z.object({ id: z.string().meta({ description: 'Proposal id.' }) }) },
          responses: ok('The Safe batch.', safeBatchSchema, { '404': errors.notFound }),
        }),
      },
      '/v1/runs/{id}': {
        get: read({
          operationId: 'getRun',
          summary: 'A run: trigger, status, what it produced',
          requestParams: { path: runPathSchema },
          responses: ok('The run.', runResponseSchema, { '404': errors.notFound }),
        }),
      },
      '/v1/recompute': {
        post: {
          tags: ['write'],
          operationId: 'recompute',
          summary: 'Ask for an ad-hoc recomputation',
          description:
            'Queues a run (plan, worker, finalize, publish) for the given assets, or joins a run already queued or running that covers ' +
            'them (a run without assets covers every asset): then `coalesced: true` and that run\'s id. Recompute runs in flight are ' +
            'bounded (`schedule.maxRunsInFlight`: 503 beyond it) and each caller may start `schedule.recomputesPerCallerPerHour` ' +
            'runs per clock hour (429 beyond it; joining a run is free). Not open to other origins (no CORS).',
          security: [{ bearerToken: [] }, { awsSigV4: [] }],
          requestBody: { required: false, content: { [JSON_TYPE]: { schema: recomputeBodySchema } } },
          responses: {
            '202': {
              description: 'Queued, or joined a run in flight (`coalesced: true`): follow `links.run`.',
              content: { [JSON_TYPE]: { schema: recomputeAcceptedSchema } },
              headers: z.object({ location: z.string().meta({ description: 'The run: /v1/runs/{id}.' }) }),
            },
            '400': errors.badRequest,
            '401': errors.unauthorized,
            '413': errors.payloadTooLarge,
            '415': errors.unsupportedMediaType,
            '429': {
              ...problemResponse(
                'This caller started `schedule.recomputesPerCallerPerHour` runs this clock hour (code RECOMPUTE_RATE_LIMITED), or the ' +
                  'per-client request rate was exceeded (locally; in the cloud API Gateway throttling answers `{"message": ...}`).',
                z.object({ 'retry-after': z.string().meta({ description: 'Seconds to wait.' }) }),
              ),
              content: { [PROBLEM]: { schema: problemSchema }, [JSON_TYPE]: { schema: gatewayThrottleSchema } },
            },
            '500': errors.internal,
            '503': problemResponse(
              '`schedule.maxRunsInFlight` recompute runs are in flight and none covers these assets (code RECOMPUTE_BUSY): a capacity ' +
                'bound of the whole service, not this caller\'s doing; or, rarely, the gate kept changing under the request ' +
                '(RECOMPUTE_CONTENDED).',
              z.object({ 'retry-after': z.string().meta({ description: 'Seconds to wait: about how long a run takes.' }) }),
            ),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'Local runtime (ADVISOR_AUTH_MODE=token): `Authorization: Bearer <token>`, the token in `.advisor/api-token` ' +
            '(or ADVISOR_API_TOKEN).',
        },
        awsSigV4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'Cloud (ADVISOR_AUTH_MODE=iam): a request signed with AWS Signature Version 4 for the `execute-api` service by a ' +
            'principal allowed `execute-api:Invoke` on the route; API Gateway\'s IAM authorizer verifies it before the ' +
            'function runs, e.g. `curl --aws-sigv4 "aws:amz:<region>:execute-api" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"`.',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
      responses: { MethodNotAllowed: { ...problemResponse('The path exists but not for this method.', z.object({ allow: z.string() })), id: 'MethodNotAllowed' } },
    },
  });
  return document as unknown as Record<string, unknown>;
}
