import type { SFNClient } from '@aws-sdk/client-sfn';
import { isJsonObject } from '../../json.ts';
import { sfnClient } from './clients.ts';
import { ExecutionError } from './execution-errors.ts';
import { readableCause } from './execution-history.ts';
import {
  describeExecution,
  executionArnOf,
  parseExecutionJson,
  type StartedExecution,
  startOrJoinExecution,
} from './executions.ts';
import { type FollowExecutionOptions, type FollowOutcome, followExecution } from './follow-execution.ts';
import { describeMapRun, listMapRunExecutions, type MapRunProgress, mapRunArnOf } from './map-runs.ts';

/** The input of the fleet workflow (infra/workflows/fleet.asl.json). */
export interface FleetExecutionInput {
  readonly issuerIds: readonly string[];
  readonly mode: 'scheduled' | 'manual';
  /** Rotations at once (1 to 1000). */
  readonly maxConcurrency: number;
  /** The share of issuers allowed to fail before the fleet fails (0 to 100). */
  readonly toleratedFailurePercentage: number;
}

/** `fleet--<runId>`: one fleet run, one execution; the same run id given again joins it. */
export function fleetExecutionNameOf(runId: string): string {
  return `fleet--${runId}`;
}

/** Starts (or joins) fleet run `runId` of the stack's fleet workflow. */
export function startFleetExecution(options: {
  /** The stack's `FleetStateMachineArn`. */
  readonly stateMachineArn: string;
  readonly runId: string;
  readonly input: FleetExecutionInput;
  /** @default the process's Step Functions client (clients.ts) */
  readonly sfn?: SFNClient;
}): Promise<StartedExecution> {
  return startOrJoinExecution({
    stateMachineArn: options.stateMachineArn,
    name: fleetExecutionNameOf(options.runId),
    input: options.input,
    workflow: 'fleet',
    ...(options.sfn === undefined ? {} : { sfn: options.sfn }),
  });
}

/** Options of {@link followFleetExecution}: those of followExecution, and the map run's progress. */
export interface FollowFleetOptions extends Omit<FollowExecutionOptions, 'onHistoryEvent' | 'afterRead'> {
  /** Called once, when the history shows the Distributed Map run started. */
  readonly onMapRunStarted?: (mapRunArn: string) => void;
  /** Called after each read whose DescribeMapRun item counts differ from the last ones reported. */
  readonly onProgress?: (progress: MapRunProgress) => void;
}

/** How following a fleet ended, and the map run as last described (once it started). */
export interface FollowedFleet {
  readonly followed: FollowOutcome;
  readonly mapRun?: MapRunProgress;
}

/**
 * Follows a fleet execution: its history (followExecution), the `MapRunStarted` event's map run ARN, and,
 * after every read of the history, the map run's item counts (DescribeMapRun), which the parent's history
 * does not carry. The last read, at the end, reports the final counts.
 */
export async function followFleetExecution(options: FollowFleetOptions): Promise<FollowedFleet> {
  const sfn = options.sfn ?? sfnClient();
  let mapRunArn: string | undefined;
  let mapRun: MapRunProgress | undefined;
  const followed = await followExecution({
    ...options,
    sfn,
    onHistoryEvent: (event) => {
      const arn = mapRunArnOf(event);
      if (arn === undefined || mapRunArn !== undefined) return;
      mapRunArn = arn;
      options.onMapRunStarted?.(arn);
    },
    afterRead: async () => {
      if (mapRunArn === undefined) return;
      const progress = await describeMapRun(sfn, mapRunArn);
      const before = JSON.stringify(mapRun?.counts);
      mapRun = progress;
      if (JSON.stringify(progress.counts) !== before) options.onProgress?.(progress);
    },
  });
  return { followed, ...(mapRun === undefined ? {} : { mapRun }) };
}

/** One issuer's rotation in a fleet run. */
export interface FleetIssuerResult {
  readonly issuerId: string;
  /** The rotation's status: SUCCEEDED, FAILED, TIMED_OUT, ABORTED. */
  readonly status: string;
  /** The issuer's rotation execution (or, if it never started, the map run's child execution). */
  readonly executionArn?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** Reads a succeeded fleet's output: `$.results[*]` = `{executionArn, status}` of each rotation. */
export function fleetResultsOf(output: unknown): FleetIssuerResult[] {
  const results = isJsonObject(output) && Array.isArray(output.results) ? output.results : [];
  return results.flatMap((result: unknown) => {
    if (!isJsonObject(result) || typeof result.executionArn !== 'string') return [];
    const issuerId = issuerIdOfRotation(result.executionArn);
    if (issuerId === undefined) return [];
    const status = typeof result.status === 'string' ? result.status : 'UNKNOWN';
    return [{ issuerId, status, executionArn: result.executionArn }];
  });
}

/** `prod-a` of `…:execution:Rotation:prod-a--<rotation id>` (rotation ids never hold `--`). */
function issuerIdOfRotation(executionArn: string): string | undefined {
  const name = executionArn.slice(executionArn.lastIndexOf(':') + 1);
  const end = name.lastIndexOf('--');
  return end > 0 ? name.slice(0, end) : undefined;
}

/** The item statuses of a map run that {@link readFleetItems} can list. */
export type FleetItemStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/**
 * The issuers whose item ended in one of `statuses` in a map run (ListExecutions by map run and status,
 * only for statuses the run's counts hold), with the error of those that did not succeed. Each child
 * execution holds the item `{issuerId, rotationId}` (DescribeExecution); the issuer's rotation execution
 * `<issuerId>--<rotationId>` says why it failed. Without one (the start itself failed) the child's own
 * error stands.
 */
export async function readFleetItems(options: {
  readonly mapRun: MapRunProgress;
  readonly statuses: readonly FleetItemStatus[];
  /** The stack's `RotationStateMachineArn`. */
  readonly rotationStateMachineArn: string;
  /** @default the process's Step Functions client (clients.ts) */
  readonly sfn?: SFNClient;
}): Promise<FleetIssuerResult[]> {
  const sfn = options.sfn ?? sfnClient();
  const { counts, mapRunArn } = options.mapRun;
  const count = {
    SUCCEEDED: counts.succeeded,
    FAILED: counts.failed,
    TIMED_OUT: counts.timedOut,
    ABORTED: counts.aborted,
  };
  const items: FleetIssuerResult[] = [];
  for (const status of options.statuses.filter((candidate) => count[candidate] > 0)) {
    for (const child of await listMapRunExecutions(sfn, mapRunArn, status)) {
      items.push(await readItem(sfn, child.executionArn, options.rotationStateMachineArn));
    }
  }
  return items.sort((a, b) => a.issuerId.localeCompare(b.issuerId));
}

async function readItem(
  sfn: SFNClient,
  childArn: string,
  rotationStateMachineArn: string,
): Promise<FleetIssuerResult> {
  const child = await describeExecution(sfn, childArn);
  const item = parseExecutionJson(child.input);
  const issuerId = isJsonObject(item) && typeof item.issuerId === 'string' ? item.issuerId : '?';
  const rotationId = isJsonObject(item) && typeof item.rotationId === 'string' ? item.rotationId : '';
  const rotationArn = executionArnOf(rotationStateMachineArn, `${issuerId}--${rotationId}`);
  if (child.status === 'SUCCEEDED') return { issuerId, status: 'SUCCEEDED', executionArn: rotationArn };
  const rotation =
    rotationId === ''
      ? undefined
      : await describeExecution(sfn, rotationArn).catch((error: unknown) => {
          if (error instanceof ExecutionError && error.code === 'ERR_EXECUTION_NOT_FOUND') return undefined;
          throw error;
        });
  const source = rotation ?? child;
  return {
    issuerId,
    status: String(source.status ?? child.status),
    executionArn: rotation === undefined ? childArn : rotationArn,
    ...(source.error === undefined ? {} : { error: source.error }),
    ...readableCause(source.cause),
  };
}
