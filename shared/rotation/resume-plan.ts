/**
 * Which rotation a run starts or resumes (RECOVERABLE): the one decision `keyturn rotate --local` and
 * `keyturn rotate` in AWS share. A rotation in flight is resumed with its own id, mode, compromised key and
 * lead time; asking for something it is not fails fast (ONE-SIGNER) and names the commands that go on.
 */

import type { Keyring, Rotation, RotationMode, TokenRefresh } from '../keyring/keyring.ts';
import { RotationInProgressError } from './errors.ts';
import { newRotationId } from './rotation-id.ts';

/** The commands that go on after an interruption or a refusal, as the person would type them. */
export interface GoOnCommands {
  /** Runs the rotation in flight on to its end, e.g. `keyturn rotate --local`. */
  readonly resume: string;
  /** Ends the rotation in flight safely, e.g. `keyturn rotate --local --abort`. */
  readonly abort: string;
}

/** What the caller asked for; a rotation in flight wins over it (it is resumed). */
export interface RotationAsked {
  readonly rotationId?: string;
  readonly emergencyKid?: string;
  readonly leadTimeSeconds?: number;
  /** `wait` for `--emergency KID --no-reboot`. @default the rotation's own (prepare decides) */
  readonly tokenRefresh?: TokenRefresh;
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
    readonly tokenRefresh?: TokenRefresh;
  };
}

/**
 * Starts a new rotation, or resumes the one in flight (the workflow is re-entered from the start; each step
 * skips what is done: RETRY-SAFE). A different rotation id, an emergency the rotation in flight is not, or
 * another lead time than the one it was prepared with fails fast (ONE-SIGNER) naming `commands`.
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
        ...(asked.tokenRefresh === undefined ? {} : { tokenRefresh: asked.tokenRefresh }),
      },
    };
  }
  const conflict = conflictWith(inFlight, asked);
  if (conflict !== undefined) {
    throw new RotationInProgressError(
      'ERR_ROTATION_IN_PROGRESS',
      `issuer ${keyring.issuerId}: rotation ${inFlight.id} (${inFlight.mode}) is in flight since ${inFlight.startedAt}, ${conflict} (ONE-SIGNER). ` +
        `Resume it with ${commands.resume}, or end it safely with ${commands.abort}, then start the one you want`,
    );
  }
  return { rotationId: inFlight.id, resumed: true, input: resumedInput(keyring.issuerId, inFlight) };
}

/** The workflow input that re-enters rotation `inFlight` with its own settings. */
export function resumedInput(issuerId: string, inFlight: Rotation): PlannedRotation['input'] {
  return {
    issuerId,
    rotationId: inFlight.id,
    mode: inFlight.mode,
    ...(inFlight.compromisedKid === undefined ? {} : { compromisedKid: inFlight.compromisedKid }),
    leadTimeSeconds: inFlight.leadTimeSeconds,
  };
}

/** Why `asked` is not the rotation in flight (`not rotation r2`), or undefined when it is (or says nothing). */
function conflictWith(inFlight: Rotation, asked: RotationAsked): string | undefined {
  if (asked.rotationId !== undefined && asked.rotationId !== inFlight.id) {
    return `not rotation ${asked.rotationId}`;
  }
  if (asked.emergencyKid !== undefined && asked.emergencyKid !== inFlight.compromisedKid) {
    return `not an emergency rotation replacing ${asked.emergencyKid}`;
  }
  if (asked.leadTimeSeconds !== undefined && asked.leadTimeSeconds !== inFlight.leadTimeSeconds) {
    return `prepared with a lead time of ${inFlight.leadTimeSeconds} s, not ${asked.leadTimeSeconds} s (a resumed rotation keeps its own; run it again without --lead-time)`;
  }
  if (asked.tokenRefresh !== undefined && asked.tokenRefresh !== (inFlight.tokenRefresh ?? 'wait')) {
    return `prepared with token refresh ${inFlight.tokenRefresh ?? 'wait'}, not ${asked.tokenRefresh} (a resumed rotation keeps its own; run it again without --no-reboot)`;
  }
  return undefined;
}
