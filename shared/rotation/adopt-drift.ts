import type { Keyring } from '../keyring/keyring.ts';
import { addSeconds } from '../keyring/policy.ts';
import { activeKey, withKey } from '../keyring/queries.ts';
import { encodePublicKeyPem } from '../keys/encode.ts';
import { parsePublicKey } from '../keys/parse-public-key.ts';
import type { RotationPorts } from '../ports.ts';
import { publishKeyring } from './publish-documents.ts';
import { commit, loadKeyring, nowIso, recordAudit } from './step-context.ts';

/**
 * Publishes the key the cluster signs with although keys.json lacked it (someone deleted the next
 * secret and the operator made its own): it becomes the active key, the former one retires with grace.
 * Returns the keyring as written, or undefined when nothing was adopted (the reason is in the audit trail).
 */
export async function adoptClusterKey(
  ports: RotationPorts,
  issuerId: string,
  kid: string,
): Promise<Keyring | undefined> {
  const stored = await loadKeyring(ports, issuerId);
  const clusterPem = (await ports.cluster.readKeys()).publicKeys.get(kid);
  if (stored.keyring.rotation !== undefined || clusterPem === undefined) {
    const why =
      clusterPem === undefined ? 'the cluster did not return its public key' : 'a rotation is in flight';
    await recordAudit(ports, issuerId, { step: 'adopt-drift', kid, outcome: 'skipped', detail: why });
    return undefined;
  }
  const clusterKey = parsePublicKey(clusterPem, `cluster key ${kid}`);
  const now = nowIso(ports);
  const previous = activeKey(stored.keyring);
  let next: Keyring = {
    ...stored.keyring,
    keys: [
      ...stored.keyring.keys,
      {
        kid: clusterKey.kid,
        publicKeyPem: encodePublicKeyPem(clusterKey),
        bits: clusterKey.bits,
        state: 'active',
        origin: 'cluster',
        rotationId: 'drift',
        generatedAt: now,
        publishedAt: now,
        activatedAt: now,
      },
    ],
  };
  if (previous !== undefined) {
    next = withKey(next, previous.kid, {
      state: 'retired',
      retiredAt: now,
      removeAfter: addSeconds(now, stored.keyring.policy.graceSeconds),
    });
  }
  const written = await commit(ports, stored, next, {
    step: 'adopt-drift',
    kid: clusterKey.kid,
    outcome: 'ok',
  });
  await publishKeyring(ports, written.keyring);
  return written.keyring;
}
