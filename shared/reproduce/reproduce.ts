import { DEFAULT_CONFIG } from '../config/defaults.js';
import { recommendationDraftOf } from '../cycle/compute-recommendation.js';
import { recommendationSchema, type Recommendation } from '../model/recommendation.js';
import type { BookSummary } from '../model/snapshot.js';
import { computeParameters } from '../risk/engine/recommend.js';
import type { Store } from '../store/index.js';
import type { StoredPart } from '../store/inputs.js';
import { AdvisorError } from '../util/errors.js';
import { differences, type FigureDifference } from './diff.js';
import { decodeBars, engineInputsOf, parseJsonPart, tailRecordDigest, type ConfigPart, type InputPartKind, type InputsManifest } from './inputs.js';

/**
 * `npm run reproduce`: rebuild a stored version's inputs from the table (shared/store/inputs.ts), check every
 * part against its digest and the manifest against the version's `inputsDigest`, run the engine again and
 * compare the whole record, leaf by leaf. Any code and data path the cycle takes is the one taken here
 * (recommendationDraftOf, computeParameters), so "identical" means this code recomputes that version.
 */

/** No such version is stored. */
export class VersionNotFoundError extends AdvisorError {
  constructor(asset: string, profileId: string, version: number) {
    super('VERSION_NOT_FOUND', `no stored version ${version} of ${asset} / ${profileId}`, { asset, profileId, version });
  }
}

/** The version exists but a part of its inputs is not stored (versions written before inputs were kept, issue 16). */
export class InputsNotStoredError extends AdvisorError {
  constructor(asset: string, profileId: string, version: number, kind: InputPartKind, digest: string) {
    super(
      'INPUTS_NOT_STORED',
      `version ${version} of ${asset} / ${profileId} cannot be rebuilt: its ${kind} ${digest.slice(0, 19)}… is not stored` +
        (kind === 'manifest' ? ' (a version written before its inputs were kept)' : ''),
      { asset, profileId, version, kind, digest },
    );
  }
}

/** A stored part whose bytes no longer hash to the digest it is stored (and referenced) under. */
export interface AlteredPart {
  kind: InputPartKind;
  /** The digest the version refers to. */
  expected: string;
  /** The digest of the bytes stored under it. */
  actual: string;
}

export interface ReproduceResult {
  asset: string;
  profileId: string;
  version: number;
  identical: boolean;
  alteredInputs: AlteredPart[];
  differences: FigureDifference[];
  /** Why a difference may come from the code rather than the data (methodology version, tail record on file). */
  warnings: string[];
  /** What was rebuilt: bars, book venues, clock, seed. */
  rebuilt: { bars: number; blocks: number; bookVenues: number; nowMs: number; seed: number; methodologyVersion: string };
}

export interface ReproduceRequest {
  asset: string;
  profileId: string;
  version: number;
}

/** Recomputes one stored version; throws VersionNotFoundError or InputsNotStoredError when it cannot be rebuilt. */
export async function reproduceVersion(store: Store, request: ReproduceRequest): Promise<ReproduceResult> {
  const { asset, profileId, version } = request;
  const stored = await store.recommendations.version(asset, profileId, version);
  if (!stored) throw new VersionNotFoundError(asset, profileId, version);
  const altered: AlteredPart[] = [];
  const need = async (part: Promise<StoredPart | null>, kind: InputPartKind, digest: string): Promise<StoredPart> => {
    const got = await part;
    if (!got) throw new InputsNotStoredError(asset, profileId, version, kind, digest);
    if (got.actualDigest !== digest) altered.push({ kind, expected: digest, actual: got.actualDigest });
    return got;
  };
  const manifest = parseJsonPart<InputsManifest>(await need(store.inputs.get('manifest', stored.inputsDigest), 'manifest', stored.inputsDigest));
  const config = parseJsonPart<ConfigPart>(await need(store.inputs.get('config', manifest.config), 'config', manifest.config));
  const books = parseJsonPart<BookSummary[]>(await need(store.inputs.get('books', manifest.books), 'books', manifest.books));
  const blockParts = await store.inputs.getMany('bars', manifest.candles.blocks);
  const blocks = await Promise.all(blockParts.map((p, i) => need(Promise.resolve(p), 'bars', manifest.candles.blocks[i]!)));
  const inputs = engineInputsOf(manifest, config, books, blocks.map((b) => decodeBars(b.bytes)));
  const computed = computeParameters(inputs);
  const draft = recommendationDraftOf(inputs, computed, {
    runId: stored.runId,
    nowMs: manifest.nowMs,
    methodologyVersion: config.methodologyVersion,
    // The digest of the manifest as read: an altered manifest shows here as well as in alteredInputs.
    inputsDigest: altered.find((a) => a.kind === 'manifest')?.actual ?? stored.inputsDigest,
    snapshot: { simulated: stored.simulated, historical: stored.historical, source: 'sim', takenAtMs: stored.snapshotTakenAtMs },
    // Provenance of the current values, not an engine output: the stored profile part already holds the values used.
    ...(stored.profileKind === 'lending' && stored.currentSource ? { currentSource: stored.currentSource } : {}),
  });
  const recomputed: Recommendation = recommendationSchema.parse({ ...draft, version });
  const found = differences(stored, recomputed);
  return {
    asset,
    profileId,
    version,
    identical: found.length === 0 && altered.length === 0,
    alteredInputs: altered,
    differences: found,
    warnings: warningsOf(manifest, config),
    rebuilt: {
      bars: inputs.candles.length,
      blocks: blocks.length,
      bookVenues: books.length,
      nowMs: manifest.nowMs,
      seed: config.policy.simulationSeed,
      methodologyVersion: config.methodologyVersion,
    },
  };
}

function warningsOf(manifest: InputsManifest, config: ConfigPart): string[] {
  const warnings: string[] = [];
  if (config.methodologyVersion !== DEFAULT_CONFIG.methodologyVersion) {
    warnings.push(`stored with methodology ${config.methodologyVersion}; this code is ${DEFAULT_CONFIG.methodologyVersion}: differences may come from the code`);
  }
  if (manifest.tailRecord !== tailRecordDigest(manifest.asset)) {
    warnings.push(`the through-the-cycle record on file for ${manifest.asset} changed since (npm run calibrate:risk): the tail floor may differ`);
  }
  return warnings;
}
