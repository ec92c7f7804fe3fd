import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InputsRepository } from './inputs.js';
import { ProposalRepository } from './proposals.js';
import { PublicationRepository } from './publications.js';
import { RecommendationRepository } from './recommendations.js';
import { RecomputeRepository } from './recompute.js';
import { RunRepository } from './runs.js';
import { SeriesRepository } from './series.js';
import { SnapshotRepository } from './snapshots.js';
import { VenueBudgetRepository } from './venue-budget.js';

/** Every repository over the one table. */
export interface Store {
  series: SeriesRepository;
  snapshots: SnapshotRepository;
  recommendations: RecommendationRepository;
  runs: RunRepository;
  proposals: ProposalRepository;
  /** The last published proposal per market: what a run's proposal is compared against (issue 16). */
  publications: PublicationRepository;
  /** Venue rate budgets shared by every worker (the live market's fleet limiter). */
  venueBudgets: VenueBudgetRepository;
  recompute: RecomputeRepository;
  /** The exact inputs of every recommendation version, content-addressed (npm run reproduce). */
  inputs: InputsRepository;
}

export function createStore(doc: DynamoDBDocumentClient, tableName: string): Store {
  return {
    series: new SeriesRepository(doc, tableName),
    snapshots: new SnapshotRepository(doc, tableName),
    recommendations: new RecommendationRepository(doc, tableName),
    runs: new RunRepository(doc, tableName),
    proposals: new ProposalRepository(doc, tableName),
    publications: new PublicationRepository(doc, tableName),
    venueBudgets: new VenueBudgetRepository(doc, tableName),
    recompute: new RecomputeRepository(doc, tableName),
    inputs: new InputsRepository(doc, tableName),
  };
}
