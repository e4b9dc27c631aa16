/**
 * What makes a local rotation RECOVERABLE: which rotation a run starts or resumes, how Ctrl-C stops it
 * between steps, and what the person is told when it stopped.
 */

import { KeyturnError } from '#shared/errors.ts';
import type { Keyring, RotationMode } from '#shared/keyring/keyring.ts';
import { describeRotationKeys, newRotationId, RotationInProgressError } from '#shared/rotation/index.ts';
import type { LocalTaskHandlers } from './workflow/local-workflow-runner.ts';

/** Ctrl-C (SIGINT/SIGTERM) stopped a local rotation between two steps; the message says how to go on. */
export class LocalRotationInterruptedError extends KeyturnError<'ERR_ROTATION_INTERRUPTED'> {}

/** The commands that go on after an interruption, as the person typed them. */
export interface GoOnCommands {
  /** @default 'keyturn rotate --local' */
  readonly resume: string;
  /** @default 'keyturn rotate --local --abort' */
  readonly abort: string;
}

/** The default {@link GoOnCommands}. */
export const LOCAL_GO_ON: GoOnCommands = {
  resume: 'keyturn rotate --local',
  abort: 'keyturn rotate --local --abort',
};

/** What the caller asked for; a rotation in flight wins over it (it is resumed). */
export interface RotationAsked {
  readonly rotationId?: string;
  readonly emergencyKid?: string;
  readonly leadTimeSeconds?: number;
}

/** The workflow input of the run, and whether it resumes a rotation in flight. */
export interface PlannedRotation {
  readonly rotationId: string;
  readonly resumed: boolean;
  readonly input: {
    readonly issuerId: string;
    readonly rotationId: string;
    readonly mode: RotationMode;
    readonly compromisedKid?: string;
    readonly leadTimeSeconds?: number;
  };
}

/**
 * Starts a new rotation, or resumes the one in flight with its own id, mode, compromised key and lead time
 * (the workflow is re-entered from the start; each step skips what is done: RETRY-SAFE). A different
 * rotation id, or an emergency the rotation in flight is not, fails fast (ONE-SIGNER) and names the
 * commands that go on.
 */
export function planRotation(
  keyring: Keyring,
  asked: RotationAsked,
  commands: GoOnCommands,
  now: Date,
): PlannedRotation {
  const inFlight = keyring.rotation;
  if (inFlight === undefined) {
    const rotationId = asked.rotationId ?? newRotationId(now);
    return {
      rotationId,
      resumed: false,
      input: {
        issuerId: keyring.issuerId,
        rotationId,
        mode: asked.emergencyKid === undefined ? 'manual' : 'emergency',
        ...(asked.emergencyKid === undefined ? {} : { compromisedKid: asked.emergencyKid }),
        ...(asked.leadTimeSeconds === undefined ? {} : { leadTimeSeconds: asked.leadTimeSeconds }),
      },
    };
  }
  const conflict =
    asked.rotationId !== undefined && asked.rotationId !== inFlight.id
      ? `not rotation ${asked.rotationId}`
      : asked.emergencyKid !== undefined && asked.emergencyKid !== inFlight.compromisedKid
        ? `not an emergency rotation replacing ${asked.emergencyKid}`
        : undefined;
  if (conflict !== undefined) {
    throw new RotationInProgressError(
      'ERR_ROTATION_IN_PROGRESS',
      `issuer ${keyring.issuerId}: rotation ${inFlight.id} (${inFlight.mode}) is in flight since ${inFlight.startedAt}, ${conflict} (ONE-SIGNER). ` +
        `Resume it with ${commands.resume}, or end it safely with ${commands.abort}, then start the one you want`,
    );
  }
  return {
    rotationId: inFlight.id,
    resumed: true,
    input: {
      issuerId: keyring.issuerId,
      rotationId: inFlight.id,
      mode: inFlight.mode,
      ...(inFlight.compromisedKid === undefined ? {} : { compromisedKid: inFlight.compromisedKid }),
      leadTimeSeconds: inFlight.leadTimeSeconds,
    },
  };
}

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
