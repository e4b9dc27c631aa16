import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logIdsOf, type TaskName } from './task-events.ts';

/** The dimension that names the issuer on the per-issuer health metrics. */
export const ISSUER_DIMENSION = 'IssuerId';

/**
 * Metrics read from a step's result, for the alarms: on activation, how long the rotation took and how
 * old the retired key was; on maintenance, the issuer's health ({@link recordIssuerHealth}).
 */
export function recordResultMetrics(
  task: TaskName,
  metrics: Metrics,
  event: unknown,
  response: unknown,
): void {
  const facts = (typeof response === 'object' && response !== null ? response : {}) as Record<
    string,
    unknown
  >;
  if (typeof facts.rotationSeconds === 'number') {
    metrics.addMetric('RotationDuration', MetricUnit.Seconds, facts.rotationSeconds);
  }
  if (typeof facts.retiredKeyAgeSeconds === 'number') {
    metrics.addMetric('RetiredKeyAge', MetricUnit.Seconds, facts.retiredKeyAgeSeconds);
  }
  const { issuerId } = logIdsOf(event);
  if (task === 'maintain' && issuerId !== undefined) {
    recordIssuerHealth(metrics, issuerId, facts);
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
  facts: { readonly activeKeyAgeSeconds?: unknown; readonly publicJwksReachable?: unknown },
): void {
  const emit = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number) => {
    const single = metrics.singleMetric();
    single.addDimension(ISSUER_DIMENSION, issuerId);
    single.addMetric(name, unit, value);
  };
  if (typeof facts.activeKeyAgeSeconds === 'number') {
    emit('ActiveKeyAge', MetricUnit.Seconds, facts.activeKeyAgeSeconds);
  }
  if (typeof facts.publicJwksReachable === 'boolean') {
    emit('PublicJwksReachable', MetricUnit.Count, facts.publicJwksReachable ? 1 : 0);
  }
}
