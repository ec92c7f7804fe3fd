import { recommendationSchema, type Recommendation, type RecommendationDraft } from '../model/recommendation.js';
import { VersionConflictError } from './errors.js';
import { TableRepository } from './repository.js';
import { GSI1, keys } from './table.js';

export interface Page<T> {
  items: T[];
  /** Pass back to get the next page; null on the last page. */
  nextCursor: string | null;
}

const MAX_APPEND_ATTEMPTS = 12;

/**
 * Immutable recommendation versions per (asset, profile) plus a latest pointer.
 * - Versions: pk ASSET#<sym>, sk REC#<profile>#V#<version>, written once (attribute_not_exists).
 * - Pointer:  pk ASSET#<sym>, sk REC#<profile>#LATEST, a full copy of the newest version, moved only
 *   forward by a conditional write (version < new version), and indexed by profile in gsi1.
 * Two writers racing for the same version number: one wins, the other takes the next number, so no
 * version is lost and the pointer ends on the highest.
 * The version and the pointer are two writes: a process killed between them leaves a version newer
 * than the pointer. `rollForward` repairs one pair (the worker calls it before each append, so
 * the next write repairs it) and `repairPointers` every pair (the local runtime at start).
 */
export class RecommendationRepository extends TableRepository {
  async append(draft: RecommendationDraft): Promise<Recommendation> {
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const version = (await this.highestVersion(draft.asset, draft.profileId)) + 1;
      const recommendation = recommendationSchema.parse({ ...draft, version });
      const written = await this.conditionalPut({
        Item: {
          pk: keys.asset(draft.asset),
          sk: keys.recommendationVersion(draft.profileId, version),
          ...recommendation,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      if (!written) {
        // Another writer took this number: back off a little (jittered) and take the next one.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
        continue;
      }
      await this.movePointer(recommendation);
      return recommendation;
    }
    throw new VersionConflictError(draft.asset, draft.profileId, MAX_APPEND_ATTEMPTS);
  }

  /**
   * Moves the pointer to the highest stored version when a crash left it behind, and returns that
   * version (null when none is stored). Two reads when nothing needs repair.
   */
  async rollForward(asset: string, profileId: string): Promise<{ highest: Recommendation | null; repaired: boolean }> {
    const [highest, pointer] = await Promise.all([this.highestStored(asset, profileId), this.pointerVersion(asset, profileId)]);
    if (!highest || highest.version <= pointer) return { highest, repaired: false };
    await this.movePointer(highest);
    return { highest, repaired: true };
  }

  /** `rollForward` over many (asset, profile) pairs, a few at a time; returns the pairs repaired. */
  async repairPointers(pairs: readonly { asset: string; profileId: string }[], concurrency = 8): Promise<{ asset: string; profileId: string; version: number }[]> {
    const repaired: { asset: string; profileId: string; version: number }[] = [];
    for (let start = 0; start < pairs.length; start += concurrency) {
      const batch = pairs.slice(start, start + concurrency);
      const results = await Promise.all(batch.map((p) => this.rollForward(p.asset, p.profileId)));
      results.forEach((r, i) => {
        if (r.repaired && r.highest) repaired.push({ ...batch[i]!, version: r.highest.version });
      });
    }
    return repaired;
  }

  private async highestStored(asset: string, profileId: string): Promise<Recommendation | null> {
    const item = await this.newestWithPrefix(keys.asset(asset), keys.recommendationVersionPrefix(profileId));
    return item ? recommendationSchema.parse(item) : null;
  }

  private async pointerVersion(asset: string, profileId: string): Promise<number> {
    const item = await this.getItem({ pk: keys.asset(asset), sk: keys.recommendationLatest(profileId) }, 'version');
    return (item?.version as number | undefined) ?? 0;
  }

  private async movePointer(recommendation: Recommendation): Promise<void> {
    // A failed condition: a newer version already holds the pointer. It only moves forward, so there is nothing to do.
    await this.conditionalPut({
      Item: {
        pk: keys.asset(recommendation.asset),
        sk: keys.recommendationLatest(recommendation.profileId),
        gsi1pk: keys.latestByProfile(recommendation.profileId),
        gsi1sk: keys.asset(recommendation.asset),
        ...recommendation,
      },
      ConditionExpression: 'attribute_not_exists(pk) OR version < :version',
      ExpressionAttributeValues: { ':version': recommendation.version },
    });
  }

  private async highestVersion(asset: string, profileId: string): Promise<number> {
    const item = await this.newestWithPrefix(keys.asset(asset), keys.recommendationVersionPrefix(profileId), 'version');
    return (item?.version as number | undefined) ?? 0;
  }

  async latest(asset: string, profileId: string): Promise<Recommendation | null> {
    const item = await this.getItem({ pk: keys.asset(asset), sk: keys.recommendationLatest(profileId) });
    return item ? recommendationSchema.parse(item) : null;
  }

  /** One stored version, or null. */
  async version(asset: string, profileId: string, version: number): Promise<Recommendation | null> {
    const item = await this.getItem({ pk: keys.asset(asset), sk: keys.recommendationVersion(profileId, version) });
    return item ? recommendationSchema.parse(item) : null;
  }

  /** Latest recommendation of every asset of a profile (gsi1), sorted by asset. */
  async latestForProfile(profileId: string): Promise<Recommendation[]> {
    const items: Recommendation[] = [];
    await this.queryAll(
      { IndexName: GSI1, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': keys.latestByProfile(profileId) } },
      (item) => items.push(recommendationSchema.parse(item)),
    );
    return items;
  }

  /** Versions newest first, `limit` per page. */
  async history(asset: string, profileId: string, options: { limit: number; cursor?: string }): Promise<Page<Recommendation>> {
    const pk = keys.asset(asset);
    const page = await this.queryPage(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.recommendationVersionPrefix(profileId) },
        ScanIndexForward: false,
      },
      options.limit,
      options.cursor,
      pk,
    );
    return { items: page.items.map((item) => recommendationSchema.parse(item)), nextCursor: page.nextCursor };
  }
}
