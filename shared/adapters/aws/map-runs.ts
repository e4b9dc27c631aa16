import {
  DescribeMapRunCommand,
  type ExecutionStatus,
  type HistoryEvent,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { toAwsError } from './aws-errors.ts';
import { ExecutionError } from './execution-errors.ts';

/** How far a Distributed Map run has come: its items by status (DescribeMapRun `itemCounts`). */
export interface MapRunCounts {
  readonly total: number;
  readonly pending: number;
  readonly running: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly aborted: number;
}

/** A Distributed Map run as DescribeMapRun reports it. */
export interface MapRunProgress {
  readonly mapRunArn: string;
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly counts: MapRunCounts;
  readonly maxConcurrency: number;
  /** The share of items allowed to fail before the run fails (0 to 100). */
  readonly toleratedFailurePercentage: number;
}

/** One child execution of a map run. */
export interface MapRunExecution {
  readonly executionArn: string;
  readonly status: string;
}

/** The ARN of the map run a `MapRunStarted` history event announces; undefined for any other event. */
export function mapRunArnOf(event: HistoryEvent): string | undefined {
  if (event.type !== 'MapRunStarted') return undefined;
  const arn = event.mapRunStartedEventDetails?.mapRunArn;
  return arn === undefined || arn === '' ? undefined : arn;
}

/** DescribeMapRun: the run's status, item counts and bounds; an unknown run is `ERR_MAP_RUN_NOT_FOUND`. */
export async function describeMapRun(sfn: SFNClient, mapRunArn: string): Promise<MapRunProgress> {
  try {
    const run = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    const items = run.itemCounts;
    return {
      mapRunArn,
      status: run.status ?? 'RUNNING',
      counts: {
        total: items?.total ?? 0,
        pending: items?.pending ?? 0,
        running: items?.running ?? 0,
        succeeded: items?.succeeded ?? 0,
        failed: items?.failed ?? 0,
        timedOut: items?.timedOut ?? 0,
        aborted: items?.aborted ?? 0,
      },
      maxConcurrency: run.maxConcurrency ?? 0,
      toleratedFailurePercentage: run.toleratedFailurePercentage ?? 0,
    };
  } catch (error) {
    throw mapRunError(error, 'DescribeMapRun', mapRunArn);
  }
}

/** The child executions of a map run in one status (ListExecutions by `mapRunArn`, every page). */
export async function listMapRunExecutions(
  sfn: SFNClient,
  mapRunArn: string,
  status: ExecutionStatus,
): Promise<MapRunExecution[]> {
  const found: MapRunExecution[] = [];
  let nextToken: string | undefined;
  do {
    try {
      const page = await sfn.send(
        new ListExecutionsCommand({
          mapRunArn,
          statusFilter: status,
          maxResults: 100,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      );
      for (const execution of page.executions ?? []) {
        if (execution.executionArn !== undefined) {
          found.push({ executionArn: execution.executionArn, status: String(execution.status) });
        }
      }
      nextToken = page.nextToken;
    } catch (error) {
      throw mapRunError(error, 'ListExecutions', mapRunArn);
    }
  } while (nextToken !== undefined);
  return found;
}

function mapRunError(error: unknown, operation: string, mapRunArn: string): unknown {
  if ((error as { name?: unknown }).name === 'ResourceNotFound') {
    return new ExecutionError(
      'ERR_MAP_RUN_NOT_FOUND',
      `map run ${mapRunArn} does not exist (Step Functions keeps map runs for 90 days)`,
      { cause: error },
    );
  }
  return toAwsError(error, { service: 'StepFunctions', operation, resource: mapRunArn });
}
