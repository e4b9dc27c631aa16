import type { Keyring } from '../keyring/keyring.ts';
import { addSeconds } from '../keyring/policy.ts';
import { findKey, withKey } from '../keyring/queries.ts';
import type { RotationPorts } from '../ports.ts';
import { redactSecrets } from '../redaction.ts';
import { RotationRequestError } from './errors.ts';
import { releaseGuardAfterEnd } from './guard.ts';
import { endedRotation, endRotation, type RotationOutcome } from './rotation-end.ts';
import { previousKey } from './rotation-keys.ts';
import { commit, loadKeyring, nowIso, requireRotation, type StepInput } from './step-context.ts';

/** What the rollback restored. */
export interface RollbackResult {
  readonly restoredKid: string;
  readonly failedKid?: string;
  /** True when the previous pair was pushed back to the cluster. */
  readonly pushedBack: boolean;
}

/**
 * Undoes a rotation that failed after or during the push: the previous pair goes back to the cluster,
 * both keys stay published (the new one may have signed tokens: NO-ORPHAN-TOKENS, kept for the grace
 * period), and the new key is marked failed. A key that never reached keys.json is dropped at once.
 * The cluster's signer-rotation guard, if this rotation took it, is given back.
 */
export async function rollbackRotation(
  ports: RotationPorts,
  input: StepInput & {
    readonly reason: string;
    /** How `lastRotation` records the end (`aborted` for `--abort`). @default 'rolled-back' */
    readonly outcome?: Extract<RotationOutcome, 'rolled-back' | 'aborted'>;
  },
): Promise<RollbackResult> {
  const stored = await loadKeyring(ports, input.issuerId);
  const { keyring } = stored;
  const outcome = input.outcome ?? 'rolled-back';
  const operation = { issuerId: keyring.issuerId, rotationId: input.rotationId };
  if (endedRotation(keyring, input.rotationId, outcome) !== undefined) {
    await releaseGuardAfterEnd(ports, operation, 'rollback');
    return { restoredKid: keyring.keys.find((key) => key.state === 'active')?.kid ?? '', pushedBack: false };
  }
  const rotation = requireRotation(keyring, input.rotationId);
  const previous = previousKey(keyring, rotation);
  if (previous === undefined) {
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `rotation ${rotation.id} has no previous key to restore`,
    );
  }
  const newKey = findKey(keyring, rotation.newKid);
  if (newKey?.state === 'active') {
    // The refresh phase (tokenRefresh reboot) keeps the rotation in flight after activation: rolling back
    // now would leave no active key (ALWAYS-VALID); the property test found it.
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `rotation ${rotation.id} has already activated ${newKey.kid}; it cannot be rolled back. Run the same keyturn rotate to finish its token refresh, or add --abort to end it (the previous key then stays published for its grace)`,
    );
  }
  const pushedBack = newKey?.promotedAt !== undefined;
  if (pushedBack) {
    if (previous.vaultRef === undefined) {
      throw new RotationRequestError(
        'ERR_ROTATION_REQUEST',
        `the previous key ${previous.kid} came from the cluster and keyturn holds no private key for it; restore the cluster by hand`,
      );
    }
    await ports.cluster.push(await ports.vault.open(previous.vaultRef));
  }
  const now = nowIso(ports);
  // The reason comes from outside (a Catch's error message, a person): what the keyring's history and
  // the audit trail keep of it never carries key material (SEALED).
  const reason = redactSecrets(input.reason);
  let next: Keyring = keyring;
  if (newKey !== undefined) {
    next =
      newKey.state === 'generated'
        ? withKey(next, newKey.kid, {
            state: 'removed',
            removedAt: now,
            failedAt: now,
            failure: reason,
          })
        : withKey(next, newKey.kid, {
            state: 'failed',
            failedAt: now,
            failure: reason,
            removeAfter: pushedBack ? addSeconds(now, keyring.policy.graceSeconds) : now,
          });
  }
  next = endRotation(next, rotation, {
    outcome,
    finishedAt: now,
    reason,
    ...(newKey === undefined ? {} : { newKid: newKey.kid }),
  });
  await commit(ports, stored, next, {
    rotationId: rotation.id,
    step: 'rollback',
    kid: previous.kid,
    outcome: 'ok',
    detail: reason,
  });
  await releaseGuardAfterEnd(ports, operation, 'rollback');
  return {
    restoredKid: previous.kid,
    ...(newKey === undefined ? {} : { failedKid: newKey.kid }),
    pushedBack,
  };
}
