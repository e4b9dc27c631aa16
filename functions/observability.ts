import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { KeyturnError } from '#shared/errors.ts';
import { redactSecrets } from '#shared/redaction.ts';
import { StepNotReadyError, type TaskResults } from '#shared/rotation/index.ts';
import type { TaskName } from '#shared/workflow-tasks.ts';
import { recordResultMetrics } from './result-metrics.ts';
import { toTaskError } from './task-errors.ts';
import { logIdsOf } from './task-events.ts';

/** Service name of every log line, metric and trace. */
export const SERVICE_NAME = 'keyturn';

/** A Powertools logger for keyturn's functions (structured JSON, level from POWERTOOLS_LOG_LEVEL). */
export function createKeyturnLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAME });
}

/** A Powertools metrics instance in the `keyturn` namespace (EMF; POWERTOOLS_METRICS_DISABLED silences it). */
export function createKeyturnMetrics(): Metrics {
  return new Metrics({ namespace: SERVICE_NAME, serviceName: SERVICE_NAME });
}

/** What a step ended with, the `outcome` dimension of StepOutcome. */
export type StepOutcome = 'ok' | 'not-ready' | 'failed';

/**
 * A Lambda context for calls without one (the local runner, tests). The remaining time is Lambda's
 * maximum, so middy's early-timeout guard never fires first.
 */
export function defaultContext(task: TaskName): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `keyturn-${task}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:keyturn-${task}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/keyturn-${task}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 900_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Fills the fields of the default context the caller did not give (middy passes `{}` for none). */
export function completeContext(task: TaskName): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: (request) => {
      request.context = { ...defaultContext(task), ...request.context };
    },
  };
}

/**
 * Per invocation: appends issuerId and rotationId to the logger (only values shaped like ids are read
 * from the event, nothing else), records StepOutcome and StepDuration and the metrics read from the
 * result (functions/result-metrics.ts), logs the outcome, and turns any error that is not a KeyturnError
 * into a TaskFailedError (the original stays as `cause`, unlogged).
 * Use it after `injectLambdaContext` and `logMetrics`, so it runs before their after/onError hooks.
 */
export function observeStep<T extends TaskName>(
  task: T,
  logger: Logger,
  metrics: Metrics,
): middy.MiddlewareObj<unknown, TaskResults[T], Error, Context> {
  // Keyed by request: the local runner may run one handler for several Map iterations at once.
  const started = new WeakMap<object, number>();
  const record = (request: object, outcome: StepOutcome) => {
    const durationMs = Date.now() - (started.get(request) ?? Date.now());
    metrics.addDimensions({ step: task, outcome });
    metrics.addMetric('StepOutcome', MetricUnit.Count, 1);
    metrics.addMetric('StepDuration', MetricUnit.Milliseconds, durationMs);
    return durationMs;
  };
  return {
    before: (request) => {
      started.set(request, Date.now());
      logger.appendKeys({ step: task, ...logIdsOf(request.event) });
    },
    after: (request) => {
      logger.info('step succeeded', { durationMs: record(request, 'ok') });
      if (request.response != null) recordResultMetrics(task, metrics, request.event, request.response);
    },
    onError: (request) => {
      const error = toTaskError(task, request.error);
      const outcome = error instanceof StepNotReadyError ? 'not-ready' : 'failed';
      const durationMs = record(request, outcome);
      // Messages redact what they quote from outside already; the log line redacts again (SEALED).
      const message = redactSecrets(error.message);
      const details = { durationMs, error: { name: error.name, code: error.code, message } };
      if (outcome === 'not-ready') {
        logger.info('step not ready', details);
      } else {
        const original = request.error;
        const causeName =
          original instanceof KeyturnError || !(original instanceof Error)
            ? {}
            : { causeName: original.name };
        logger.error('step failed', { ...details, ...causeName });
      }
      request.error = error;
    },
  };
}
