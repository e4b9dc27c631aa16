import type { Keyring } from '../keyring/keyring.ts';
import { withKey } from '../keyring/queries.ts';
import type { RotationPorts } from '../ports.ts';
import { StepNotReadyError } from './errors.ts';
import { releaseGuardIfOurs } from './guard.ts';
import { describeRefresh, REBOOT_POOLS } from './refresh-tokens.ts';
import { endedRotation, endRotation } from './rotation-end.ts';
import { previousKey, requireNewKey } from './rotation-keys.ts';
import { commit, loadKeyring, nowIso, requireRotation, type StepInput } from './step-context.ts';

/** What the end of the token refresh phase changed. */
export interface FinishRefreshResult {
  readonly kid: string;
  /** The old key, now due for removal at once. */
  readonly retiredKid?: string;
  readonly removeAfter?: string;
}

/**
 * Ends a rotation whose token refresh phase is over: every node rebooted after the old key stopped
 * signing and the cluster is stable again, so no pod can hold a token the old key signed and its removal
 * is due at once (NO-ORPHAN-TOKENS: `tokensRefreshedAt`; the maintenance removes it, at once in the
 * workflow for an emergency). Re-checks the reboots before it lets the key go, ends the rotation and gives
 * the cluster's guard back. A re-run after it ended gives the guard back again and answers the same (RETRY-SAFE).
 */
export async function finishTokenRefresh(
  ports: RotationPorts,
  input: StepInput,
): Promise<FinishRefreshResult> {
  const stored = await loadKeyring(ports, input.issuerId);
  const { keyring } = stored;
  const operation = { issuerId: keyring.issuerId, rotationId: input.rotationId };
  const finished = endedRotation(keyring, input.rotationId, 'succeeded');
  if (finished !== undefined) {
    await releaseGuardIfOurs(ports, operation);
    return { kid: finished.newKid ?? '' };
  }
  const rotation = requireRotation(keyring, input.rotationId);
  const key = requireNewKey(keyring, rotation);
  const targets = rotation.rebootTargets;
  if (rotation.activatedAt === undefined || targets === undefined) {
    throw new StepNotReadyError(
      'ERR_STEP_NOT_READY',
      `rotation ${rotation.id} has not rebooted its nodes yet`,
    );
  }
  const pools = [];
  for (const pool of REBOOT_POOLS) {
    pools.push({ pool, ...(await ports.cluster.rebootProgress(pool, targets[pool])) });
  }
  if (pools.some((pool) => pool.nodesRebooted < pool.nodesTotal)) {
    throw new StepNotReadyError(
      'ERR_STEP_NOT_READY',
      `not every node has rebooted: ${describeRefresh(pools)}`,
    );
  }
  const now = nowIso(ports);
  const previous = previousKey(keyring, rotation);
  let next: Keyring = keyring;
  if (previous !== undefined && previous.state === 'retired') {
    next = withKey(next, previous.kid, { removeAfter: now, tokensRefreshedAt: now });
  }
  next = endRotation(next, rotation, { outcome: 'succeeded', finishedAt: now, newKid: key.kid });
  await commit(ports, stored, next, {
    rotationId: rotation.id,
    step: 'retire',
    ...(previous === undefined ? {} : { kid: previous.kid }),
    outcome: 'ok',
    detail: `removed after every node rebooted (${describeRefresh(pools)}) and the cluster was stable`,
  });
  await releaseGuardIfOurs(ports, operation);
  return {
    kid: key.kid,
    ...(previous === undefined ? {} : { retiredKid: previous.kid, removeAfter: now }),
  };
}
