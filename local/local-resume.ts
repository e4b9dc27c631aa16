/**
 * What makes a local rotation RECOVERABLE: how Ctrl-C stops it between steps, and what the person is told
 * when it stopped. Which rotation a run starts or resumes is shared/rotation/resume-plan.ts.
 */

import { KeyturnError } from '#shared/errors.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import { describeRotationKeys } from '#shared/rotation/index.ts';
import type { GoOnCommands } from '#shared/rotation/resume-plan.ts';
import type { LocalTaskHandlers } from './workflow/local-workflow-runner.ts';

/** Ctrl-C (SIGINT/SIGTERM) stopped a local rotation between two steps; the message says how to go on. */
export class LocalRotationInterruptedError extends KeyturnError<'ERR_ROTATION_INTERRUPTED'> {}

/** The default {@link GoOnCommands}. */
export const LOCAL_GO_ON: GoOnCommands = {
  resume: 'keyturn rotate --local',
  abort: 'keyturn rotate --local --abort',
};

/** `Resuming rotation <id> (started <time>, new key <kid>: published, not pushed)`. */
export function describeResume(keyring: Keyring): string {
  const rotation = keyring.rotation;
  if (rotation === undefined) return '';
  return `Resuming rotation ${rotation.id} (started ${rotation.startedAt}, ${describeRotationKeys(keyring, rotation)})\n`;
}

/**
 * Stops a workflow run between steps: once `signal` aborts, no step starts any more, and `idle()`
 * resolves when the step that was running has finished (its write is never cut in half).
 */
export interface StepGate {
  /** The handlers, each refusing to start after the abort and tracked while it runs. */
  gate(handlers: LocalTaskHandlers): LocalTaskHandlers;
  /** Resolves once no step runs. */
  idle(): Promise<void>;
}

/** A {@link StepGate} for `signal`. */
export function createStepGate(signal: AbortSignal | undefined): StepGate {
  const running = new Set<Promise<unknown>>();
  const gateOne =
    (handler: (event: unknown) => Promise<unknown>) =>
    (event: unknown): Promise<unknown> => {
      if (signal?.aborted === true) {
        return Promise.reject(new LocalRotationInterruptedError('ERR_ROTATION_INTERRUPTED', 'interrupted'));
      }
      const call = handler(event);
      const settled = call.then(
        () => undefined,
        () => undefined,
      );
      running.add(settled);
      void settled.then(() => running.delete(settled));
      return call;
    };
  return {
    gate: (handlers) =>
      Object.fromEntries(
        Object.entries(handlers).map(([task, handler]) => [
          task,
          gateOne(handler as (event: unknown) => Promise<unknown>),
        ]),
      ) as LocalTaskHandlers,
    idle: async () => {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}

/**
 * The interruption, told: where the run stopped, what state the keys are in (from the keyring), and the
 * two commands that go on.
 */
export function interruptedError(
  keyring: Keyring,
  stoppedIn: string | undefined,
  commands: GoOnCommands,
): LocalRotationInterruptedError {
  const rotation = keyring.rotation;
  const where = stoppedIn === undefined ? '' : ` in ${stoppedIn}`;
  if (rotation === undefined) {
    const last = keyring.lastRotation;
    return new LocalRotationInterruptedError(
      'ERR_ROTATION_INTERRUPTED',
      `interrupted${where}; issuer ${keyring.issuerId} has no rotation in flight` +
        (last === undefined ? '' : ` (rotation ${last.id} ${last.outcome} at ${last.finishedAt})`),
    );
  }
  return new LocalRotationInterruptedError(
    'ERR_ROTATION_INTERRUPTED',
    `interrupted: rotation ${rotation.id} of issuer ${keyring.issuerId} stopped${where}.\n` +
      `  ${describeRotationKeys(keyring, rotation)}\n` +
      'Go on with one of:\n' +
      `  ${commands.resume.padEnd(commands.abort.length)}  resume it where it stopped (same rotation id)\n` +
      `  ${commands.abort}  end it safely (drop the new key, or push the previous key back)`,
  );
}
