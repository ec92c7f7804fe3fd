/**
 * What each Lambda function is given, by its role (shared/cycle/roles.ts), in one place: memory,
 * timeout, and the only DynamoDB actions it may call. The same in every deployment stage; stages.ts
 * holds what differs between dev and prod.
 *
 * The DynamoDB lists are the one source of the IAM roles' table grants (AdvisorTable.grantActions), and
 * they are not written by hand from reading the code: test/integration/iam-actions.test.ts runs every
 * handler through its flows on a recording client and fails, naming the action and the list, when a
 * function sends an action its list lacks (or its list holds one it never sends).
 */

import { INVOKED_ROLES, type FunctionRole } from '../shared/cycle/roles.js';

/** The handlers live in functions/<role>/handler.ts, each exporting `handler`. */
export { FUNCTION_ROLES, type FunctionRole } from '../shared/cycle/roles.js';

/** DynamoDB item actions, by their IAM names (`dynamodb:<name>`; the SDK's `<name>Command`). */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'Scan' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem' | 'ConditionCheckItem';
/** What may target an index: reads only. */
export type IndexAction = 'Query' | 'Scan';

export interface FunctionSpec {
  readonly description: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Actions on the table itself (IAM resource: the table ARN), exactly those the function sends. */
  readonly tableActions: readonly TableAction[];
  /** Actions on the table's global secondary indexes (`<table ARN>/index/<name>`), exactly those it sends. */
  readonly indexActions: readonly IndexAction[];
  /**
   * Keep class names through minification (esbuild keepNames), so logged errors read `AssetBusyError`
   * rather than a mangled name. Costs ~40 KB and ~40 ms of cold start (`npm run bench`).
   */
  readonly keepClassNames: boolean;
}

export const FUNCTION_SPECS: Record<FunctionRole, FunctionSpec> = {
  plan: {
    description: 'Planner: starts a run and queues one message per asset',
    // Reads the config and sends batches of 10 messages: light, and done in seconds even for 1,000 assets.
    memoryMb: 512,
    timeoutSeconds: 120,
    tableActions: ['GetItem', 'PutItem', 'UpdateItem'],
    indexActions: [],
    keepClassNames: true,
  },
  worker: {
    description: "Per-asset worker: pulls one asset's market data and computes its recommendations",
    // One asset's year of hourly bars, books and 10,000 simulation paths per profile; more memory is also more CPU.
    memoryMb: 1024,
    timeoutSeconds: 180,
    // BatchWriteItem: a version's stored inputs (issue 16), 25 parts to a request.
    tableActions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'],
    indexActions: [],
    keepClassNames: true,
  },
  finalize: {
    description: "Finalizer: drafts proposals from a run's recommendations and closes the run",
    memoryMb: 1024,
    timeoutSeconds: 300,
    tableActions: ['GetItem', 'Query', 'PutItem', 'UpdateItem'],
    indexActions: [],
    keepClassNames: true,
  },
  publish: {
    description: 'Sends pending proposals from the outbox to the forum and/or webhook',
    memoryMb: 256,
    // Below the dispatch lease (publishLeaseMs), so a proposal is never sent by two dispatchers at once.
    timeoutSeconds: 90,
    // The outbox: pending proposals by the status index, claimed and settled by conditional updates.
    tableActions: ['GetItem', 'UpdateItem'],
    indexActions: ['Query'],
    keepClassNames: true,
  },
  api: {
    description: 'HTTP API and dashboard: reads, and POST /v1/recompute',
    // Lambda gives CPU in proportion to memory: twice the CPU of 512 MB for a faster cold start, at a few requests' cost.
    memoryMb: 1024,
    // Below API Gateway's 30 s integration limit, so a slow read fails in the function, visibly.
    timeoutSeconds: 10,
    // PutItem: POST /v1/recompute queues a run. BatchGetItem: GET /v1/proposals reads a page of proposals at once.
    // UpdateItem and DeleteItem: the recompute gate (store/recompute.ts).
    tableActions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
    indexActions: ['Query'],
    // Cold start is what a reader waits for (budget 300 ms); its errors reach callers and logs by their
    // problem `code`, which minification does not touch.
    keepClassNames: false,
  },
};

/** Lambda's async-invoke settings for the functions started by a schedule or by another function. */
export const ASYNC_INVOKE = { retryAttempts: 2, roles: INVOKED_ROLES } as const satisfies {
  retryAttempts: number;
  roles: readonly FunctionRole[];
};

/** SQS guidance: a visibility timeout of at least six times the consumer's timeout, so retries do not overlap. */
export const QUEUE_VISIBILITY_PER_WORKER_TIMEOUT = 6;
/** Deliveries of one asset message before it is parked in the asset dead-letter queue. */
export const ASSET_MAX_RECEIVE_COUNT = 3;

/**
 * The dispatch lease (ADVISOR_PUBLISH_LEASE_MS) given to publish: its timeout plus a margin, so a
 * dispatcher killed at its deadline still holds the proposal until it is certainly dead.
 */
export const PUBLISH_LEASE_MARGIN_SECONDS = 30;
export const publishLeaseMs = (spec: FunctionSpec = FUNCTION_SPECS.publish) => (spec.timeoutSeconds + PUBLISH_LEASE_MARGIN_SECONDS) * 1000;
