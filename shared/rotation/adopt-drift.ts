import type { KeyRecord, Keyring } from '../keyring/keyring.ts';
import { addSeconds } from '../keyring/policy.ts';
import { activeKey, withKey } from '../keyring/queries.ts';
import { encodePublicKeyPem } from '../keys/encode.ts';
import { parsePublicKey } from '../keys/parse-public-key.ts';
import type { RotationPorts, StoredKeyring } from '../ports.ts';
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
 * and kept for the grace; once the cluster signs with it, maintenance adopts it as the active key
 * ({@link followClusterSigner}), so its grace counts from when it stops signing (NO-ORPHAN-TOKENS). Once
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

/** What {@link followClusterSigner} changed. */
export interface FollowedSigner {
  /** The keyring as it is now (written, or as read when nothing changed). */
  readonly stored: StoredKeyring;
  /** A key published from drift earlier that the cluster now signs with, recorded as the active key. */
  readonly adoptedKid?: string;
  /** A retired or failed key the cluster still signs with, whose grace restarted from now. */
  readonly extendedKid?: string;
}

/**
 * Makes the keyring follow what the cluster signs with when that is one of its retired or failed keys,
 * so that NO-ORPHAN-TOKENS counts from when the key really stops signing:
 * - once every node runs the latest revision (so every node answers alike, and a re-run sees the same),
 *   a key published because of drift (origin `cluster`, recorded retired because it only was trusted
 *   then) that the cluster signs with, with no rotation in flight, is adopted as the active key (ONE-SIGNER:
 *   the keyring's active key is the one that signs); it leaves keys.json only a grace after a later
 *   rotation retires it, and the former active key, which no longer signs, retires with grace from now;
 * - any other retired or failed key the cluster signs with (a rotation is in flight, keyturn's own key
 *   rolled back to by hand) keeps its state, and its grace restarts from now,
 *   the last time it was seen signing, so it stays published a full grace after it stops.
 * Compromised keys are left alone: they go at once, on purpose. Both changes are audited.
 */
export async function followClusterSigner(
  ports: RotationPorts,
  stored: StoredKeyring,
): Promise<FollowedSigner> {
  const { keyring } = stored;
  const stopped = keyring.keys.filter(
    (key) => (key.state === 'retired' || key.state === 'failed') && key.compromisedAt === undefined,
  );
  const first = stopped[0];
  if (first === undefined) return { stored };
  const progress = await ports.cluster.rolloutProgress(first.kid);
  // Mid-rollout the probe token comes from whichever node answered, so a re-run at the same moment could
  // see another key; maintenance holds every due key then, and extends its grace (maintain.ts).
  if (progress.nodesUpdated !== progress.nodesTotal) return { stored };
  const signer = stopped.find((key) => key.kid === progress.signingKid);
  if (signer === undefined) return { stored };
  const now = nowIso(ports);
  if (signer.origin === 'cluster' && keyring.rotation === undefined) {
    const previous = activeKey(keyring);
    const written = await commit(ports, stored, withAdoptedSigningKey(keyring, signer.kid, now), {
      step: 'adopt-drift',
      kid: signer.kid,
      outcome: 'ok',
      detail:
        `the cluster signs with ${signer.kid}, published from drift at ${signer.publishedAt ?? signer.generatedAt}: ` +
        `adopted as the active key (NO-ORPHAN-TOKENS: its grace counts from when it stops signing)` +
        (previous === undefined ? '' : `; ${previous.kid}, which no longer signs, retired with grace`),
    });
    return { stored: written, adoptedKid: signer.kid };
  }
  const removeAfter = addSeconds(now, keyring.policy.graceSeconds);
  if (signer.removeAfter !== undefined && Date.parse(signer.removeAfter) >= Date.parse(removeAfter)) {
    return { stored };
  }
  const written = await commit(ports, stored, withKey(keyring, signer.kid, { removeAfter }), {
    step: 'retire',
    kid: signer.kid,
    outcome: 'skipped',
    detail: `the cluster still signs with ${signer.kid} (${signer.state}); its grace restarts: it stays published until ${removeAfter} (NO-ORPHAN-TOKENS)`,
  });
  return { stored: written, extendedKid: signer.kid };
}

/**
 * The keyring with `kid`, a key it holds (published, not active), recorded as the active key from `now`,
 * and the former active key retired with grace from `now` (NO-ORPHAN-TOKENS, ONE-SIGNER).
 */
export function withAdoptedSigningKey(keyring: Keyring, kid: string, now: string): Keyring {
  const previous = activeKey(keyring);
  const keys = keyring.keys.map((key): KeyRecord => {
    if (key.kid === kid) {
      const { retiredAt: _retired, removeAfter: _due, failedAt: _failed, failure: _why, ...rest } = key;
      return { ...rest, state: 'active', activatedAt: now };
    }
    return key;
  });
  const next = { ...keyring, keys };
  return previous === undefined || previous.kid === kid
    ? next
    : withKey(next, previous.kid, {
        state: 'retired',
        retiredAt: now,
        removeAfter: addSeconds(now, keyring.policy.graceSeconds),
      });
}

/**
 * When a retired key may leave keys.json: its `removeAfter`, and for a key published from drift that never
 * was the keyring's active key, not before a grace after the cluster last switched to another signer since
 * it was published. Such a key's signing history is unknown: the operator may have promoted it, signed
 * with it, and had it replaced by the next rotation without maintenance ever seeing it sign. It cannot have
 * signed past the first activation (the new key verified on every node) or rollback push (the previous
 * key back in the next secret) after its publication, since keyturn never holds its private key to hand it
 * over again. Without such a switch it may still be signing somewhere, so it is kept: undefined (not due).
 */
export function removableAfter(keyring: Keyring, key: KeyRecord): string | undefined {
  if (key.origin !== 'cluster' || key.activatedAt !== undefined || key.publishedAt === undefined) {
    return key.removeAfter;
  }
  const since = Date.parse(key.publishedAt);
  const switches = keyring.keys
    .flatMap((other) => [other.activatedAt, other.promotedAt === undefined ? undefined : other.failedAt])
    .filter((time): time is string => time !== undefined && Date.parse(time) > since)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  const first = switches[0];
  if (first === undefined || key.removeAfter === undefined) return undefined;
  const afterSwitch = addSeconds(first, keyring.policy.graceSeconds);
  return Date.parse(afterSwitch) > Date.parse(key.removeAfter) ? afterSwitch : key.removeAfter;
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
