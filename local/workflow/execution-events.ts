/**
 * Follows the event log of an `aws-local-stepfunctions` execution: turns the library's events into
 * keyturn's {@link WorkflowEvent}s (the progress the CLI shows) and remembers where and why the execution
 * failed, for the runner's WorkflowFailedError.
 */
import type { WorkflowEvent } from '#shared/workflow-event.ts';

/** An event as the library emits it (only the fields keyturn reads). */
type LibraryEvent = {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown };
  index?: number;
  Error?: string;
  retry?: { attempt: number };
};

/** Why a rollback started: the `$.error` a Catch put on the state that leads to the Fail state. */
export type FailureReason = { readonly Error?: string; readonly Cause?: unknown };

/** What {@link followExecutionEvents} found once the log ended. */
export interface ExecutionTrace {
  /** Resolves when the event log has ended. */
  readonly done: Promise<void>;
  /** The innermost state that failed the execution, if one did. */
  failedState(): string | undefined;
  /** The error caught before the execution reached its Fail state, if any. */
  reason(): FailureReason | undefined;
}

/** The library's event types that keyturn reports as they are, without details. */
const PLAIN_EVENTS: Readonly<Record<string, WorkflowEvent['type']>> = {
  ExecutionStarted: 'execution-started',
  ExecutionSucceeded: 'execution-succeeded',
};

/** The lead-time wait ends at `$.confirm.pushNotBefore` (its TimestampPath): a time, never key material. */
function waitUntilOf(event: LibraryEvent): Partial<WorkflowEvent> {
  if (event.state?.type !== 'Wait') return {};
  const pushNotBefore = (event.state.input as { confirm?: { pushNotBefore?: unknown } } | null)?.confirm
    ?.pushNotBefore;
  const time = typeof pushNotBefore === 'string' ? Date.parse(pushNotBefore) : Number.NaN;
  return Number.isNaN(time) ? {} : { waitUntil: new Date(time) };
}

/** Consumes the library's event log: reports progress and remembers where and why it failed. */
export function followExecutionEvents(
  events: AsyncGenerator<unknown>,
  onEvent: ((event: WorkflowEvent) => void) | undefined,
): ExecutionTrace {
  let startedAt: number | undefined;
  const entered = new Map<string, number>();
  let failedState: string | undefined;
  // The innermost state of a failure: a Map fails after its iteration's state; a catch or retry closes it.
  let failureOpen = false;
  let reason: FailureReason | undefined;

  const emit = (event: LibraryEvent, type: WorkflowEvent['type'], extra: Partial<WorkflowEvent> = {}) => {
    if (onEvent === undefined) return;
    startedAt ??= event.timestamp;
    onEvent({
      type,
      at: new Date(event.timestamp),
      elapsedMs: event.timestamp - startedAt,
      ...(event.state === undefined ? {} : { state: event.state.name, stateType: event.state.type }),
      ...(event.index === undefined ? {} : { index: event.index }),
      ...extra,
    });
  };
  const keyOf = (event: LibraryEvent) => `${event.state?.name}#${event.index ?? ''}`;
  const stateElapsedMs = (event: LibraryEvent) => {
    const since = entered.get(keyOf(event));
    return since === undefined ? {} : { stateElapsedMs: event.timestamp - since };
  };
  const errorOf = (event: LibraryEvent) => (event.Error === undefined ? {} : { error: event.Error });

  const handlers: Readonly<Record<string, (event: LibraryEvent) => void>> = {
    ExecutionFailed: (event) => emit(event, 'execution-failed', errorOf(event)),
    StateEntered: (event) => {
      entered.set(keyOf(event), event.timestamp);
      if (event.state?.type === 'Fail') {
        failedState = event.state.name;
        const error = (event.state.input as { error?: FailureReason } | null)?.error;
        if (error !== undefined) reason = { Error: error.Error, Cause: error.Cause };
      }
      emit(event, 'state-entered', waitUntilOf(event));
    },
    StateExited: (event) => emit(event, 'state-exited', stateElapsedMs(event)),
    StateFailed: (event) => {
      if (!failureOpen) failedState = event.state?.name;
      failureOpen = true;
      emit(event, 'state-failed', { ...stateElapsedMs(event), ...errorOf(event) });
    },
    StateRetried: (event) => {
      failureOpen = false;
      emit(event, 'state-retried', event.retry === undefined ? {} : { attempt: event.retry.attempt });
    },
    StateCaught: (event) => {
      failureOpen = false;
      emit(event, 'state-caught', stateElapsedMs(event));
    },
  };

  const done = (async () => {
    try {
      for await (const raw of events) {
        const event = raw as LibraryEvent;
        startedAt ??= event.timestamp;
        const plain = PLAIN_EVENTS[event.type];
        if (plain !== undefined) emit(event, plain);
        else handlers[event.type]?.(event);
      }
    } catch {
      // The event log ends with the execution; a failed execution may end it with an error.
    }
  })();
  return { done, failedState: () => failedState, reason: () => reason };
}
