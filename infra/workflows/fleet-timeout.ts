/**
 * How long the fleet workflow (fleet.asl.json) may run, sized from what it runs: one rotation execution
 * per issuer, each bounded by the rotation workflow's own TimeoutSeconds (rotation.asl.json). Node
 * built-ins only, like index.ts: the config loader checks a fleet against it before CDK is loaded.
 */
import { loadWorkflowDefinition } from './index.ts';

/** Step Functions' longest Standard execution: one year (365 days). */
export const MAX_EXECUTION_SECONDS = 31_536_000;

/**
 * What one child adds to its rotation's timeout: starting it may be retried on
 * `ExecutionLimitExceeded` (10 + 20 + 40 + 80 + 160 s at most, fleet.asl.json's Retry), and the
 * Distributed Map needs a moment to dispatch the next item. Rounded up to 10 minutes.
 */
export const CHILD_OVERHEAD_SECONDS = 600;

/** Slack for the map run itself: starting it, writing its results. */
export const FLEET_MARGIN_SECONDS = 3600;

/** The rotation workflow's TimeoutSeconds, read from its ASL file, so the fleet follows any change to it. */
export function rotationTimeoutSeconds(): number {
  const timeout = loadWorkflowDefinition('rotation').TimeoutSeconds;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0) {
    throw new Error('infra/workflows/rotation.asl.json has no positive integer TimeoutSeconds');
  }
  return timeout;
}

/**
 * The most issuers one fleet execution can rotate one at a time within Step Functions' one-year limit
 * (362 with a 24 h rotation timeout); the config refuses more (infra/config/load-config.ts).
 */
export function maxFleetIssuers(rotationTimeout = rotationTimeoutSeconds()): number {
  return Math.floor(
    (MAX_EXECUTION_SECONDS - FLEET_MARGIN_SECONDS) / (rotationTimeout + CHILD_OVERHEAD_SECONDS),
  );
}

/**
 * The fleet's TimeoutSeconds for a deployment of `issuerCount` issuers: every one of them rotated one
 * at a time (`maxConcurrency: 1`, the slowest fleet any start path may ask for: the CLI's
 * `--max-concurrency`, a hand-started execution), each child given its whole rotation timeout plus
 * {@link CHILD_OVERHEAD_SECONDS}, plus {@link FLEET_MARGIN_SECONDS}; at most one year. A fleet of those
 * issuers therefore never times out while a child is mid-rotation, whatever its concurrency; a longer
 * timeout costs nothing, since each child is still stopped by its own.
 */
export function fleetTimeoutSeconds(issuerCount: number, rotationTimeout = rotationTimeoutSeconds()): number {
  const needed = Math.max(1, issuerCount) * (rotationTimeout + CHILD_OVERHEAD_SECONDS) + FLEET_MARGIN_SECONDS;
  return Math.min(needed, MAX_EXECUTION_SECONDS);
}

/**
 * The longest a fleet of `issuerCount` issuers at `maxConcurrency` can take: its waves of children, each
 * child its whole rotation timeout. What {@link fleetTimeoutSeconds} must cover.
 */
export function fleetWorstCaseSeconds(
  issuerCount: number,
  maxConcurrency: number,
  rotationTimeout = rotationTimeoutSeconds(),
): number {
  return Math.ceil(issuerCount / maxConcurrency) * (rotationTimeout + CHILD_OVERHEAD_SECONDS);
}
