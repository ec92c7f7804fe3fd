import * as z from 'zod';
import { publishedBaselineSchema, type MarketMode, type PublishedBaseline } from '../model/publication.js';
import { TableRepository } from './repository.js';
import { keys } from './table.js';

/** The stored pointer of a market: the last published proposal, the one before it, and a version for compare-and-swap. */
const publicationItemSchema = z.object({
  version: z.number().int().min(1),
  current: publishedBaselineSchema,
  /** The one before `current`: a retried finalizer of `current`'s run redrafts against it. */
  previous: publishedBaselineSchema.nullable(),
});
export type PublicationPointer = z.infer<typeof publicationItemSchema>;

/**
 * The last published proposal of each market (issue 16): pk PUBLISHED#<profile>#<live|simulated|historical>,
 * sk LATEST, one small item per market (what it asked, a few hundred bytes per change). A finalizer reads
 * it, decides (shared/governance/cadence.ts), and moves it to its own run with a conditional write on the
 * version it read, before storing its proposals: of two finalizers racing for one market, one moves it
 * and the other finds the version changed, reads again and decides against the winner's proposal.
 * A single-item conditional write, which dynalite supports (it has no transactions).
 */
export class PublicationRepository extends TableRepository {
  async latest(profileId: string, mode: MarketMode): Promise<PublicationPointer | null> {
    const item = await this.getItem({ pk: keys.publication(profileId, mode), sk: keys.publicationSort });
    return item ? publicationItemSchema.parse(item) : null;
  }

  /**
   * Makes `current` the market's last published proposal, if the pointer is still at `expectedVersion`
   * (null: there was none). False when another finalizer moved it first: nothing was written.
   */
  async record(profileId: string, mode: MarketMode, current: PublishedBaseline, read: PublicationPointer | null): Promise<boolean> {
    const item: PublicationPointer = { version: (read?.version ?? 0) + 1, current, previous: read?.current ?? null };
    return this.conditionalPut({
      Item: { pk: keys.publication(profileId, mode), sk: keys.publicationSort, ...publicationItemSchema.parse(item) },
      ...(read === null
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': read.version } }),
    });
  }
}
