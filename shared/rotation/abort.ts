import { isKeyturnError } from '../errors.ts';
import type { Keyring, Rotation } from '../keyring/keyring.ts';
import { findKey, withKey } from '../keyring/queries.ts';
import type { RotationPorts } from '../ports.ts';
import { AbortFailedError, RotationNotInFlightError, RotationRequestError } from './errors.ts';
import { type RotationStage, rotationStage } from './in-flight.ts';
import { publishKeyring } from './publish-documents.ts';
import { rollbackRotation } from './rollback.ts';
import { endRotation } from './rotation-end.ts';
import { commit, loadKeyring, nowIso } from './step-context.ts';

/** What to abort: the issuer; its rotation in flight is read from the keyring. */
export interface AbortInput {
  readonly issuerId: string;
  /**
   * The command that aborts, named in messages so a failure says what goes on.
   * @default 'keyturn rotate --abort'
   */
  readonly command?: string;
}

/** How the abort ended the rotation. */
export interface AbortResult {
  readonly rotationId: string;
  /** Where the rotation stood when it was aborted. */
  readonly stage: RotationStage;
  /** The key that signs now: the rotation's previous, still active key. */
  readonly activeKid: string | undefined;
  /** The new key, if the rotation had one. */
  readonly newKid?: string;
  /**
   * `dropped`: the new key never reached the cluster and left keys.json at once; `kept`: it may have
   * signed, so it stays published (failed) for the grace period; `none`: there was no new key.
   */
  readonly newKey: 'dropped' | 'kept' | 'none';
  /** True when the previous pair was pushed back to the cluster. */
  readonly pushedBack: boolean;
}

const REASON = 'aborted by the operator';

/**
 * Ends the issuer's rotation in flight safely (RECOVERABLE), whatever step it stopped at:
 * - before the push, the new key never left keyturn, so it never signed: it is marked removed and keys.json
 *   is republished without it (ALWAYS-VALID: the active key stays);
 * - after the push, the cluster may sign with it: the previous pair is pushed back (the rollback step) and
 *   the new key stays published, failed, for the grace period (NO-ORPHAN-TOKENS).
 * The rotation record is cleared so the next rotation can start. A push back that fails leaves the
 * rotation in flight, records the failure on it and in the audit trail, and throws an error naming the
 * command to run again. A re-run after a crash converges (RETRY-SAFE).
 */
export async function abortRotation(ports: RotationPorts, input: AbortInput): Promise<AbortResult> {
  const command = input.command ?? 'keyturn rotate --abort';
  const stored = await loadKeyring(ports, input.issuerId);
  const { keyring } = stored;
  const rotation = requireRotationToAbort(keyring);
  const stage = rotationStage(keyring, rotation);
  const activeKid = rotation.previousKid;
  const newKid = rotation.newKid;
  if (stage === 'pushed' || stage === 'verified') {
    assertCanPushBack(keyring, rotation, command);
    const rolledBack = await rollbackRotation(ports, {
      issuerId: keyring.issuerId,
      rotationId: rotation.id,
      reason: `${REASON} (${stage}: pushed the previous key back)`,
      outcome: 'aborted',
    }).catch((error: unknown) => recordFailure(ports, keyring.issuerId, rotation.id, command, error));
    return {
      rotationId: rotation.id,
      stage,
      activeKid: rolledBack.restoredKid,
      ...(newKid === undefined ? {} : { newKid }),
      newKey: 'kept',
      pushedBack: rolledBack.pushedBack,
    };
  }
  const now = nowIso(ports);
  const newKey = findKey(keyring, newKid);
  let next: Keyring = keyring;
  if (newKey !== undefined) {
    // Never pushed, so it never signed: it may leave keys.json at once (removedAt before any grace).
    next = withKey(next, newKey.kid, { state: 'removed', removedAt: now, failedAt: now, failure: REASON });
  }
  next = endRotation(next, rotation, {
    outcome: 'aborted',
    finishedAt: now,
    reason: `${REASON} (${stage})`,
    ...(newKid === undefined ? {} : { newKid }),
  });
  await commit(ports, stored, next, {
    rotationId: rotation.id,
    step: 'abort',
    ...(newKid === undefined ? {} : { kid: newKid }),
    outcome: 'ok',
    detail: newKey === undefined ? `ended at ${stage}` : `ended at ${stage}; dropped ${newKey.kid}`,
  });
  if (newKey !== undefined && newKey.state !== 'generated') {
    // Built from the committed keyring (RETRY-SAFE: maintenance republishes it if this write is lost).
    await publishKeyring(ports, next);
  }
  return {
    rotationId: rotation.id,
    stage,
    activeKid,
    ...(newKid === undefined ? {} : { newKid }),
    newKey: newKey === undefined ? 'none' : 'dropped',
    pushedBack: false,
  };
}

/** The rotation in flight, or ERR_ROTATION_NOT_IN_FLIGHT saying there is nothing to abort (and how the last one ended). */
export function requireRotationToAbort(keyring: Keyring): Rotation {
  const rotation = keyring.rotation;
  if (rotation === undefined) {
    const last = keyring.lastRotation;
    const since =
      last === undefined ? '' : ` (the last one, ${last.id}, ${last.outcome} at ${last.finishedAt})`;
    throw new RotationNotInFlightError(
      'ERR_ROTATION_NOT_IN_FLIGHT',
      `issuer ${keyring.issuerId}: no rotation is in flight, so there is nothing to abort${since}`,
    );
  }
  return rotation;
}

/**
 * After the push, aborting means pushing the previous key back; keyturn cannot when it holds no private
 * key for it (an emergency that adopted the cluster's own key). Going on is the only safe way then.
 */
function assertCanPushBack(keyring: Keyring, rotation: Rotation, command: string): void {
  const previous = findKey(keyring, rotation.previousKid);
  if (previous !== undefined && previous.vaultRef !== undefined) return;
  throw new RotationRequestError(
    'ERR_ROTATION_REQUEST',
    `issuer ${keyring.issuerId}: rotation ${rotation.id} cannot be aborted after its push: keyturn holds no private key for the previous key ${rotation.previousKid ?? '(none)'} to push back. ` +
      `Resume it instead (run the rotation again without --abort: ${command.replace(/\s*--abort\b/, '')})`,
  );
}

/** Records a failed abort on the rotation and in the audit trail, then throws what to do next. */
async function recordFailure(
  ports: RotationPorts,
  issuerId: string,
  rotationId: string,
  command: string,
  error: unknown,
): Promise<never> {
  const reason = isKeyturnError(error)
    ? `${error.code}: ${error.message}`
    : `${error instanceof Error ? error.name : 'Error'}`;
  const stored = await loadKeyring(ports, issuerId);
  const rotation = stored.keyring.rotation;
  if (rotation?.id === rotationId) {
    const at = nowIso(ports);
    await commit(
      ports,
      stored,
      { ...stored.keyring, rotation: { ...rotation, abortFailedAt: at, abortFailure: reason } },
      {
        rotationId,
        step: 'abort',
        outcome: 'failed',
        detail: `pushing the previous key back failed: ${reason}`,
      },
    );
  }
  throw new AbortFailedError(
    'ERR_ABORT_FAILED',
    `issuer ${issuerId}: aborting rotation ${rotationId} failed: the previous key could not be pushed back (${reason}). ` +
      `The rotation stays in flight and both keys stay published; fix the cause and run ${command} again`,
    { cause: error },
  );
}
