import type { Keyring } from '../keyring/keyring.ts';
import { addSeconds } from '../keyring/policy.ts';
import { withKey } from '../keyring/queries.ts';
import type { RotationPorts } from '../ports.ts';
import { StepNotReadyError } from './errors.ts';
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
}

/**
 * Makes the verified new key the active one and retires the previous key (ONE-SIGNER): it stays
 * published for the grace period (NO-ORPHAN-TOKENS), except a compromised key in an emergency rotation,
 * which is due for removal at once. Ends the rotation; a re-run after it ended returns the same answer.
 */
export async function activateKey(ports: RotationPorts, input: StepInput): Promise<ActivateResult> {
  const stored = await loadKeyring(ports, input.issuerId);
  const { keyring } = stored;
  const finished = endedRotation(keyring, input.rotationId, 'succeeded');
  if (finished !== undefined) {
    return { kid: finished.newKid ?? '' };
  }
  const rotation = requireRotation(keyring, input.rotationId);
  const key = requireNewKey(keyring, rotation);
  if (rotation.verifiedAt === undefined) {
    throw new StepNotReadyError('ERR_STEP_NOT_READY', `key ${key.kid} is not verified yet: run verify first`);
  }
  const now = nowIso(ports);
  let next: Keyring = withKey(keyring, key.kid, { state: 'active', activatedAt: now });
  const previous = previousKey(keyring, rotation);
  let removeAfter: string | undefined;
  if (previous !== undefined && previous.state === 'active') {
    const compromised = rotation.compromisedKid === previous.kid;
    removeAfter = compromised ? now : addSeconds(now, keyring.policy.graceSeconds);
    next = withKey(next, previous.kid, {
      state: 'retired',
      retiredAt: now,
      removeAfter,
      ...(compromised ? { compromisedAt: now } : {}),
    });
  }
  next = endRotation(next, rotation, { outcome: 'succeeded', finishedAt: now, newKid: key.kid });
  await commit(ports, stored, next, {
    rotationId: rotation.id,
    step: 'activate',
    kid: key.kid,
    outcome: 'ok',
    ...(previous === undefined ? {} : { detail: `retired ${previous.kid}, removed after ${removeAfter}` }),
  });
  const secondsSince = (time: string) => Math.round((Date.parse(now) - Date.parse(time)) / 1000);
  return {
    kid: key.kid,
    rotationSeconds: secondsSince(rotation.startedAt),
    ...(previous === undefined
      ? {}
      : { retiredKid: previous.kid, retiredKeyAgeSeconds: secondsSince(previous.generatedAt) }),
    ...(removeAfter === undefined ? {} : { removeAfter }),
  };
}
