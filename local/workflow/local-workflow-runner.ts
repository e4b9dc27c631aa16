/**
 * Runs keyturn's workflows (the very ASL files CDK deploys) in-process with `aws-local-stepfunctions`,
 * binding every Task state to a handler by the task name its `${<Name>FunctionArn}` placeholder names.
 *
 * - Refuses to start if any Task state (nested Map states included) has no handler: the library would
 *   otherwise invoke a real Lambda through the AWS SDK.
 * - Poll waits (`Seconds` Wait states) and retry intervals are scaled by `waitScale` for local runs.
 *   The lead-time wait (a `TimestampPath` Wait) is never scaled: PUBLISHED-BEFORE-SIGN is honoured with
 *   a real timer, and the push step re-checks it anyway. The runner sets that timer itself, from the
 *   confirm-visible result, to the time left until `pushNotBefore` and never less than 0: the library
 *   would hand Node a negative delay for a `pushNotBefore` already past (a resumed rotation, a 0 s lead
 *   time), which Node warns about (TimeoutNegativeWarning). The timer starts after the delay is computed,
 *   so it never ends before `pushNotBefore`.
 * - Caveat: the library waits for a timestamp with one `setTimeout`; a delay beyond Node's timer limit
 *   (2^31-1 ms, about 24.8 days) fires at once. The runner refuses such a `pushNotBefore` (the
 *   confirm-visible result is checked), and long waits like the 48 h grace are never Wait states: the
 *   maintenance workflow removes keys once their grace has passed.
 */
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { createTaskHandlers, type PortsProvider, type TaskHandlerOptions } from '#functions/task-handlers.ts';
import { type WorkflowName as AnyWorkflowName, loadWorkflowDefinition } from '#infra/workflows/index.ts';
import { isKeyturnError, KeyturnError } from '#shared/errors.ts';
import type { TaskResults, VisibilityResult } from '#shared/rotation/index.ts';
import type { WorkflowEvent } from '#shared/workflow-event.ts';
import { type TaskName, taskOfResource } from '#shared/workflow-tasks.ts';
import { followExecutionEvents } from './execution-events.ts';

export type { WorkflowEvent };

/** The handler of task `T`: the same function the task's Lambda entry point wraps, or a stand-in. */
export type TaskHandler<T extends TaskName = TaskName> = (event: unknown) => Promise<TaskResults[T]>;

/** Handlers by task name, each with its own task's result. */
export type LocalTaskHandlers = { readonly [T in TaskName]?: TaskHandler<T> };

/** The workflows of infra/workflows/ whose tasks run locally (the fleet workflow starts rotations instead). */
export type WorkflowName = Extract<AnyWorkflowName, 'rotation' | 'maintenance'>;

/** How to build a runner. */
export interface LocalWorkflowRunnerOptions {
  /** A workflow of infra/workflows/, or a parsed ASL definition. */
  readonly definition: WorkflowName | object;
  /**
   * Handlers by task name; every Task state must find one. @default the Lambda handlers of
   * functions/task-handlers.ts bound to `ports` (the very same code as in AWS)
   */
  readonly handlers?: LocalTaskHandlers;
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

/** What to do next after a rotation or maintenance workflow failed, by its ASL error. */
const NEXT_STEP: Readonly<Record<string, string>> = {
  RotationRolledBack:
    'the rotation rolled back and the previous key signs again; run keyturn status to see the keys, fix the cause, then run the same command again',
  KeyNotVisible:
    'nothing was pushed to the cluster; check that the issuer is served at its URL, then run the same command again',
  RotationInProgress:
    'another rotation holds the issuer; wait for it, or resume it (the same command) or end it (keyturn rotate --abort)',
  RollbackFailed:
    'the rollback could not finish: the rotation stays in flight with both keys published; fix the cause, then run the same command again to resume it, or add --abort to end it',
  ActivationFailed:
    'the new key verified but is not active: the rotation stays in flight; fix the cause, then run the same command again to finish it, or add --abort to push the previous key back',
  CompromisedKeyStillPublished:
    'the new key is active, but the compromised key is still in keys.json; fix the cause, then run keyturn maintain to remove it',
  RotationRefused:
    'nothing was changed: the cluster is not stable, another rotation (ccoctl or keyturn) holds its guard, or the grace is shorter than its token lifetime; fix that, then run the same command again',
  ClusterNotStable:
    'the cluster did not become stable in time: the rotation stays in flight with both keys published; make the cluster stable, then run the same command again to resume it, or add --abort to end it',
  NodesNotRebooted:
    'not every node rebooted in time: the new key is active and the old key stays published for its grace; check the machine config pools, then run the same command again to resume, or add --abort to end it',
  TokenRefreshUnfinished:
    'every node rebooted but the rotation could not be ended: fix the cause, then run the same command again to finish it (nothing reboots twice), or add --abort to end it',
};
const RETRY_STEP =
  'fix the cause, run keyturn status to see where the issuer stands, then run the same command again';

/**
 * The execution failed: `error` is the ASL error name (e.g. RotationRolledBack), `state` where. Its code
 * is `ERR_WORKFLOW_FAILED`; `failedCode` is the code of the keyturn error that failed the state (caught
 * before a rollback, or escaped), so the CLI exits as that error would (a cluster that is down: 3).
 */
export class WorkflowFailedError extends KeyturnError<'ERR_WORKFLOW_FAILED'> {
  /** The ASL error: a Fail state's Error, or the name of the error that escaped a state. */
  readonly error: string;
  /** The state that failed the execution. */
  readonly state: string | undefined;
  /** The error caught before a rollback (`$.error` of the state that failed), if any. */
  readonly reason: { readonly Error?: string; readonly Cause?: unknown } | undefined;
  /** The `code` of the KeyturnError that failed the state, when a task threw one. */
  readonly failedCode: string | undefined;

  constructor(
    details: {
      error: string;
      state: string | undefined;
      reason?: { Error?: string; Cause?: unknown };
      failedCode?: string;
    },
    cause: unknown,
  ) {
    const why =
      details.reason === undefined
        ? cause instanceof Error
          ? cause.message
          : String(cause)
        : `${details.reason.Error ?? 'error'}: ${String(details.reason.Cause ?? '')}`;
    const next = NEXT_STEP[details.error] ?? RETRY_STEP;
    super(
      'ERR_WORKFLOW_FAILED',
      `workflow failed in state ${details.state ?? '?'} with ${details.error} (${why}); ${next}`,
      { cause },
    );
    this.error = details.error;
    this.state = details.state;
    this.reason = details.reason;
    this.failedCode = details.failedCode;
  }
}

/** A Task state has no handler, or its Resource names no task. */
export class WorkflowBindingError extends KeyturnError<'ERR_WORKFLOW_BINDING'> {
  constructor(message: string) {
    super('ERR_WORKFLOW_BINDING', message);
  }
}

/** Node's setTimeout limit: a longer delay fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
    const task = taskOfResource(String(state.Resource));
    if (task === undefined) {
      throw new WorkflowBindingError(
        `Task state ${name} has Resource ${String(state.Resource)}, which names no keyturn task (expected \${<Task>FunctionArn})`,
      );
    }
    tasks.set(name, task);
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
  // The lead-time wait: the Wait for confirm-visible's pushNotBefore (`$.confirm.pushNotBefore`).
  const leadTimeWaits = listStates(definition)
    .filter(({ state }) => state.Type === 'Wait' && String(state.TimestampPath).endsWith('.pushNotBefore'))
    .map(({ name }) => name);
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
      // Per run: this run's confirm-visible result sets its lead-time wait.
      const waits: Record<string, number> = { ...waitTimeOverrides };
      const setLeadTime = ({ pushNotBefore }: VisibilityResult) => {
        for (const name of leadTimeWaits) {
          if (pushNotBefore === undefined) delete waits[name];
          else waits[name] = Math.max(0, Date.parse(pushNotBefore) - Date.now());
        }
      };
      const taskErrors: KeyturnError[] = [];
      const taskResourceLocalHandlers: Record<string, LibraryTaskHandler> = {};
      for (const [state, task] of tasks) {
        taskResourceLocalHandlers[state] = libraryHandler(task, handlers, setLeadTime, taskErrors);
      }
      const execution = machine.run(input as never, {
        overrides: { taskResourceLocalHandlers, waitTimeOverrides: waits, retryIntervalOverrides },
      });
      const onAbort = () => execution.abort();
      runOptions?.signal?.addEventListener('abort', onAbort, { once: true });
      const trace = followExecutionEvents(execution.eventLogs, options.onEvent);
      try {
        const result = await execution.result;
        await trace.done;
        return result;
      } catch (error) {
        await Promise.race([trace.done, new Promise((resolve) => setTimeout(resolve, 100))]);
        const cause = (error as { cause?: unknown }).cause ?? error;
        const failedCode = failingCode(cause, trace.reason()?.Error ?? errorName(error), taskErrors);
        throw new WorkflowFailedError(
          {
            error: errorName(error),
            state: trace.failedState(),
            ...(trace.reason() === undefined ? {} : { reason: trace.reason() }),
            ...(failedCode === undefined ? {} : { failedCode }),
          },
          cause,
        );
      } finally {
        runOptions?.signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

/**
 * The library's handler of a Task state bound to `task` (whose handler was checked to exist). A
 * confirm-visible result is checked to fit one timer, then sets the lead-time wait.
 */
function libraryHandler<T extends TaskName>(
  task: T,
  handlers: LocalTaskHandlers,
  setLeadTime: (visibility: VisibilityResult) => void,
  taskErrors: KeyturnError[],
): LibraryTaskHandler {
  const handler = handlers[task] as TaskHandler<T>;
  return (async (input: unknown) => {
    const result = await handler(input).catch((error: unknown) => {
      if (isKeyturnError(error)) taskErrors.push(error);
      throw error;
    });
    if (task === 'confirm-visible') {
      const visibility = result as TaskResults['confirm-visible'];
      assertTimerCanWait(visibility);
      setLeadTime(visibility);
    }
    // Step results are plain JSON (ids, kids, times); interfaces just lack the library's index signature.
    return (result ?? null) as unknown as LibraryJson;
  }) as LibraryTaskHandler;
}

function defaultHandlers(options: LocalWorkflowRunnerOptions): LocalTaskHandlers {
  if (options.ports === undefined) {
    throw new WorkflowBindingError('give the runner either handlers or the ports of the default handlers');
  }
  const handlers = createTaskHandlers(options.ports, options.handlerOptions);
  return handlers;
}

/**
 * The code of the keyturn error that failed the execution: the escaped error itself, or the latest task
 * error of the name the Catch recorded (the ASL keeps only names and messages).
 */
function failingCode(cause: unknown, name: string, taskErrors: readonly KeyturnError[]): string | undefined {
  if (isKeyturnError(cause)) return cause.code;
  return taskErrors.findLast((error) => error.name === name)?.code;
}

function errorName(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.name;
  return error instanceof Error ? error.name : 'Error';
}

/** The confirm-visible result's pushNotBefore must fit in one Node timer (see the module comment). */
function assertTimerCanWait({ pushNotBefore }: VisibilityResult): void {
  if (pushNotBefore === undefined) return;
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
