import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { isJsonObject } from '../../json.ts';
import type { WorkflowEvent } from '../../workflow-event.ts';

/** Where and why an execution failed: the error caught before a rollback, or the one that ended it. */
export interface ExecutionFailure {
  /** The state whose task failed, when known. */
  readonly state?: string;
  /** The error name, e.g. `VerificationFailedError`, `RolloutDeadlineExceeded`. */
  readonly error: string;
  /** The error's message (a Lambda error's `errorMessage`, never its stack trace). */
  readonly cause?: string;
}

/** The end event of an execution, as its history reports it. */
export type HistoryEnd = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** Reads an execution's history events in order and reports them as {@link WorkflowEvent}s. */
export interface HistoryTranslator {
  /** Takes the next event (ids ascending). */
  accept(event: HistoryEvent): void;
  /** How the execution ended, once its end event was read. */
  end(): HistoryEnd | undefined;
  /** The Fail state the execution entered, if any. */
  failState(): string | undefined;
  /** The failure behind the end: the `$.error` a Fail state received, else the last task failure. */
  failure(): ExecutionFailure | undefined;
}

const ENDS: Readonly<Record<string, HistoryEnd>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};
/** A task attempt failed; a retry schedules the next attempt, a catch exits the state. */
const TASK_FAILURES = new Set([
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
]);
const TASK_SCHEDULED = new Set(['LambdaFunctionScheduled', 'TaskScheduled']);
const MAX_CAUSE = 500;

type Details = { error?: string; cause?: string; name?: string; input?: string };

/**
 * Translates Step Functions history into the events the local runner reports, so the same progress
 * display shows both: `XxxStateEntered/Exited` become state-entered/exited (state type `Xxx`); a failed
 * attempt followed by a new schedule becomes state-retried, one followed by the state's exit or another
 * state's entry (a Catch) state-caught, one followed by the execution's end state-failed. Only names,
 * errors and times are read; inputs are opened for a Fail state's `$.error` alone.
 */
export function createHistoryTranslator(onEvent?: (event: WorkflowEvent) => void): HistoryTranslator {
  let startedMs: number | undefined;
  let at = 0;
  const entered = new Map<string, number>();
  const attempts = new Map<string, number>();
  let current: string | undefined;
  /** A failed attempt not yet resolved by a retry, a catch or the end. */
  let pending: ExecutionFailure | undefined;
  let lastTaskFailure: ExecutionFailure | undefined;
  let caught: ExecutionFailure | undefined;
  let failState: string | undefined;
  let end: HistoryEnd | undefined;

  const emit = (type: WorkflowEvent['type'], extra: Partial<WorkflowEvent> = {}) =>
    onEvent?.({ type, at: new Date(at), elapsedMs: at - (startedMs ?? at), ...extra });
  const timeIn = (state: string) => {
    const since = entered.get(state);
    return since === undefined ? {} : { stateElapsedMs: at - since };
  };
  /** Reports the pending failure as `kind` (caught or failed) and clears it. */
  const settle = (kind: 'state-caught' | 'state-failed') => {
    if (pending?.state !== undefined) {
      emit(kind, { state: pending.state, error: pending.error, ...timeIn(pending.state) });
    }
    pending = undefined;
  };

  const onEnd = (status: HistoryEnd, details: Details) => {
    end = status;
    settle('state-failed');
    if (status === 'SUCCEEDED') emit('execution-succeeded');
    else emit('execution-failed', { error: details.error ?? `Execution${status}` });
  };
  const onStateEntered = (stateType: string, name: string, details: Details) => {
    // A Catch may go straight to its Next state without an exit event for the failed one.
    if (pending?.state !== name) settle('state-caught');
    entered.set(name, at);
    current = name;
    if (stateType === 'Fail') {
      failState = name;
      caught = caughtError(details.input, lastTaskFailure) ?? caught;
    }
    emit('state-entered', { state: name, stateType });
  };
  const onStateExited = (stateType: string, name: string) => {
    if (pending?.state === name) settle('state-caught');
    else emit('state-exited', { state: name, stateType, ...timeIn(name) });
  };
  const onTaskFailed = (type: string, details: Details) => {
    pending = {
      ...(current === undefined ? {} : { state: current }),
      error: details.error ?? type,
      ...readableCause(details.cause),
    };
    lastTaskFailure = pending;
  };
  const onTaskScheduled = () => {
    if (pending?.state === undefined) return;
    const attempt = (attempts.get(pending.state) ?? 0) + 1;
    attempts.set(pending.state, attempt);
    emit('state-retried', { state: pending.state, stateType: 'Task', error: pending.error, attempt });
    pending = undefined;
  };

  return {
    accept(event) {
      const type = String(event.type);
      at = event.timestamp?.getTime() ?? Date.now();
      startedMs ??= at;
      const details = detailsOf(event);
      const state = /^(\w+)State(Entered|Exited)$/.exec(type);
      const status = ENDS[type];
      if (type === 'ExecutionStarted') emit('execution-started');
      else if (status !== undefined) onEnd(status, details);
      else if (state?.[1] !== undefined && details.name !== undefined) {
        if (state[2] === 'Entered') onStateEntered(state[1], details.name, details);
        else onStateExited(state[1], details.name);
      } else if (TASK_FAILURES.has(type)) onTaskFailed(type, details);
      else if (TASK_SCHEDULED.has(type)) onTaskScheduled();
    },
    end: () => end,
    failState: () => failState,
    failure: () => caught ?? lastTaskFailure,
  };
}

/** The `<type>EventDetails` member of an event (`TaskStateEntered` uses `stateEnteredEventDetails`). */
function detailsOf(event: HistoryEvent): Details {
  const type = String(event.type);
  const stateEvent = /State(Entered|Exited)$/.exec(type);
  const member = stateEvent
    ? `state${stateEvent[1]}EventDetails`
    : `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
  const details = (event as unknown as Record<string, unknown>)[member];
  return isJsonObject(details) ? (details as Details) : {};
}

/** The `$.error` ({Error, Cause}) a Fail state received (the ASL's Catch writes it there). */
function caughtError(
  input: string | undefined,
  last: ExecutionFailure | undefined,
): ExecutionFailure | undefined {
  let state: unknown;
  try {
    state = JSON.parse(input ?? '');
  } catch {
    return undefined;
  }
  const error = isJsonObject(state) && isJsonObject(state.error) ? state.error : undefined;
  if (typeof error?.Error !== 'string') return undefined;
  return {
    ...(last !== undefined && last.error === error.Error && last.state !== undefined
      ? { state: last.state }
      : {}),
    error: error.Error,
    ...readableCause(typeof error.Cause === 'string' ? error.Cause : undefined),
  };
}

/**
 * A Lambda error's Cause is JSON (`{"errorType","errorMessage","trace"}`): keep the message, drop the
 * stack trace. Any other cause is kept as is. Both are cut to a readable length.
 */
export function readableCause(cause: string | undefined): { cause?: string } {
  if (cause === undefined || cause === '') return {};
  let text = cause;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (isJsonObject(parsed) && typeof parsed.errorMessage === 'string') text = parsed.errorMessage;
  } catch {
    // Not JSON: a plain cause, as a Fail or Pass state writes it.
  }
  return { cause: text.length > MAX_CAUSE ? `${text.slice(0, MAX_CAUSE)}…` : text };
}
