import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { RotationPorts } from '#shared/ports.ts';
import { TASK_STEPS, type TaskResults } from '#shared/rotation/index.ts';
import { TASK_NAMES, type TaskName } from '#shared/workflow-tasks.ts';
import {
  completeContext,
  createKeyturnLogger,
  createKeyturnMetrics,
  observeStep,
  SERVICE_NAME,
} from './observability.ts';
import { parseTaskEvent, type TaskEvent } from './task-events.ts';

/**
 * The Lambda handler of task `T`, resolving with its rotation step's result; callable with the event
 * alone (the local runner, tests).
 */
export type TaskHandler<T extends TaskName = TaskName> = (
  event: unknown,
  context?: Partial<Context>,
) => Promise<TaskResults[T]>;

/** One handler per task, each typed with its own task's result. */
export type TaskHandlers = { readonly [T in TaskName]: TaskHandler<T> };

/**
 * Where a task's handler gets the ports of the event's issuer; called on every invocation, after the
 * event is validated, so `issuerId` is a valid issuer id. A provider for one issuer may ignore it.
 */
export type PortsProvider = (issuerId: string) => RotationPorts | Promise<RotationPorts>;

/** Observability shared by the handlers. */
export interface TaskHandlerOptions {
  /** @default a Powertools Logger with serviceName 'keyturn' */
  readonly logger?: Logger;
  /** @default Powertools Metrics in namespace 'keyturn' */
  readonly metrics?: Metrics;
  /** @default a Powertools Tracer (a no-op outside Lambda) */
  readonly tracer?: Tracer;
}

/** The one rotation step each task calls; its result is returned as is (ids, kids, times, facts). */
const STEPS: {
  readonly [T in TaskName]: (ports: RotationPorts, input: TaskEvent<T>) => Promise<TaskResults[T]>;
} = TASK_STEPS;

/** The middy handler of one task: validate the event, call its rotation step, return the step's result. */
export function createTaskHandler<T extends TaskName>(
  task: T,
  getPorts: PortsProvider,
  options: TaskHandlerOptions = {},
): TaskHandler<T> {
  const logger = options.logger ?? createKeyturnLogger();
  const metrics = options.metrics ?? createKeyturnMetrics();
  const tracer = options.tracer ?? new Tracer({ serviceName: SERVICE_NAME });
  const handler = middy<unknown, TaskResults[T], Error, Context>()
    .use(completeContext(task))
    .use(captureLambdaHandler(tracer))
    // The event is never logged: only ids picked by observeStep reach the logs.
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
    .use(logMetrics(metrics))
    .use(observeStep(task, logger, metrics))
    .handler(async (event) => {
      const input = parseTaskEvent(task, event);
      return STEPS[task](await getPorts(input.issuerId), input);
    });
  // middy substitutes `{}` for a missing context and completeContext fills it in.
  return handler as TaskHandler<T>;
}

/** The handlers of every task, sharing one logger, metrics and tracer. */
export function createTaskHandlers(getPorts: PortsProvider, options: TaskHandlerOptions = {}): TaskHandlers {
  const shared = {
    logger: options.logger ?? createKeyturnLogger(),
    metrics: options.metrics ?? createKeyturnMetrics(),
    tracer: options.tracer ?? new Tracer({ serviceName: SERVICE_NAME }),
  };
  // Each entry is createTaskHandler(task), so each handler has its own task's result type.
  return Object.fromEntries(
    TASK_NAMES.map((task) => [task, createTaskHandler(task, getPorts, shared)]),
  ) as unknown as TaskHandlers;
}
