import type { KeyRecord, Keyring } from '../keyring/keyring.ts';
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
  const next = withClusterSigningKey(stored.keyring, clusterPem, nowIso(ports));
  const written = await commit(ports, stored, next, { step: 'adopt-drift', kid, outcome: 'ok' });
  await publishKeyring(ports, written.keyring);
  return written.keyring;
}

/**
 * The keyring with the cluster's signing key (SPKI PEM) recorded as the active key, published, without a
 * vault ref, and the former active key retired with grace (NO-ORPHAN-TOKENS). A record of the same kid
 * (keyturn's own removed key the cluster signs with again) is replaced, so kids stay unique.
 */
export function withClusterSigningKey(keyring: Keyring, clusterPem: string, now: string): Keyring {
  const record = clusterKeyRecord(clusterPem, now, 'active');
  const previous = activeKey(keyring);
  const next: Keyring = {
    ...keyring,
    keys: [...keyring.keys.filter((key) => key.kid !== record.kid), record],
  };
  return previous === undefined || previous.kid === record.kid
    ? next
    : withKey(next, previous.kid, {
        state: 'retired',
        retiredAt: now,
        removeAfter: addSeconds(now, keyring.policy.graceSeconds),
      });
}

/**
 * The keyring with keys the cluster trusts but does not sign with, and keyturn never had, recorded as
 * published and retired (origin `cluster`): the operator may promote such a key at any moment (it made it
 * after the next secret was deleted), so it is published ahead of its first token (PUBLISHED-BEFORE-SIGN)
 * and kept for the grace; maintenance holds it while the cluster signs with it (NO-ORPHAN-TOKENS). Once
 * removed, OpenShift still trusts it forever, and it is reported as expected, not as drift.
 */
export function withSeenClusterKeys(
  keyring: Keyring,
  pems: readonly string[],
  now: string,
): { keyring: Keyring; kids: string[] } {
  const records = pems
    .map((pem) => clusterKeyRecord(pem, now, 'retired', keyring.policy.graceSeconds))
    .filter((record) => !keyring.keys.some((key) => key.kid === record.kid));
  return {
    keyring: { ...keyring, keys: [...keyring.keys, ...records] },
    kids: records.map((key) => key.kid),
  };
}

function clusterKeyRecord(
  pem: string,
  now: string,
  state: 'active' | 'retired',
  graceSeconds = 0,
): KeyRecord {
  const clusterKey = parsePublicKey(pem, 'cluster key');
  const common = {
    kid: clusterKey.kid,
    publicKeyPem: encodePublicKeyPem(clusterKey),
    bits: clusterKey.bits,
    origin: 'cluster' as const,
    rotationId: 'drift',
    generatedAt: now,
  };
  return state === 'active'
    ? { ...common, state, publishedAt: now, activatedAt: now }
    : { ...common, state, publishedAt: now, retiredAt: now, removeAfter: addSeconds(now, graceSeconds) };
}
