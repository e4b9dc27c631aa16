import {
  type ExecutionEnd,
  type FollowExecutionOptions,
  followExecution,
} from '#shared/adapters/aws/follow-execution.ts';
import { KeyturnError } from '#shared/errors.ts';
import type { WorkflowEvent } from '#shared/workflow-event.ts';
import type { CliIo } from './io.ts';

/** Ctrl-C stopped the command while it followed an execution in AWS; the execution goes on. */
export class FollowStoppedError extends KeyturnError<'ERR_FOLLOW_STOPPED'> {}

/** What following an execution takes from the command's I/O: Ctrl-C stops it, tests replace the wait. */
export interface FollowControls {
  /** Aborts on Ctrl-C: following stops, never the execution. */
  readonly signal: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The signal and wait that following an execution uses, from the command's I/O. */
export function followControlsOf(io: CliIo): FollowControls {
  const stop = new AbortController();
  void io.untilStopped().then(() => stop.abort());
  return { signal: stop.signal, ...(io.sleep === undefined ? {} : { sleep: io.sleep }) };
}

/**
 * Follows an execution through its step-by-step display until it ends and returns how it ended; Ctrl-C
 * stops following (never the execution) with FollowStoppedError carrying `stoppedMessage`.
 */
export async function followToEnd(
  io: CliIo,
  options: {
    readonly executionArn: string;
    readonly sfn: FollowExecutionOptions['sfn'];
    readonly progress: { readonly onEvent: (event: WorkflowEvent) => void; readonly finish: () => void };
    readonly stoppedMessage: string;
  },
): Promise<ExecutionEnd> {
  const { progress } = options;
  const followed = await followExecution({
    executionArn: options.executionArn,
    sfn: options.sfn,
    onEvent: progress.onEvent,
    ...followControlsOf(io),
  }).finally(progress.finish);
  if (followed.outcome === 'stopped') {
    throw new FollowStoppedError('ERR_FOLLOW_STOPPED', options.stoppedMessage);
  }
  return followed.end;
}

const HOW = { FAILED: 'failed', TIMED_OUT: 'timed out', ABORTED: 'was aborted' } as const;

/**
 * One line about an execution that did not succeed: `<subject> failed in <Fail state> with <error>:
 * <cause>.`, what went wrong before (the error a Catch handed on), and the execution with its console link.
 */
export function describeFailedEnd(subject: string, end: ExecutionEnd, consoleUrl: string): string {
  const how = HOW[end.status as keyof typeof HOW] ?? 'ended';
  const where = end.failState === undefined || end.failState === end.error ? '' : ` in ${end.failState}`;
  const error = end.error === undefined ? '' : ` with ${end.error}`;
  const cause = end.cause === undefined ? '' : `: ${end.cause}`;
  const { failure } = end;
  const before =
    failure === undefined
      ? ''
      : ` What went wrong: ${failure.error}${failure.state === undefined ? '' : ` in ${failure.state}`}` +
        `${failure.cause === undefined ? '' : `: ${failure.cause}`}.`;
  const sentence = `${subject} ${how}${where}${error}${cause}`;
  return `${sentence.replace(/\.?$/, '.')}${before} Execution: ${end.executionArn} (${consoleUrl})`;
}
