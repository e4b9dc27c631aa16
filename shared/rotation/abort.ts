import { isKeyturnError } from '../errors.ts';
import type { Keyring, Rotation } from '../keyring/keyring.ts';
import { activeKey, findKey, withKey } from '../keyring/queries.ts';
import type { RotationPorts, StoredKeyring } from '../ports.ts';
import { AbortFailedError, RotationNotInFlightError, RotationRequestError } from './errors.ts';
import { releaseGuardAfterEnd } from './guard.ts';
import { type RotationStage, rotationStage } from './in-flight.ts';
import { publishKeyring } from './publish-documents.ts';
import { rollbackRotation } from './rollback.ts';
import { endRotation } from './rotation-end.ts';
import { commit, loadKeyring, nowIso, recordAudit } from './step-context.ts';

/** What to abort: the issuer; its rotation in flight is read from the keyring. */
export interface AbortInput {
  readonly issuerId: string;
  /**
   * The rotation to end (the workflow's Abort task names it). Another rotation in flight is refused; this
   * one already ended as aborted answers what that abort did (RETRY-SAFE: a retried task converges).
   * @default the rotation in flight, whichever it is
   */
  readonly rotationId?: string;
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
   * signed, so it stays published (failed) for the grace period; `active`: it was already active (the
   * token refresh phase was aborted) and stays so; `none`: there was no new key.
   */
  readonly newKey: 'dropped' | 'kept' | 'active' | 'none';
  /** True when the previous pair was pushed back to the cluster. */
  readonly pushedBack: boolean;
}

const REASON = 'aborted by the operator';

/**
 * Ends the issuer's rotation in flight safely (RECOVERABLE), whatever step it stopped at:
 * - before the push, the new key never left keyturn, so it never signed: it is marked removed, keys.json
 *   is republished without it (ALWAYS-VALID: the active key stays) and its private key is destroyed;
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
  if (keyring.rotation === undefined && keyring.lastRotation?.outcome === 'aborted') {
    // A re-run after a crash between the commit and the destroy below finishes the destroy (RETRY-SAFE).
    await destroyDroppedKey(ports, stored, keyring.lastRotation.id, keyring.lastRotation.newKid);
  }
  const ended = alreadyAborted(keyring, input.rotationId);
  if (ended !== undefined) {
    await releaseGuardAfterEnd(ports, { issuerId: keyring.issuerId, rotationId: ended.rotationId }, 'abort');
    return ended;
  }
  const rotation = requireRotationToAbort(keyring, input.rotationId);
  const stage = rotationStage(keyring, rotation);
  if (stage === 'activated') return abortTokenRefresh(ports, stored, rotation);
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
  const committed = await commit(ports, stored, next, {
    rotationId: rotation.id,
    step: 'abort',
    ...(newKid === undefined ? {} : { kid: newKid }),
    outcome: 'ok',
    detail: newKey === undefined ? `ended at ${stage}` : `ended at ${stage}; dropped ${newKey.kid}`,
  });
  if (newKey !== undefined && newKey.state !== 'generated') {
    // Built from the committed keyring (RETRY-SAFE: maintenance republishes it if this write is lost).
    await publishKeyring(ports, committed.keyring);
  }
  if (newKey !== undefined) {
    await destroyDroppedKey(ports, committed, rotation.id, newKey.kid);
  }
  // The push takes the guard before it records `promoting`: a crash in between leaves it held.
  await releaseGuardAfterEnd(ports, { issuerId: keyring.issuerId, rotationId: rotation.id }, 'abort');
  return {
    rotationId: rotation.id,
    stage,
    activeKid,
    ...(newKid === undefined ? {} : { newKid }),
    newKey: newKey === undefined ? 'none' : 'dropped',
    pushedBack: false,
  };
}

/**
 * Ends a rotation in its token refresh phase: the new key is active and stays so (nothing is pushed
 * back), the old key stays retired and published until its grace ends (NO-ORPHAN-TOKENS: the reboots
 * did not finish, so pods may still hold its tokens), and the cluster's guard is given back.
 */
async function abortTokenRefresh(
  ports: RotationPorts,
  stored: StoredKeyring,
  rotation: Rotation,
): Promise<AbortResult> {
  const { keyring } = stored;
  const previous = findKey(keyring, rotation.previousKid);
  const next = endRotation(keyring, rotation, {
    outcome: 'aborted',
    finishedAt: nowIso(ports),
    reason: `${REASON} (activated: the token refresh phase did not finish)`,
    ...(rotation.newKid === undefined ? {} : { newKid: rotation.newKid }),
  });
  await commit(ports, stored, next, {
    rotationId: rotation.id,
    step: 'abort',
    ...(rotation.newKid === undefined ? {} : { kid: rotation.newKid }),
    outcome: 'ok',
    detail: `ended in its token refresh phase; ${rotation.newKid ?? ''} stays active, ${previous?.kid ?? 'the old key'} stays published until ${previous?.removeAfter ?? 'its grace ends'}`,
  });
  await releaseGuardAfterEnd(ports, { issuerId: keyring.issuerId, rotationId: rotation.id }, 'abort');
  return {
    rotationId: rotation.id,
    stage: 'activated',
    activeKid: rotation.newKid,
    ...(rotation.newKid === undefined ? {} : { newKid: rotation.newKid }),
    newKey: 'active',
    pushedBack: false,
  };
}

/**
 * Destroys the private key of a new key the abort dropped: it was never pushed, so it never signed and
 * nothing can need it (unlike a retired key, which waits for its grace). Only a key that is removed,
 * never promoted and still sealed is touched, so a re-run finds nothing to do (RETRY-SAFE). A vault or
 * store that refuses (a KeyturnError) does not fail the abort, which has already ended the rotation: the
 * refusal is audited and `keyturn maintain` destroys the key later, as it does for every removed key.
 */
async function destroyDroppedKey(
  ports: RotationPorts,
  stored: StoredKeyring,
  rotationId: string,
  kid: string | undefined,
): Promise<void> {
  const key = findKey(stored.keyring, kid);
  if (
    key?.state !== 'removed' ||
    key.vaultRef === undefined ||
    key.promotedAt !== undefined ||
    key.privateKeyDestroyedAt !== undefined
  ) {
    return;
  }
  try {
    await ports.vault.destroy(key.vaultRef);
    const destroyed = withKey(stored.keyring, key.kid, { privateKeyDestroyedAt: nowIso(ports) });
    await commit(ports, stored, destroyed, {
      rotationId,
      step: 'destroy',
      kid: key.kid,
      outcome: 'ok',
      detail: `destroyed the private key of ${key.kid}, dropped by the abort (never pushed, it never signed)`,
    });
  } catch (error) {
    if (!isKeyturnError(error)) throw error;
    await recordAudit(ports, stored.keyring.issuerId, {
      rotationId,
      step: 'destroy',
      kid: key.kid,
      outcome: 'failed',
      detail: `the private key of ${key.kid} could not be destroyed yet (${error.code}); keyturn maintain destroys it`,
    });
  }
}

/**
 * What an abort of `rotationId` did, when that rotation already ended as aborted (the abort ran and its
 * answer was lost); undefined otherwise.
 */
function alreadyAborted(keyring: Keyring, rotationId: string | undefined): AbortResult | undefined {
  const last = keyring.lastRotation;
  if (rotationId === undefined || keyring.rotation !== undefined) return undefined;
  if (last?.id !== rotationId || last.outcome !== 'aborted') return undefined;
  const newKey = findKey(keyring, last.newKid);
  const kept = newKey !== undefined && newKey.promotedAt !== undefined;
  if (newKey?.state === 'active') {
    return {
      rotationId,
      stage: 'activated',
      activeKid: newKey.kid,
      newKid: newKey.kid,
      newKey: 'active',
      pushedBack: false,
    };
  }
  return {
    rotationId,
    stage: kept ? 'pushed' : newKey === undefined ? 'prepared' : 'published',
    activeKid: activeKey(keyring)?.kid,
    ...(last.newKid === undefined ? {} : { newKid: last.newKid }),
    newKey: newKey === undefined ? 'none' : kept ? 'kept' : 'dropped',
    pushedBack: kept,
  };
}

/**
 * The rotation in flight (`rotationId`, when given), or ERR_ROTATION_NOT_IN_FLIGHT saying there is
 * nothing to abort (and how the last one ended).
 */
export function requireRotationToAbort(keyring: Keyring, rotationId?: string): Rotation {
  const rotation = keyring.rotation;
  if (rotation !== undefined && rotationId !== undefined && rotation.id !== rotationId) {
    throw new RotationNotInFlightError(
      'ERR_ROTATION_NOT_IN_FLIGHT',
      `issuer ${keyring.issuerId}: rotation ${rotationId} is not in flight, rotation ${rotation.id} is; it was left alone (abort that one by naming it, or without a rotation id)`,
    );
  }
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
