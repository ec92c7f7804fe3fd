/**
 * Names of the publish targets, recorded on each proposal (`Proposal.target`). Kept apart from the sinks
 * so a function can name the configured target without loading the HTTP clients (the finalize function).
 */
export const TARGET_NAMES = { discourse: 'discourse', webhook: 'webhook', localOutbox: 'local-outbox' } as const;

/** Several targets served in order (FanOutSink): their names joined, e.g. `discourse+webhook`. */
export function combinedTargetName(names: readonly string[]): string {
  return names.join('+');
}
