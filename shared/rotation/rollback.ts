import type { Keyring } from '../keyring/keyring.ts';
import { addSeconds } from '../keyring/policy.ts';
import { findKey, withKey } from '../keyring/queries.ts';
import type { RotationPorts } from '../ports.ts';
import { RotationRequestError } from './errors.ts';
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
  if (endedRotation(keyring, input.rotationId, outcome) !== undefined) {
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
  let next: Keyring = keyring;
  if (newKey !== undefined) {
    next =
      newKey.state === 'generated'
        ? withKey(next, newKey.kid, {
            state: 'removed',
            removedAt: now,
            failedAt: now,
            failure: input.reason,
          })
        : withKey(next, newKey.kid, {
            state: 'failed',
            failedAt: now,
            failure: input.reason,
            removeAfter: pushedBack ? addSeconds(now, keyring.policy.graceSeconds) : now,
          });
  }
  next = endRotation(next, rotation, {
    outcome,
    finishedAt: now,
    reason: input.reason,
    ...(newKey === undefined ? {} : { newKid: newKey.kid }),
  });
  await commit(ports, stored, next, {
    rotationId: rotation.id,
    step: 'rollback',
    kid: previous.kid,
    outcome: 'ok',
    detail: input.reason,
  });
  return {
    restoredKid: previous.kid,
    ...(newKey === undefined ? {} : { failedKid: newKey.kid }),
    pushedBack,
  };
}
