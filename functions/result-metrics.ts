import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ActivateResult, MaintainResult, TaskResults } from '#shared/rotation/index.ts';
import type { TaskName } from '#shared/workflow-tasks.ts';
import { logIdsOf } from './task-events.ts';

/** The dimension that names the issuer on the per-issuer health metrics. */
export const ISSUER_DIMENSION = 'IssuerId';

/** The tasks whose result carries metrics, and how to read them. */
const RESULT_METRICS: {
  readonly [T in TaskName]?: (metrics: Metrics, issuerId: string | undefined, result: TaskResults[T]) => void;
} = {
  activate: recordRotationMetrics,
  maintain: (metrics, issuerId, result) => {
    if (issuerId !== undefined) recordIssuerHealth(metrics, issuerId, result);
  },
};

/**
 * Metrics read from a step's result, for the alarms: on activation, how long the rotation took and how
 * old the retired key was; on maintenance, the issuer's health ({@link recordIssuerHealth}).
 */
export function recordResultMetrics<T extends TaskName>(
  task: T,
  metrics: Metrics,
  event: unknown,
  result: TaskResults[T],
): void {
  RESULT_METRICS[task]?.(metrics, logIdsOf(event).issuerId, result);
}

/** RotationDuration and RetiredKeyAge (Seconds), from activation's result. */
function recordRotationMetrics(
  metrics: Metrics,
  _issuerId: string | undefined,
  result: ActivateResult,
): void {
  if (result.rotationSeconds !== undefined) {
    metrics.addMetric('RotationDuration', MetricUnit.Seconds, result.rotationSeconds);
  }
  if (result.retiredKeyAgeSeconds !== undefined) {
    metrics.addMetric('RetiredKeyAge', MetricUnit.Seconds, result.retiredKeyAgeSeconds);
  }
}

/**
 * ActiveKeyAge (Seconds, the active key's age) and PublicJwksReachable (Count, 1 when maintenance could
 * read the public keys.json, 0 when it could not), each emitted at once as a single metric whose only
 * dimensions are `service` and `IssuerId`: one alarm per issuer, never split by step or outcome.
 */
export function recordIssuerHealth(
  metrics: Metrics,
  issuerId: string,
  facts: Pick<MaintainResult, 'activeKeyAgeSeconds' | 'publicJwksReachable'>,
): void {
  const emit = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number) => {
    const single = metrics.singleMetric();
    single.addDimension(ISSUER_DIMENSION, issuerId);
    single.addMetric(name, unit, value);
  };
  if (facts.activeKeyAgeSeconds !== undefined) {
    emit('ActiveKeyAge', MetricUnit.Seconds, facts.activeKeyAgeSeconds);
  }
  emit('PublicJwksReachable', MetricUnit.Count, facts.publicJwksReachable ? 1 : 0);
}
