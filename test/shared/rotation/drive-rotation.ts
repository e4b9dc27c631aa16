/**
 * Drives one rotation through its tasks the way the rotation workflow does, without the workflow:
 * prepare, generate, publish, poll confirm-visible, jump the clock over the lead time, push, poll
 * watch-rollout, poll await-stability, poll verify, activate; for tokenRefresh `reboot`, poll
 * refresh-tokens, poll await-stability again, finish-refresh. The one copy of that loop: the rotation tests, the handler tests
 * and bench/rotation-engine.ts use it. No vitest here, so the benchmarks (plain node) can import it.
 */
import type { ManualClock } from '#shared/adapters/memory/index.ts';
import type { RotationMode, TokenRefresh } from '#shared/keyring/keyring.ts';
import type { RotationPorts } from '#shared/ports.ts';
import { StepNotReadyError, TASK_STEPS, type TaskResults } from '#shared/rotation/index.ts';
import type { RotationTask } from '#shared/workflow-tasks.ts';

/** What a rotation is started with: the rotation workflow's input. */
export interface RotationRequest {
  readonly issuerId: string;
  readonly rotationId: string;
  /** @default 'manual' */
  readonly mode?: RotationMode;
  readonly compromisedKid?: string;
  readonly leadTimeSeconds?: number;
  readonly tokenRefresh?: TokenRefresh;
}

const STEPS: {
  readonly [T in RotationTask]: (ports: RotationPorts, request: RotationRequest) => Promise<TaskResults[T]>;
} = {
  ...TASK_STEPS,
  prepare: (ports, { mode = 'manual', ...request }) => TASK_STEPS.prepare(ports, { ...request, mode }),
};

/** Calls the rotation step of `task` with `ports`, as the task's handler would. */
export function callRotationStep<T extends RotationTask>(
  task: T,
  ports: RotationPorts,
  request: RotationRequest,
): Promise<TaskResults[T]> {
  return STEPS[task](ports, request);
}

/** Runs one task of the rotation: its step on some ports, its Lambda handler, a timed call... */
export type TaskRunner = <T extends RotationTask>(task: T) => Promise<TaskResults[T]>;

/** How to drive one rotation. */
export interface DriveRotationOptions {
  /** Runs each task; `(task) => callRotationStep(task, ports, request)` runs the steps themselves. */
  readonly run: TaskRunner;
  /** Moved instead of waiting: between polls, and over the lead time. */
  readonly clock: Pick<ManualClock, 'now' | 'set' | 'advance'>;
  /** Return before running this task. @default run to the end */
  readonly stopBefore?: RotationTask;
  /** Calls of one polled task before giving up: a broken rollout fails instead of hanging. @default 2000 */
  readonly maxPolls?: number;
  /** Simulated time between two polls. @default 1000 */
  readonly pollIntervalMs?: number;
  /** Called after each task's last call and after each move of the clock (tests check invariants). */
  readonly onProgress?: () => Promise<void> | void;
}

/** What each task of the rotation last returned (up to `stopBefore`). */
export type DrivenRotation = { -readonly [T in RotationTask]?: TaskResults[T] };

/** Drives one rotation to its end (or to `stopBefore`) and returns each task's last result. */
export async function driveRotationTasks(options: DriveRotationOptions): Promise<DrivenRotation> {
  const { run, clock } = options;
  const maxPolls = options.maxPolls ?? 2000;
  const results: DrivenRotation = {};
  const settle = async <T extends RotationTask>(task: T, result: TaskResults[T]) => {
    results[task] = result as DrivenRotation[T];
    await options.onProgress?.();
    return result;
  };
  const once = async <T extends RotationTask>(task: T) => settle(task, await run(task));
  /** Calls `task` until `done` says so; not ready yet (StepNotReadyError) is polled again too. */
  const poll = async <T extends RotationTask>(task: T, done: (result: TaskResults[T]) => boolean) => {
    for (let attempt = 0; attempt < maxPolls; attempt += 1) {
      const result = await run(task).catch(retryWhenNotReady);
      if (result !== undefined && done(result)) return settle(task, result);
      clock.advance(options.pollIntervalMs ?? 1000);
      await options.onProgress?.();
    }
    throw new Error(`${task}: gave up after ${maxPolls} polls`);
  };
  const stops = (task: RotationTask) => options.stopBefore === task;

  if (stops('prepare')) return results;
  const prepared = await once('prepare');
  // As the workflow's IsInRefreshPhase: a resumed rotation already activated goes back to its refresh phase.
  if (prepared.refreshing) return driveTokenRefresh({ ...options, results, poll, once, stops });
  for (const task of ['generate', 'publish'] as const) {
    if (stops(task)) return results;
    await once(task);
  }
  if (stops('confirm-visible')) return results;
  const { pushNotBefore } = await poll('confirm-visible', (result) => result.visible);
  // PUBLISHED-BEFORE-SIGN: the workflow waits until pushNotBefore; the manual clock jumps there.
  if (pushNotBefore !== undefined) {
    clock.set(new Date(Math.max(Date.parse(pushNotBefore), clock.now().getTime())));
    await options.onProgress?.();
  }
  if (stops('push')) return results;
  await once('push');
  if (stops('watch-rollout')) return results;
  await poll('watch-rollout', (result) => result.done);
  if (stops('await-stability')) return results;
  await poll('await-stability', (result) => result.stable);
  if (stops('verify')) return results;
  await poll('verify', () => true);
  if (stops('activate')) return results;
  const activated = await once('activate');
  if (!activated.refreshing) return results;
  return driveTokenRefresh({ ...options, results, poll, once, stops });
}

interface RefreshDriver extends DriveRotationOptions {
  readonly results: DrivenRotation;
  readonly poll: <T extends RotationTask>(
    task: T,
    done: (result: TaskResults[T]) => boolean,
  ) => Promise<unknown>;
  readonly once: <T extends RotationTask>(task: T) => Promise<unknown>;
  readonly stops: (task: RotationTask) => boolean;
}

/** The token refresh phase after activation: reboots followed to the end, stability again, finish. */
async function driveTokenRefresh(driver: RefreshDriver): Promise<DrivenRotation> {
  const { results, poll, once, stops } = driver;
  if (stops('refresh-tokens')) return results;
  await poll('refresh-tokens', (result) => result.done);
  await poll('await-stability', (result) => result.stable);
  if (stops('finish-refresh')) return results;
  await once('finish-refresh');
  return results;
}

function retryWhenNotReady(error: unknown): undefined {
  if (error instanceof StepNotReadyError) return undefined;
  throw error;
}
