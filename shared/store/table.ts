import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single table's key schema, defined once: the CDK stack (infra/) and the local runtime (local/)
 * both build their table from this.
 */
export const TABLE_DEFINITION = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
    },
  ],
  /** Epoch seconds; set on data that may expire (old snapshots). DynamoDB TTL is enabled in CDK only. */
  timeToLiveAttribute: 'expiresAt',
} as const;

export const GSI1 = TABLE_DEFINITION.globalSecondaryIndexes[0].indexName;

export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, globalSecondaryIndexes } = TABLE_DEFINITION;
  const attributes = new Map<string, 'S'>();
  attributes.set(partitionKey.name, partitionKey.type);
  attributes.set(sortKey.name, sortKey.type);
  for (const gsi of globalSecondaryIndexes) {
    attributes.set(gsi.partitionKey.name, gsi.partitionKey.type);
    attributes.set(gsi.sortKey.name, gsi.sortKey.type);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: 'HASH' },
      { AttributeName: sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: globalSecondaryIndexes.map((gsi) => ({
      IndexName: gsi.indexName,
      KeySchema: [
        { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: gsi.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

/** Key builders: the only place that knows how entities map onto pk/sk. */
export const keys = {
  asset: (symbol: string) => `ASSET#${symbol}`,
  seriesChunk: (interval: string, chunkIndex: number) => `SERIES#${interval}#${String(chunkIndex).padStart(10, '0')}`,
  seriesPrefix: (interval: string) => `SERIES#${interval}#`,
  snapshot: (takenAtMs: number) => `SNAP#${new Date(takenAtMs).toISOString()}`,
  snapshotPrefix: 'SNAP#',
  recommendationVersion: (profileId: string, version: number) => `REC#${profileId}#V#${String(version).padStart(10, '0')}`,
  recommendationVersionPrefix: (profileId: string) => `REC#${profileId}#V#`,
  recommendationLatest: (profileId: string) => `REC#${profileId}#LATEST`,
  latestByProfile: (profileId: string) => `PROFILE#${profileId}`,
  run: (id: string) => `RUN#${id}`,
  runSort: 'RUN',
  runAsset: (symbol: string) => `ASSET#${symbol}`,
  runAssetPrefix: 'ASSET#',
  runAssetClaim: (symbol: string) => `CLAIM#${symbol}`,
  /** issue 16: the cycle's chain reading of a lending profile, written once by the plan function. */
  runChain: (profileId: string) => `CHAIN#${profileId}`,
  runChainPrefix: 'CHAIN#',
  /** One item holding the ids of the runs started and not yet finished (a string set). */
  activeRuns: 'RUNS',
  activeRunsSort: 'ACTIVE',
  proposal: (id: string) => `PROPOSAL#${id}`,
  proposalSort: 'PROPOSAL',
  /** The proposal log: every proposal ever drafted, newest last by sort key (GET /v1/proposals). */
  proposalLog: 'PROPOSALS',
  proposalLogSort: (createdAtMs: number, id: string) => `${String(createdAtMs).padStart(15, '0')}#${id}`,
  outboxPending: 'OUTBOX#pending',
  /** The newest run's proposal per market and asset set (see assetSetKeyOf): what supersedes older ones. */
  proposalThread: (assetSetKey: string) => `PROPOSAL_SET#${assetSetKey}`,
  proposalThreadSort: 'LATEST',
  /** The last published proposal of a market (profile and live/simulated/historical; shared/store/publications.ts). */
  publication: (profileId: string, mode: string) => `PUBLISHED#${profileId}#${mode}`,
  publicationSort: 'LATEST',
  /** A venue's rate budget shared by the fleet (a token bucket; shared/store/venue-budget.ts). */
  venueBudget: (venue: string) => `VENUE#${venue}`,
  venueBudgetSort: 'BUDGET',
  /** The recompute runs in flight and each caller's count this hour, with a version for compare-and-swap. */
  recomputeInFlight: 'RECOMPUTE',
  recomputeInFlightSort: 'INFLIGHT',
  /** A content-addressed input of recommendation versions (shared/store/inputs.ts): by digest, then kind. */
  input: (digest: string) => `INPUT#${digest}`,
  inputSort: (kind: string) => kind.toUpperCase(),
} as const;
