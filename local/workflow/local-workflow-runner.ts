/**
 * Runs keyturn's workflows (the very ASL files CDK deploys) in-process with `aws-local-stepfunctions`,
 * binding every Task state to a handler by the task name its `${<Name>FunctionArn}` placeholder names.
 *
 * - Refuses to start if any Task state (nested Map states included) has no handler: the library would
 *   otherwise invoke a real Lambda through the AWS SDK.
 * - Poll waits (`Seconds` Wait states) and retry intervals are scaled by `waitScale` for local runs.
 *   The lead-time wait (a `TimestampPath` Wait) is never scaled: PUBLISHED-BEFORE-SIGN is honoured with
 *   a real timer, and the push step re-checks it anyway.
 * - Caveat: the library waits for a timestamp with one `setTimeout`; a delay beyond Node's timer limit
 *   (2^31-1 ms, about 24.8 days) fires at once. The runner refuses such a `pushNotBefore` (the
 *   confirm-visible result is checked), and long waits like the 48 h grace are never Wait states: the
 *   maintenance workflow removes keys once their grace has passed.
 */
import { readFileSync } from 'node:fs';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  createTaskHandlers,
  type PortsProvider,
  TASK_NAMES,
  type TaskHandlerOptions,
  type TaskName,
} from '../../functions/task-handlers.ts';
import type { WorkflowEvent } from '../../shared/workflow-event.ts';

export type { TaskName, WorkflowEvent };

/** One task handler: the same function the task's Lambda entry point wraps. */
export type TaskHandler = (event: unknown) => Promise<unknown>;

/** The workflows shipped in infra/workflows/. */
export type WorkflowName = 'rotation' | 'maintenance';

/** How to build a runner. */
export interface LocalWorkflowRunnerOptions {
  /** A workflow of infra/workflows/, or a parsed ASL definition. */
  readonly definition: WorkflowName | object;
  /**
   * Handlers by task name; every Task state must find one. @default the Lambda handlers of
   * functions/task-handlers.ts bound to `ports` (the very same code as in AWS)
   */
  readonly handlers?: Readonly<Partial<Record<TaskName, TaskHandler>>>;
  /**
   * The ports the default handlers use, asked for with each task's issuerId (required unless `handlers`
   * is given). A local session serves one issuer and may ignore the id.
   */
  readonly ports?: PortsProvider;
  /** Logger, metrics and tracer of the default handlers. */
  readonly handlerOptions?: TaskHandlerOptions;
  /**
   * Scales `Seconds` Wait states and retry intervals (0.005: a 10 s poll wait becomes 50 ms).
   * `TimestampPath` waits (the lead time) are never scaled. @default 1
   */
  readonly waitScale?: number;
  /** Receives progress events. */
  readonly onEvent?: (event: WorkflowEvent) => void;
}

/** A workflow ready to run, validated once. */
export interface LocalWorkflowRunner {
  /** Task state name → task name, for every Task state (nested ones too). */
  readonly tasks: ReadonlyMap<string, TaskName>;
  /** Runs one execution; resolves with its output, or rejects with a {@link WorkflowFailedError}. */
  run(input: unknown, options?: { readonly signal?: AbortSignal }): Promise<unknown>;
}

/** The execution failed: `error` is the ASL error name (e.g. RotationRolledBack), `state` where. */
export class WorkflowFailedError extends Error {
  /** The ASL error: a Fail state's Error, or the name of the error that escaped a state. */
  readonly error: string;
  /** The state that failed the execution. */
  readonly state: string | undefined;
  /** The error caught before a rollback (`$.error` of the state that failed), if any. */
  readonly reason: { readonly Error?: string; readonly Cause?: unknown } | undefined;

  constructor(
    details: { error: string; state: string | undefined; reason?: { Error?: string; Cause?: unknown } },
    cause: unknown,
  ) {
    const why =
      details.reason === undefined
        ? cause instanceof Error
          ? cause.message
          : String(cause)
        : `${details.reason.Error ?? 'error'}: ${String(details.reason.Cause ?? '')}`;
    super(`workflow failed in state ${details.state ?? '?'} with ${details.error} (${why})`, { cause });
    this.name = 'WorkflowFailedError';
    this.error = details.error;
    this.state = details.state;
    this.reason = details.reason;
  }
}

/** A Task state has no handler, or its Resource names no task. */
export class WorkflowBindingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkflowBindingError';
  }
}

/** Node's setTimeout limit: a longer delay fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The path of a workflow shipped in infra/workflows/. */
export function workflowPath(name: WorkflowName): string {
  return new URL(`../../infra/workflows/${name}.asl.json`, import.meta.url).pathname;
}

/** Reads and parses a workflow shipped in infra/workflows/. */
export function loadWorkflowDefinition(name: WorkflowName): Record<string, unknown> {
  return JSON.parse(readFileSync(workflowPath(name), 'utf8')) as Record<string, unknown>;
}

/** `${ConfirmVisibleFunctionArn}` → `confirm-visible`; undefined for anything else. */
export function taskNameOfResource(resource: string): string | undefined {
  const match = /^\$\{([A-Z][A-Za-z0-9]*)FunctionArn\}$/.exec(resource);
  if (match?.[1] === undefined) {
    return undefined;
  }
  return match[1].replace(/[A-Z]/g, (letter, offset: number) =>
    offset === 0 ? letter.toLowerCase() : `-${letter.toLowerCase()}`,
  );
}

interface StateInfo {
  readonly name: string;
  readonly state: Record<string, unknown>;
}

/** Every state of a definition, nested Map (ItemProcessor/Iterator) and Parallel branches included. */
export function listStates(definition: object): StateInfo[] {
  const found: StateInfo[] = [];
  const walk = (machine: unknown) => {
    const states = (machine as { States?: Record<string, Record<string, unknown>> } | undefined)?.States;
    if (states === undefined) return;
    for (const [name, state] of Object.entries(states)) {
      found.push({ name, state });
      walk(state.ItemProcessor ?? state.Iterator);
      for (const branch of (state.Branches as unknown[] | undefined) ?? []) walk(branch);
    }
  };
  walk(definition);
  return found;
}

/** Task state name → task name; throws when a Resource is not a `${<Name>FunctionArn}` of a known task. */
export function bindTasks(definition: object): Map<string, TaskName> {
  const tasks = new Map<string, TaskName>();
  for (const { name, state } of listStates(definition)) {
    if (state.Type !== 'Task') continue;
    const task = taskNameOfResource(String(state.Resource));
    if (task === undefined || !(TASK_NAMES as readonly string[]).includes(task)) {
      throw new WorkflowBindingError(
        `Task state ${name} has Resource ${String(state.Resource)}, which names no keyturn task (expected \${<Task>FunctionArn})`,
      );
    }
    tasks.set(name, task as TaskName);
  }
  return tasks;
}

/**
 * Builds a runner: binds every Task state to its handler (refusing to start if one is missing) and
 * validates the definition once; `run` reuses the state machine.
 */
export function createLocalWorkflowRunner(options: LocalWorkflowRunnerOptions): LocalWorkflowRunner {
  const definition =
    typeof options.definition === 'string' ? loadWorkflowDefinition(options.definition) : options.definition;
  const tasks = bindTasks(definition);
  const handlers = options.handlers ?? defaultHandlers(options);
  const missing = [...tasks].filter(([, task]) => handlers[task] === undefined);
  if (missing.length > 0) {
    throw new WorkflowBindingError(
      `refusing to run: no local handler for ${missing.map(([state, task]) => `${state} (${task})`).join(', ')}; without one the workflow would call a real Lambda`,
    );
  }
  const scale = options.waitScale ?? 1;
  if (!(scale >= 0)) {
    throw new RangeError(`waitScale must be ≥ 0, not ${scale}`);
  }
  const taskResourceLocalHandlers: Record<string, LibraryTaskHandler> = {};
  for (const [state, task] of tasks) {
    const handler = handlers[task] as TaskHandler;
    taskResourceLocalHandlers[state] = (async (input: unknown) => {
      const result = await handler(input);
      if (task === 'confirm-visible') assertTimerCanWait(result);
      return (result ?? null) as LibraryJson;
    }) as LibraryTaskHandler;
  }
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number[]> = {};
  if (scale !== 1) {
    for (const { name, state } of listStates(definition)) {
      if (state.Type === 'Wait' && typeof state.Seconds === 'number') {
        waitTimeOverrides[name] = Math.round(state.Seconds * 1000 * scale);
      }
      const retry = state.Retry as { IntervalSeconds?: number }[] | undefined;
      if (retry !== undefined) {
        retryIntervalOverrides[name] = retry.map((retrier) =>
          Math.round((retrier.IntervalSeconds ?? 1) * 1000 * scale),
        );
      }
    }
  }
  const machine = new StateMachine(definition as StateMachineDefinition);
  return {
    tasks,
    run: async (input, runOptions) => {
      const execution = machine.run(input as never, {
        overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
      });
      const onAbort = () => execution.abort();
      runOptions?.signal?.addEventListener('abort', onAbort, { once: true });
      const trace = followEvents(execution.eventLogs, options.onEvent);
      try {
        const result = await execution.result;
        await trace.done;
        return result;
      } catch (error) {
        await Promise.race([trace.done, new Promise((resolve) => setTimeout(resolve, 100))]);
        throw new WorkflowFailedError(
          {
            error: errorName(error),
            state: trace.failedState(),
            ...(trace.reason() === undefined ? {} : { reason: trace.reason() }),
          },
          (error as { cause?: unknown }).cause ?? error,
        );
      } finally {
        runOptions?.signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

function defaultHandlers(options: LocalWorkflowRunnerOptions): Record<TaskName, TaskHandler> {
  if (options.ports === undefined) {
    throw new WorkflowBindingError('give the runner either handlers or the ports of the default handlers');
  }
  const handlers = createTaskHandlers(options.ports, options.handlerOptions);
  return handlers;
}

function errorName(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.name;
  return error instanceof Error ? error.name : 'Error';
}

/** The confirm-visible result's pushNotBefore must fit in one Node timer (see the module comment). */
function assertTimerCanWait(result: unknown): void {
  const pushNotBefore = (result as { pushNotBefore?: unknown } | null)?.pushNotBefore;
  if (typeof pushNotBefore !== 'string') return;
  const delay = Date.parse(pushNotBefore) - Date.now();
  if (delay > MAX_TIMER_MS) {
    throw new RangeError(
      `pushNotBefore ${pushNotBefore} is more than 24.8 days away: a local Wait would fire at once; use a shorter lead time`,
    );
  }
}

type LibraryTaskHandler = NonNullable<
  NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']
>[string];
type LibraryJson = Awaited<ReturnType<LibraryTaskHandler>>;

type LibraryEvent = {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown };
  index?: number;
  Error?: string;
  retry?: { attempt: number };
};

/** Consumes the library's event log: reports progress and remembers where and why it failed. */
function followEvents(
  events: AsyncGenerator<unknown>,
  onEvent: ((event: WorkflowEvent) => void) | undefined,
) {
  let startedAt: number | undefined;
  const entered = new Map<string, number>();
  let failedState: string | undefined;
  // The innermost state of a failure: a Map fails after its iteration's state; a catch or retry closes it.
  let failureOpen = false;
  let reason: { Error?: string; Cause?: unknown } | undefined;
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
  const done = (async () => {
    try {
      for await (const raw of events) {
        const event = raw as LibraryEvent;
        startedAt ??= event.timestamp;
        const key = `${event.state?.name}#${event.index ?? ''}`;
        const stateElapsedMs = () => {
          const since = entered.get(key);
          return since === undefined ? {} : { stateElapsedMs: event.timestamp - since };
        };
        switch (event.type) {
          case 'ExecutionStarted':
            emit(event, 'execution-started');
            break;
          case 'ExecutionSucceeded':
            emit(event, 'execution-succeeded');
            break;
          case 'ExecutionFailed':
            emit(event, 'execution-failed', event.Error === undefined ? {} : { error: event.Error });
            break;
          case 'StateEntered': {
            entered.set(key, event.timestamp);
            if (event.state?.type === 'Fail') {
              failedState = event.state.name;
              const error = (event.state.input as { error?: { Error?: string; Cause?: unknown } } | null)
                ?.error;
              if (error !== undefined) reason = { Error: error.Error, Cause: error.Cause };
            }
            emit(event, 'state-entered');
            break;
          }
          case 'StateExited':
            emit(event, 'state-exited', stateElapsedMs());
            break;
          case 'StateFailed':
            if (!failureOpen) failedState = event.state?.name;
            failureOpen = true;
            emit(event, 'state-failed', {
              ...stateElapsedMs(),
              ...(event.Error === undefined ? {} : { error: event.Error }),
            });
            break;
          case 'StateRetried':
            failureOpen = false;
            emit(event, 'state-retried', event.retry === undefined ? {} : { attempt: event.retry.attempt });
            break;
          case 'StateCaught':
            failureOpen = false;
            emit(event, 'state-caught', stateElapsedMs());
            break;
          default:
            break;
        }
      }
    } catch {
      // The event log ends with the execution; a failed execution may end it with an error.
    }
  })();
  return { done, failedState: () => failedState, reason: () => reason };
}
