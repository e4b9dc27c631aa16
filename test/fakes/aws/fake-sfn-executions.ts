import { listPage } from './fake-sfn-history-pages.ts';
import type { FakeStatus, MapRunStep } from './fake-sfn-map-runs.ts';
import { detailsMemberOf, type EventSpec } from './sfn-history.ts';

/** One step of a scripted execution: a history event, or a change to its Distributed Map run. */
export type ScriptStep = EventSpec | MapRunStep;

/** An execution as the fake keeps it. */
export interface FakeExecution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly input: string;
  status: FakeStatus;
  readonly history: Record<string, unknown>[];
  /** Scripted batches not yet appended by `advance`. */
  readonly pending: ScriptStep[][];
  /** The Distributed Map run this execution is a child of. */
  readonly mapRunArn?: string;
  output?: string;
  error?: string;
  cause?: string;
}

const ENDS = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
} as const;

/** Appends one event to an execution's history (numbered, dated `at`); an end event ends the execution. */
export function appendEvent(execution: FakeExecution, spec: EventSpec, at: Date): void {
  const id = execution.history.length + 1;
  execution.history.push({
    id,
    previousEventId: id - 1,
    timestamp: at,
    type: spec.type,
    ...(spec.details === undefined ? {} : { [detailsMemberOf(spec.type)]: { ...spec.details } }),
  });
  const status = ENDS[spec.type as keyof typeof ENDS];
  if (status === undefined) return;
  execution.status = status;
  if (status === 'SUCCEEDED') execution.output = String(spec.details?.output ?? '{}');
  else {
    execution.error = spec.details?.error as string | undefined;
    execution.cause = spec.details?.cause as string | undefined;
  }
}

/** DescribeExecution's answer: status, dates, input, and the output or error once it ended. */
export function describeExecutionOf(execution: FakeExecution) {
  const stopped = execution.status === 'RUNNING' ? {} : { stopDate: execution.history.at(-1)?.timestamp };
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.history[0]?.timestamp,
    ...stopped,
    input: execution.input,
    ...(execution.output === undefined ? {} : { output: execution.output }),
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
  };
}

/**
 * ListExecutions' answer for a validated request: the executions of a state machine, or the children of a
 * map run (`by` names which `scope` is), in `statusFilter` if given, newest first, one page of them.
 */
export function listExecutionsOf(
  executions: readonly FakeExecution[],
  scope: string,
  by: 'stateMachineArn' | 'mapRunArn',
  request: { readonly statusFilter?: unknown; readonly maxResults?: unknown; readonly nextToken?: unknown },
) {
  const matching = executions
    .filter((execution) => execution[by] === scope)
    .filter((execution) => request.statusFilter === undefined || execution.status === request.statusFilter)
    .reverse();
  const page = listPage(`${scope}|${String(request.statusFilter)}`, matching, request);
  return {
    executions: page.items.map((execution) => ({
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.history[0]?.timestamp,
      ...(execution.status === 'RUNNING' ? {} : { stopDate: execution.history.at(-1)?.timestamp }),
      ...(execution.mapRunArn === undefined ? {} : { mapRunArn: execution.mapRunArn, itemCount: 1 }),
    })),
    ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
  };
}
