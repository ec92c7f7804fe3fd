import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { baseDepsFromEnvironment, SERVICE_NAME, type BaseDeps } from '../../shared/cycle/deps.js';
import { publishTargetOf } from '../../shared/cycle/environment.js';
import { finalizeRun, type FinalizeResult } from '../../shared/cycle/finalize.js';
import type { FinalizeEvent } from '../../shared/cycle/invoker.js';

/** The run's health as CloudWatch metrics (EMF): the staleness alarm watches DataAgeMaxSeconds. */
export type RunMetricsSink = (result: FinalizeResult) => void;

/** Locally the CLI reports the run itself: no EMF output. */
export const NO_RUN_METRICS: RunMetricsSink = () => {};

/** Created at the first run, not at import: importing this module (the local runtime, tests) builds no Metrics. */
export function powertoolsRunMetrics(create = () => new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'LeverageAdvisor', serviceName: SERVICE_NAME })): RunMetricsSink {
  let metrics: Metrics | undefined;
  return (result) => {
    metrics ??= create();
    if (result.dataAgeMaxSeconds !== null) metrics.addMetric('DataAgeMaxSeconds', MetricUnit.Seconds, result.dataAgeMaxSeconds);
    metrics.addMetric('AssetsFailed', MetricUnit.Count, result.assetsFailed);
    metrics.addMetric('Recommendations', MetricUnit.Count, result.recommendations);
    metrics.addMetric('RecommendationsMissingInputs', MetricUnit.Count, result.recommendationsMissingInputs);
    metrics.publishStoredMetrics();
  };
}

/** Started by the worker that completed a run: proposals, the run's outcome, metrics, then publish. */
export function createFinalizeHandler(deps: () => BaseDeps, recordMetrics: RunMetricsSink = powertoolsRunMetrics()) {
  return async (event: FinalizeEvent, context?: Context) => {
    const d = deps();
    d.logger.addContext(context ?? ({} as Context));
    const result = await finalizeRun({ ...d, publishTarget: publishTargetOf(d.env) }, { runId: event.runId, closeIncomplete: event.closeIncomplete === true });
    if (result) recordMetrics(result);
    return { runId: event.runId, status: result?.status ?? null, ...(result ?? {}) };
  };
}

export const handler = createFinalizeHandler(baseDepsFromEnvironment);
