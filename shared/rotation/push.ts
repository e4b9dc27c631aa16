import { InvariantViolationError } from '../keyring/errors.ts';
import { isDue } from '../keyring/policy.ts';
import { withKey } from '../keyring/queries.ts';
import type { RotationPorts } from '../ports.ts';
import { StepNotReadyError } from './errors.ts';
import { readPublicKids } from './publish-documents.ts';
import { requireNewKey } from './rotation-keys.ts';
import { commit, loadKeyring, nowIso, requireRotation, type StepInput } from './step-context.ts';

/** The key push handed to the cluster, and when it was recorded `promoting`. */
export interface PushResult {
  readonly kid: string;
  readonly promotedAt: string;
}

/**
 * Hands the new key pair to the cluster. PUBLISHED-BEFORE-SIGN: refuses unless the key has been visible
 * at the public URL for the lead time and is still there now. The key is recorded `promoting` first; only
 * then is the private key opened from the vault, here and nowhere else, and handed to the cluster
 * (SEALED). A re-run after a crash anywhere finds the record and pushes the same pair again, which is
 * harmless (RETRY-SAFE). The cluster's signer-rotation guard is taken first and held until the rotation
 * is done with the cluster (activate, or finish-refresh after the reboots; rollback and abort give it back).
 */
export async function pushKey(ports: RotationPorts, input: StepInput): Promise<PushResult> {
  const stored = await loadKeyring(ports, input.issuerId);
  const { keyring } = stored;
  const rotation = requireRotation(keyring, input.rotationId);
  const key = requireNewKey(keyring, rotation);
  const now = ports.clock.now();
  if (key.visibleAt === undefined || !isDue(key.pushNotBefore, now)) {
    const wait =
      key.pushNotBefore === undefined ? 'it was never confirmed visible' : `not before ${key.pushNotBefore}`;
    throw new InvariantViolationError(
      'PUBLISHED-BEFORE-SIGN',
      `key ${key.kid} may not be pushed yet: ${wait} (lead time ${rotation.leadTimeSeconds} s)`,
    );
  }
  const { missing } = await readPublicKids(ports, keyring);
  if (missing.includes(key.kid)) {
    throw new StepNotReadyError(
      'ERR_STEP_NOT_READY',
      `key ${key.kid} is no longer visible at ${keyring.issuerUrl}/keys.json; not pushing it`,
    );
  }
  if (key.vaultRef === undefined) {
    throw new InvariantViolationError('SEALED', `key ${key.kid} has no sealed private key to push`);
  }
  // One rotator at a time: take the cluster's signer-rotation guard (ccoctl's shape) before anything can
  // reach the cluster, so a guard held by ccoctl fails the push while the key is still unpushed and the
  // rollback only drops it. A no-op when this rotation holds it already (RETRY-SAFE).
  await ports.cluster.holdRotationGuard({ issuerId: keyring.issuerId, rotationId: rotation.id });
  // Record the push before making it: after a crash between the two, the keyring must already say the
  // cluster may hold the key, so that rollback pushes the previous pair back and keeps this key published
  // for the grace period (NO-ORPHAN-TOKENS) instead of dropping a key the cluster signs with.
  let promotedAt = key.promotedAt;
  if (key.state !== 'promoting' || promotedAt === undefined) {
    promotedAt = nowIso(ports);
    await commit(ports, stored, withKey(keyring, key.kid, { state: 'promoting', promotedAt }), {
      rotationId: rotation.id,
      step: 'push',
      kid: key.kid,
      outcome: 'ok',
    });
  }
  // Open the private key only once the commit stands, so a refused or lost commit never decrypts it
  // (SEALED). A key already `promoting` skips the commit above and is pushed again (RETRY-SAFE).
  const pair = await ports.vault.open(key.vaultRef);
  await ports.cluster.push(pair);
  return { kid: key.kid, promotedAt };
}
