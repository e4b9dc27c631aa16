import type { KeyRecord, Keyring } from '../keyring/keyring.ts';
import { addSeconds, isDue } from '../keyring/policy.ts';
import { activeKey, publishedKeys, withKey } from '../keyring/queries.ts';
import { encodePublicKeyPem } from '../keys/encode.ts';
import { parsePublicKey } from '../keys/parse-public-key.ts';
import type { RotationPorts, StoredKeyring } from '../ports.ts';
import { type Drift, detectDrift } from './drift.ts';
import { publishKeyring, readPublicKids } from './publish-documents.ts';
import { commit, loadKeyring, nowIso, recordAudit } from './step-context.ts';

/** Options of a maintenance run. */
export interface MaintainInput {
  readonly issuerId: string;
  /**
   * When the cluster signs with a key keys.json lacks, publish that key and record it as the active one
   * (it has no private key in the vault). @default false: only report the drift
   */
  readonly publishDrift?: boolean;
}

/** What a maintenance run did and found. */
export interface MaintainResult {
  /** Keys whose grace had passed, now gone from keys.json. */
  readonly removed: readonly string[];
  /** Keys whose grace had passed but that the cluster may still sign with (a rollout is unfinished); kept. */
  readonly held: readonly string[];
  /** Keys whose private key was destroyed in the vault. */
  readonly destroyed: readonly string[];
  /** True when keys.json was written because the public copy differed from the keyring. */
  readonly republished: boolean;
  readonly drift: Drift;
  /** A kid published from the cluster because of drift. */
  readonly adoptedKid?: string;
}

/**
 * The periodic maintenance step (the second workflow): removes retired and failed keys whose time has
 * come (never earlier, nor while a node may still sign with them: NO-ORPHAN-TOKENS), destroys their
 * private keys, makes the public keys.json match the keyring again if a crash left it behind
 * (RETRY-SAFE), and compares the cluster with the JWKS.
 */
export async function maintainIssuer(ports: RotationPorts, input: MaintainInput): Promise<MaintainResult> {
  let stored = await loadKeyring(ports, input.issuerId);
  const now = ports.clock.now();
  const { due, held } = await holdKeysStillSigning(
    ports,
    stored.keyring.keys.filter(
      (key) => (key.state === 'retired' || key.state === 'failed') && isDue(key.removeAfter, now),
    ),
  );
  if (held.length > 0) {
    await recordAudit(ports, input.issuerId, {
      step: 'retire',
      outcome: 'skipped',
      detail: `kept ${held.join(', ')}: the cluster has not finished its rollout or still signs with it`,
    });
  }
  if (due.length > 0) {
    stored = await removeKeys(ports, stored, due);
  }
  const { missing, view } = await readPublicKids(ports, stored.keyring);
  const republished =
    due.length > 0 || missing.length > 0 || view.kids.length !== publishedKeys(stored.keyring).length;
  if (republished) {
    await publishKeyring(ports, stored.keyring);
  }
  const destroyed = await destroyRemovedKeys(ports, stored);
  const drift = detectDrift(stored.keyring, await ports.cluster.readKeys());
  const adoptedKid =
    input.publishDrift === true && drift.unpublishedSigningKid !== undefined
      ? await adoptClusterKey(ports, input.issuerId, drift.unpublishedSigningKid)
      : undefined;
  return {
    removed: due.map((key) => key.kid),
    held,
    destroyed,
    republished,
    drift,
    ...(adoptedKid === undefined ? {} : { adoptedKid }),
  };
}

/**
 * NO-ORPHAN-TOKENS counts from when a key stopped signing, and a control-plane node that has not rolled
 * to the latest revision (an installer stuck after a rollback or a drift) still signs with the key of its
 * own revision. So a key past its grace is removed only once every node runs the latest revision and the
 * cluster signs with another key; a compromised key goes at once, on purpose.
 */
async function holdKeysStillSigning(
  ports: RotationPorts,
  candidates: readonly KeyRecord[],
): Promise<{ due: KeyRecord[]; held: string[] }> {
  const first = candidates.find((key) => key.compromisedAt === undefined);
  if (first === undefined) {
    return { due: [...candidates], held: [] };
  }
  const progress = await ports.cluster.rolloutProgress(first.kid);
  const settled = progress.nodesUpdated === progress.nodesTotal;
  const mayStillSign = (key: KeyRecord) =>
    key.compromisedAt === undefined && (!settled || key.kid === progress.signingKid);
  return {
    due: candidates.filter((key) => !mayStillSign(key)),
    held: candidates.filter(mayStillSign).map((key) => key.kid),
  };
}

async function removeKeys(ports: RotationPorts, stored: StoredKeyring, due: readonly KeyRecord[]) {
  const removedAt = nowIso(ports);
  const next = due.reduce<Keyring>(
    (keyring, key) => withKey(keyring, key.kid, { state: 'removed', removedAt }),
    stored.keyring,
  );
  return commit(ports, stored, next, {
    step: 'retire',
    outcome: 'ok',
    detail: `removed ${due.map((key) => key.kid).join(', ')} from keys.json`,
  });
}

/** Destroys the private keys of removed keys; the vault's destroy is idempotent, so re-runs converge. */
async function destroyRemovedKeys(ports: RotationPorts, stored: StoredKeyring): Promise<string[]> {
  const pending = stored.keyring.keys.filter(
    (key) => key.state === 'removed' && key.vaultRef !== undefined && key.privateKeyDestroyedAt === undefined,
  );
  if (pending.length === 0) {
    return [];
  }
  for (const key of pending) {
    await ports.vault.destroy(key.vaultRef ?? '');
  }
  const destroyedAt = nowIso(ports);
  const next = pending.reduce<Keyring>(
    (keyring, key) => withKey(keyring, key.kid, { privateKeyDestroyedAt: destroyedAt }),
    stored.keyring,
  );
  await commit(ports, stored, next, {
    step: 'destroy',
    outcome: 'ok',
    detail: `destroyed the private keys of ${pending.map((key) => key.kid).join(', ')}`,
  });
  return pending.map((key) => key.kid);
}

/**
 * Publishes the key the cluster signs with although keys.json lacked it (someone deleted the next
 * secret and the operator made its own): it becomes the active key, the former one retires with grace.
 */
async function adoptClusterKey(
  ports: RotationPorts,
  issuerId: string,
  kid: string,
): Promise<string | undefined> {
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
  return clusterKey.kid;
}
