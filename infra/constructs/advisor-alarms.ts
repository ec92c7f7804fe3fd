import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The metrics the finalize function emits through Powertools (default dimension `service`). */
export const STALENESS_METRIC = { name: 'DataAgeMaxSeconds', dimension: 'service' } as const;
export const MISSING_INPUTS_METRIC = { name: 'RecommendationsMissingInputs', dimension: 'service' } as const;

/** Errors and queue depths are read over five minutes: soon enough for an hourly cycle, few flaps. */
const WATCH_PERIOD = Duration.minutes(5);

/** Where each alarm's description sends the reader. */
const RUNBOOK = 'docs/deploy.md#alarms';

/** A run metric the finalizer emits through Powertools, at its maximum over the period. */
function runMetric(of: { name: string; dimension: string }, namespace: string, service: string, periodMinutes: number): Metric {
  return new Metric({ namespace, metricName: of.name, dimensionsMap: { [of.dimension]: service }, statistic: 'Maximum', period: Duration.minutes(periodMinutes) });
}

export interface AdvisorAlarmsProps {
  /** Subscribed to the stage's topic when given. */
  readonly email?: string;
}

/**
 * The stage's alarms, all sending ALARM and OK to one SNS topic: function errors, dead-letter queue
 * depths, the asset queue's backlog age, API 5xx, and stale data (a Powertools metric, where no
 * data at all counts as stale: no run means no fresh recommendation).
 */
export class AdvisorAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AdvisorAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: `${Stack.of(this).stackName} alarms`, enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and states, no data. CloudWatch cannot publish to a topic encrypted ' +
        "with the AWS-managed SNS key, and a customer-managed key would cost more than the stage's alarms",
    });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
  }

  /** Any crash of the function (an invocation that ended in an error). */
  watchFunctionErrors(id: string, fn: IFunction, name: string): Alarm {
    return this.add(id, fn.metricErrors({ period: WATCH_PERIOD, statistic: 'Sum' }), {
      description: `The ${name} function failed at least once in 5 minutes`,
      threshold: 1,
    });
  }

  /** A message in a dead-letter queue: work that exhausted its retries. */
  watchDeadLetterQueue(id: string, queue: IQueue, what: string): Alarm {
    return this.add(id, queue.metricApproximateNumberOfMessagesVisible({ period: WATCH_PERIOD, statistic: 'Maximum' }), {
      description: `${what} landed in a dead-letter queue after its retries`,
      threshold: 1,
    });
  }

  /** The oldest message waited longer than allowed: the workers are not keeping up (or not running). */
  watchQueueAge(id: string, queue: IQueue, maxAgeMinutes: number): Alarm {
    return this.add(id, queue.metricApproximateAgeOfOldestMessage({ period: WATCH_PERIOD, statistic: 'Maximum' }), {
      description: `A per-asset message has waited over ${maxAgeMinutes} min`,
      threshold: maxAgeMinutes * 60,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }

  watchApiServerErrors(id: string, api: HttpApi, perFiveMinutes: number): Alarm {
    return this.add(id, api.metricServerError({ period: WATCH_PERIOD, statistic: 'Sum' }), {
      description: `The HTTP API answered ${perFiveMinutes} or more 5xx in 5 minutes`,
      threshold: perFiveMinutes,
    });
  }

  /**
   * The oldest market data behind a run's recommendations is older than `staleAfterMinutes`, or no
   * run reported at all within that window. The window is the alarm's period, so it must hold at
   * least one healthy run (stages.ts checks it is at least one cycle).
   */
  watchDataAge(id: string, namespace: string, service: string, staleAfterMinutes: number): Alarm {
    return this.add(id, runMetric(STALENESS_METRIC, namespace, service, staleAfterMinutes), {
      description: `Market data behind the recommendations is over ${staleAfterMinutes} min old, or no run finished in ${staleAfterMinutes} min`,
      threshold: staleAfterMinutes * 60,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
    });
  }

  /**
   * A run held parameters because an input (candles, a book) was absent or stale: nothing was cut for it,
   * but the data feed needs a look. Missing data points (no run) are the staleness alarm's business.
   */
  watchMissingInputs(id: string, namespace: string, service: string, periodMinutes: number): Alarm {
    return this.add(id, runMetric(MISSING_INPUTS_METRIC, namespace, service, periodMinutes), {
      description: 'A run held parameters at their live values because an input (candles or an order book) was missing or stale',
      threshold: 1,
    });
  }

  private add(
    id: string,
    metric: IMetric,
    options: { description: string; threshold: number; comparisonOperator?: ComparisonOperator; treatMissingData?: TreatMissingData },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: `${Stack.of(this).stackName}-${id}`,
      alarmDescription: `${options.description}. What to do: ${RUNBOOK}`,
      metric,
      threshold: options.threshold,
      evaluationPeriods: 1,
      comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // Errors, 5xx and queue metrics are simply absent when nothing happens: that is healthy.
      treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }
}
