import { describe, expect, it } from 'vitest';
import { StageConfigError, UnknownStageError } from '../../infra/errors.js';
import { metricsNamespaceOf, resolveStageConfig } from '../../infra/stages.js';
import { DEFAULT_CONFIG } from '../../shared/config/defaults.js';

/** A context reader over a plain object, as `-c key=value` gives strings. */
const context = (values: Record<string, unknown>) => (key: string) => values[key];
const PROD = context({ alarmEmail: 'ops@example.org' });

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof StageConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a StageConfigError');
}

describe('stage configuration', () => {
  it('refuses an unknown stage, naming the allowed ones', () => {
    expect(() => resolveStageConfig('staging')).toThrow(UnknownStageError);
    expect(() => resolveStageConfig('staging')).toThrow('unknown stage "staging": use -c stage=<dev|prod>');
    const error = (() => {
      try {
        resolveStageConfig('Prod');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UnknownStageError);
    expect((error as UnknownStageError).details).toEqual({ stage: 'Prod', allowed: ['dev', 'prod'] });
  });

  it('runs prod on the methodology schedule with its data retained, and dev cheaper and disposable', () => {
    const dev = resolveStageConfig('dev');
    const prod = resolveStageConfig('prod', PROD);
    expect(prod.schedule).toEqual(DEFAULT_CONFIG.schedule);
    expect(dev.schedule.cycleEveryMinutes).toBeGreaterThan(prod.schedule.cycleEveryMinutes);
    expect([prod.retainData, prod.pointInTimeRecovery, prod.marketSource]).toEqual([true, true, 'live']);
    expect([dev.retainData, dev.pointInTimeRecovery, dev.marketSource]).toEqual([false, false, 'sim']);
    expect(prod.logRetentionDays).toBe(365);
    expect(dev.logRetentionDays).toBe(7);
    expect(prod.concurrency).toMatchObject({ finalizeReserved: 2, publishReserved: 1 });
    expect(dev.concurrency.finalizeReserved).toBeUndefined();
    expect(prod.concurrency.workerMax).toBeGreaterThan(dev.concurrency.workerMax);
  });

  it('defaults the staleness window to two cycles', () => {
    expect(resolveStageConfig('prod', PROD).alarms.dataStaleAfterMinutes).toBe(120);
    expect(resolveStageConfig('dev').alarms.dataStaleAfterMinutes).toBe(720);
    expect(resolveStageConfig('dev', context({ cycleEveryMinutes: '90' })).alarms.dataStaleAfterMinutes).toBe(180);
  });

  it('requires an alarm email in prod, naming the context key', () => {
    expect(problemsOf(() => resolveStageConfig('prod'))).toEqual(['alarms.email (-c alarmEmail=...): stage prod needs someone to tell: required']);
    expect(resolveStageConfig('prod', PROD).alarms.email).toBe('ops@example.org');
  });

  it('takes a chain RPC endpoint from the context, https only', () => {
    expect(resolveStageConfig('dev', context({ chainRpcUrl: 'https://eth.example.org' })).chainRpcUrl).toBe('https://eth.example.org');
    expect(resolveStageConfig('dev').chainRpcUrl).toBeUndefined();
    expect(problemsOf(() => resolveStageConfig('dev', context({ chainRpcUrl: 'http://eth.example.org' })))).toEqual([
      expect.stringContaining('chainRpcUrl (-c chainRpcUrl=...)'),
    ]);
  });

  it('applies context overrides, given as strings by the CLI', () => {
    const config = resolveStageConfig(
      'dev',
      context({
        marketSource: 'live',
        cycleEveryMinutes: '120',
        workerMaxConcurrency: '25',
        finalizeReservedConcurrency: '3',
        publishReservedConcurrency: '0',
        alarmEmail: '',
      }),
    );
    expect(config.marketSource).toBe('live');
    expect(config.schedule.cycleEveryMinutes).toBe(120);
    expect(config.concurrency).toMatchObject({ workerMax: 25, finalizeReserved: 3 });
    // 0 means no reservation (an account with the default limit of 10 cannot reserve any).
    expect(config.concurrency.publishReserved).toBeUndefined();
    expect(config.alarms.email).toBeUndefined();
  });

  it('configures the publish targets from the context, and rejects half of one', () => {
    const config = resolveStageConfig(
      'prod',
      context({
        alarmEmail: 'ops@example.org',
        discourseUrl: 'https://forum.example.org',
        discourseCategoryId: '7',
        discourseApiUsername: 'advisor',
        webhookUrl: 'https://hooks.example.org/x',
        webhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hook-AbC123#hmac',
      }),
    );
    expect(config.publish).toEqual({
      discourse: { url: 'https://forum.example.org', categoryId: 7, apiUsername: 'advisor' },
      webhook: { url: 'https://hooks.example.org/x', secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hook-AbC123#hmac' },
    });
    expect(resolveStageConfig('dev').publish).toEqual({});

    const problems = problemsOf(() => resolveStageConfig('dev', context({ discourseUrl: 'https://forum.example.org' })));
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'publish.discourse.categoryId (-c discourseCategoryId=...)',
      'publish.discourse.apiUsername (-c discourseApiUsername=...)',
    ]);
  });

  it('refuses a plain-HTTP target and a malformed secret ARN', () => {
    const problems = problemsOf(() =>
      resolveStageConfig('dev', context({ webhookUrl: 'http://hooks.example.org/x', webhookSecretArn: 'my-secret' })),
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^publish\.webhook\.url \(-c webhookUrl=\.\.\.\): must be an https URL/);
    expect(problems[1]).toMatch(/^publish\.webhook\.secretArn \(-c webhookSecretArn=\.\.\.\): must be a Secrets Manager secret ARN/);
  });

  it('refuses alarm windows that would fire between healthy runs or overlap the next cycle', () => {
    const problems = problemsOf(() => resolveStageConfig('prod', context({ alarmEmail: 'ops@example.org', dataStaleAfterMinutes: '30' })));
    expect(problems).toEqual([
      'alarms.dataStaleAfterMinutes (-c dataStaleAfterMinutes=...): must be at least one cycle (60 min), else the alarm fires between healthy runs',
    ]);
    // prod's backlog alarm (30 min) is not below a 30-minute cycle.
    expect(problemsOf(() => resolveStageConfig('prod', context({ alarmEmail: 'ops@example.org', cycleEveryMinutes: '30' })))).toEqual([
      'alarms.assetQueueMaxAgeMinutes: must be below one cycle (30 min): an older backlog overlaps the next run',
    ]);
    // Two 16-hour cycles are longer than one alarm period may be.
    expect(problemsOf(() => resolveStageConfig('dev', context({ cycleEveryMinutes: '960' })))[0]).toMatch(/two cycles \(1920 min\) exceed 1440 min/);
  });

  it('refuses values outside what AWS accepts, every problem at once', () => {
    const problems = problemsOf(() =>
      resolveStageConfig('dev', context({ workerMaxConcurrency: '1', logLevel: 'LOUD', marketSource: 'replay' })),
    );
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['logLevel', 'marketSource', 'concurrency.workerMax']);
  });

  it('puts each stage in its own metrics namespace', () => {
    expect(metricsNamespaceOf('prod')).toBe('LeverageAdvisor/prod');
    expect(metricsNamespaceOf('dev')).not.toBe(metricsNamespaceOf('prod'));
  });
});
