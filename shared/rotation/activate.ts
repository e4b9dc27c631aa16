import type { Keyring } from '../keyring/keyring.ts';
import { addSeconds } from '../keyring/policy.ts';
import { withKey } from '../keyring/queries.ts';
import type { RotationPorts } from '../ports.ts';
import { StepNotReadyError } from './errors.ts';
import { releaseGuardIfOurs } from './guard.ts';
import { endedRotation, endRotation } from './rotation-end.ts';
import { previousKey, requireNewKey } from './rotation-keys.ts';
import { commit, loadKeyring, nowIso, requireRotation, type StepInput } from './step-context.ts';

/** What activation changed. */
export interface ActivateResult {
  readonly kid: string;
  /** The key that stopped signing, now retired. */
  readonly retiredKid?: string;
  /** When the retired key leaves keys.json: after the grace period, at once for a compromised key. */
  readonly removeAfter?: string;
  /** Seconds from prepare to activation: the rotation's duration. */
  readonly rotationSeconds?: number;
  /** Age in seconds of the retired key when it stopped signing. */
  readonly retiredKeyAgeSeconds?: number;
  /**
   * True when the token refresh phase follows (tokenRefresh `reboot`): the rotation stays in flight, the
   * guard stays held, and the retired key keeps its grace until every node has rebooted.
   */
  readonly refreshing: boolean;
}

/**
 * Makes the verified new key the active one and retires the previous key (ONE-SIGNER): it stays
 * published for the grace period (NO-ORPHAN-TOKENS). With tokenRefresh `wait` the rotation ends here and
 * the cluster's guard is given back; a compromised key (an emergency told `--no-reboot`) is then due for
 * removal at once. With `reboot` the rotation stays in flight for its token refresh phase
 * (refresh-tokens.ts, finish-refresh.ts), which lets the old key go once every node has rebooted.
 * A re-run after it ended (or activated) returns the same answer and releases the guard again (RETRY-SAFE).
 */
export async function activateKey(ports: RotationPorts, input: StepInput): Promise<ActivateResult> {
  const stored = await loadKeyring(ports, input.issuerId);
  const { keyring } = stored;
  const operation = { issuerId: keyring.issuerId, rotationId: input.rotationId };
  const finished = endedRotation(keyring, input.rotationId, 'succeeded');
  if (finished !== undefined) {
    await releaseGuardIfOurs(ports, operation);
    return { kid: finished.newKid ?? '', refreshing: false };
  }
  const rotation = requireRotation(keyring, input.rotationId);
  const key = requireNewKey(keyring, rotation);
  if (rotation.activatedAt !== undefined) {
    return { kid: key.kid, refreshing: true };
  }
  const refreshing = rotation.tokenRefresh === 'reboot';
  if (rotation.verifiedAt === undefined) {
    throw new StepNotReadyError('ERR_STEP_NOT_READY', `key ${key.kid} is not verified yet: run verify first`);
  }
  const now = nowIso(ports);
  let next: Keyring = withKey(keyring, key.kid, { state: 'active', activatedAt: now });
  const previous = previousKey(keyring, rotation);
  let removeAfter: string | undefined;
  if (previous !== undefined && previous.state === 'active') {
    const compromised = rotation.compromisedKid === previous.kid;
    // A compromised key goes at once only when no reboot follows; with one, it keeps its grace (in case
    // the refresh phase is abandoned) until finish-refresh makes it due at once.
    removeAfter = compromised && !refreshing ? now : addSeconds(now, keyring.policy.graceSeconds);
    next = withKey(next, previous.kid, {
      state: 'retired',
      retiredAt: now,
      removeAfter,
      ...(compromised ? { compromisedAt: now } : {}),
    });
  }
  next = refreshing
    ? { ...next, rotation: { ...rotation, activatedAt: now } }
    : endRotation(next, rotation, { outcome: 'succeeded', finishedAt: now, newKid: key.kid });
  const refreshNote = refreshing ? '; rebooting the nodes next to refresh every workload token' : '';
  await commit(ports, stored, next, {
    rotationId: rotation.id,
    step: 'activate',
    kid: key.kid,
    outcome: 'ok',
    ...(previous === undefined
      ? {}
      : { detail: `retired ${previous.kid}, removed after ${removeAfter}${refreshNote}` }),
  });
  if (!refreshing) await releaseGuardIfOurs(ports, operation);
  const secondsSince = (time: string) => Math.round((Date.parse(now) - Date.parse(time)) / 1000);
  return {
    kid: key.kid,
    rotationSeconds: secondsSince(rotation.startedAt),
    ...(previous === undefined
      ? {}
      : { retiredKid: previous.kid, retiredKeyAgeSeconds: secondsSince(previous.generatedAt) }),
    ...(removeAfter === undefined ? {} : { removeAfter }),
    refreshing,
  };
}
