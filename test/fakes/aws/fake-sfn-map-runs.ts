import { InvalidArn, ResourceNotFound } from '@aws-sdk/client-sfn';
import { responseMetadata } from './fake-aws.ts';
import type { EventSpec } from './sfn-history.ts';

/** How an execution stands, as the fake keeps it. */
export type FakeStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** An execution's state after a scripted change: its status and, once ended, its error or output. */
export interface FakeOutcome {
  readonly status: FakeStatus;
  readonly error?: string;
  readonly cause?: string;
  readonly output?: unknown;
}

/** One item of a map run moves: its child execution starts (RUNNING) or ends. */
export interface MapRunItemChange extends FakeOutcome {
  readonly index: number;
  /** The execution the item's task started (`startExecution.sync:2`), and how it stands now. */
  readonly nested?: FakeOutcome & {
    readonly stateMachineArn: string;
    readonly name: string;
    readonly input: unknown;
  };
}

/**
 * A scripted change to a Distributed Map run. Only `start` and `end` write events into the parent's
 * history (MapRunStarted with the run's ARN; MapRunSucceeded/Failed/Aborted), as Step Functions does;
 * the items' progress shows only through DescribeMapRun and ListExecutions.
 */
export type MapRunStep =
  | {
      readonly mapRun: 'start';
      /** The Map state's name (or Label): it names the run and its child executions. */
      readonly label: string;
      /** The child executions' inputs, one per item (what ItemSelector made of each). */
      readonly items: readonly unknown[];
      readonly maxConcurrency: number;
      readonly toleratedFailurePercentage: number;
    }
  | { readonly mapRun: 'items'; readonly changes: readonly MapRunItemChange[] }
  | {
      readonly mapRun: 'end';
      readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
      readonly error?: string;
      readonly cause?: string;
    };

/** A Distributed Map run as the fake keeps it; item counts are derived from its child executions. */
export interface FakeMapRun {
  readonly arn: string;
  readonly executionArn: string;
  readonly label: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly items: readonly unknown[];
  /** Child execution ARNs by item index; undefined while the item is pending. */
  readonly children: (string | undefined)[];
  readonly maxConcurrency: number;
  readonly toleratedFailurePercentage: number;
  readonly startDate: Date;
  stopDate?: Date;
}

/** What the map-run model needs from the fake Step Functions around it. */
export interface MapRunHost {
  /** Appends an event to an execution's history (which also ends it on an Execution* end event). */
  append(executionArn: string, event: EventSpec): void;
  /** Creates an execution as StartExecution would, or returns the one of that ARN. */
  ensureExecution(spec: {
    readonly arn: string;
    readonly stateMachineArn: string;
    readonly input: unknown;
    readonly mapRunArn?: string;
  }): { readonly status: FakeStatus };
  now(): Date;
}

const END_EVENTS: Readonly<Record<Exclude<FakeStatus, 'RUNNING'>, string>> = {
  SUCCEEDED: 'ExecutionSucceeded',
  FAILED: 'ExecutionFailed',
  TIMED_OUT: 'ExecutionTimedOut',
  ABORTED: 'ExecutionAborted',
};
const MAP_RUN_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:mapRun:[\w-]+\/[\w-]+:[\w-]+$/;

/** The map runs of a fake Step Functions: scripted steps, DescribeMapRun, and their children's list. */
export function createMapRunStore(host: MapRunHost) {
  const runs: FakeMapRun[] = [];

  /** Moves one execution to `outcome` (creating it first), as its own history would show. */
  const settle = (spec: Parameters<MapRunHost['ensureExecution']>[0], outcome: FakeOutcome) => {
    const execution = host.ensureExecution(spec);
    if (outcome.status === 'RUNNING' || execution.status !== 'RUNNING') return;
    // An aborted execution has an error only when whoever stopped it gave one.
    const fallback = { FAILED: 'States.TaskFailed', TIMED_OUT: 'States.Timeout' } as const;
    const error = outcome.error ?? fallback[outcome.status as keyof typeof fallback];
    const details =
      outcome.status === 'SUCCEEDED'
        ? { output: JSON.stringify(outcome.output ?? {}) }
        : {
            ...(error === undefined ? {} : { error }),
            ...(outcome.cause === undefined ? {} : { cause: outcome.cause }),
          };
    host.append(spec.arn, { type: END_EVENTS[outcome.status], details });
  };

  const changeItem = (run: FakeMapRun, change: MapRunItemChange) => {
    const machine = run.executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, '');
    const arn =
      run.children[change.index] ??
      `${run.executionArn.replace(/:[^:]+$/, '')}/${run.label}:${crypto.randomUUID()}`;
    run.children[change.index] = arn;
    const { nested } = change;
    if (nested !== undefined) {
      const nestedArn = `${nested.stateMachineArn.replace(':stateMachine:', ':execution:')}:${nested.name}`;
      settle({ arn: nestedArn, stateMachineArn: nested.stateMachineArn, input: nested.input }, nested);
    }
    settle(
      { arn, stateMachineArn: `${machine}/${run.label}`, input: run.items[change.index], mapRunArn: run.arn },
      change,
    );
  };

  return {
    runs,
    /** Applies one scripted step of execution `executionArn`. */
    apply(executionArn: string, step: MapRunStep): void {
      if (step.mapRun === 'start') {
        const [, machineName = 'M'] = /:execution:([^:]+):/.exec(executionArn) ?? [];
        const arn = `${executionArn.replace(/:execution:.*$/, '')}:mapRun:${machineName}/${step.label}:${crypto.randomUUID()}`;
        runs.push({ ...step, arn, executionArn, status: 'RUNNING', children: [], startDate: host.now() });
        host.append(executionArn, { type: 'MapRunStarted', details: { mapRunArn: arn } });
        return;
      }
      const run = runs.findLast((candidate) => candidate.executionArn === executionArn);
      if (run === undefined)
        throw new Error(`the script of ${executionArn} changes a map run it never started`);
      if (step.mapRun === 'items') {
        for (const change of step.changes) changeItem(run, change);
        return;
      }
      run.status = step.status;
      run.stopDate = host.now();
      const type = { SUCCEEDED: 'MapRunSucceeded', FAILED: 'MapRunFailed', ABORTED: 'MapRunAborted' }[
        step.status
      ];
      const details = step.status === 'FAILED' ? { error: step.error, cause: step.cause } : undefined;
      host.append(executionArn, details === undefined ? { type } : { type, details });
    },
    /** The run of that ARN: InvalidArn for a malformed ARN, ResourceNotFound for an unknown one. */
    find(mapRunArn: unknown): FakeMapRun {
      const meta = { $metadata: responseMetadata(400) };
      if (typeof mapRunArn !== 'string' || !MAP_RUN_ARN.test(mapRunArn)) {
        throw new InvalidArn({ message: `Invalid Arn: '${String(mapRunArn)}'`, ...meta });
      }
      const run = runs.find((candidate) => candidate.arn === mapRunArn);
      if (run === undefined) {
        throw new ResourceNotFound({
          message: `Resource not found: '${mapRunArn}'`,
          resourceName: mapRunArn,
          ...meta,
        });
      }
      return run;
    },
  };
}

/** DescribeMapRun's answer: the run's bounds and its item counts, derived from the children's statuses. */
export function describeMapRunOf(run: FakeMapRun, statusOf: (arn: string) => FakeStatus) {
  const statuses = run.items.map((_, index) => {
    const child = run.children[index];
    return child === undefined ? 'PENDING' : statusOf(child);
  });
  const count = (status: string) => statuses.filter((candidate) => candidate === status).length;
  const counts = {
    pending: count('PENDING'),
    running: count('RUNNING'),
    succeeded: count('SUCCEEDED'),
    failed: count('FAILED'),
    timedOut: count('TIMED_OUT'),
    aborted: count('ABORTED'),
    total: run.items.length,
    // No ResultWriter: nothing is written to S3.
    resultsWritten: 0,
  };
  return {
    mapRunArn: run.arn,
    executionArn: run.executionArn,
    status: run.status,
    startDate: run.startDate,
    ...(run.stopDate === undefined ? {} : { stopDate: run.stopDate }),
    maxConcurrency: run.maxConcurrency,
    toleratedFailurePercentage: run.toleratedFailurePercentage,
    toleratedFailureCount: Math.floor((run.items.length * run.toleratedFailurePercentage) / 100),
    itemCounts: counts,
    executionCounts: counts,
  };
}
