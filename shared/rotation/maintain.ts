import { KeyturnError } from '../errors.ts';
import type { KeyRecord, Keyring } from '../keyring/keyring.ts';
import { addSeconds, isDue } from '../keyring/policy.ts';
import { activeKey, findKey, publishedKeys, withKey } from '../keyring/queries.ts';
import type { RotationPorts, StoredKeyring } from '../ports.ts';
import { adoptClusterKey, followClusterSigner, removableAfter, withSeenClusterKeys } from './adopt-drift.ts';
import { type Drift, detectDrift, hasDrift } from './drift.ts';
import { publishKeyring, publishLatestKeyring, readPublicKids } from './publish-documents.ts';
import { commit, loadKeyring, nowIso, recordAudit } from './step-context.ts';

/** Options of a maintenance run. */
export interface MaintainInput {
  readonly issuerId: string;
  /**
   * Repair drift: when the cluster signs with a key keys.json lacks, publish that key and record it as the
   * active one (it has no private key in the vault); keys the cluster only trusts, which keyturn never had,
   * are published ahead of their first token and retired with grace (every maintenance, this flag or not,
   * adopts such a key as the active one once the cluster signs with it). @default false: only report it
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
  /**
   * True when keys.json was written: keys were removed, or the public copy differed or could not be read
   * (false when a newer keyring revision had been published meanwhile and was left in place).
   */
  readonly republished: boolean;
  /**
   * True when the public keys.json could be read at the issuer URL as relying parties read it (served
   * right, a valid key set); false when it could not, which the maintenance reports instead of failing.
   */
  readonly publicJwksReachable: boolean;
  /** Why the public keys.json could not be read: the error code (ERR_ISSUER_FETCH, ERR_ISSUER_HEADERS...). */
  readonly publicJwksError?: string;
  /** Seconds since the active key was activated (else generated), at the end of the run. */
  readonly activeKeyAgeSeconds?: number;
  /** The drift left at the end of the run (after the repair, when `publishDrift` asked for one). */
  readonly drift: Drift;
  /**
   * A cluster key recorded as the active key: the key the cluster signs with, published now because of
   * drift, or published earlier because of drift (trusted only then) and now seen signing.
   */
  readonly adoptedKid?: string;
  /** Kids the cluster trusts, keyturn never had, now published ahead and retired with grace because of `publishDrift`. */
  readonly recordedTrustedKids?: readonly string[];
}

/** One issuer's outcome in the maintenance workflow's output (`$.results[*]`), local or in AWS. */
export type MaintenanceOutcome =
  | { readonly issuerId: string; readonly failed?: false; readonly maintain: MaintainResult }
  | {
      readonly issuerId: string;
      readonly failed: true;
      /** The ASL error name (e.g. KeyringNotFoundError). */
      readonly error: string;
      /** The error's message, without a stack trace. */
      readonly cause: string | undefined;
    };

/**
 * The periodic maintenance step (the second workflow): first makes the keyring follow the cluster when
 * it signs with a retired or failed key (adopt-drift.ts followClusterSigner: a key published from drift
 * that now signs becomes the active key; any other one's grace restarts from now), then removes retired
 * and failed keys whose time has come (never earlier, nor while a node may still sign with them, nor, for
 * a key published from drift, before a grace after the cluster switched away from it: NO-ORPHAN-TOKENS,
 * adopt-drift.ts removableAfter), destroys their private keys, makes the public keys.json match the keyring again if a crash left it behind
 * (RETRY-SAFE), compares the cluster with the JWKS, and reports the issuer's health for the alarms.
 *
 * When the public keys.json cannot be read (unreachable, not 200, not a valid key set, wrong headers),
 * maintenance goes on and reports `publicJwksReachable: false` rather than failing, so the alarm on it
 * fires and the rest of the upkeep is not held hostage by the CDN. That is safe because nothing here is
 * decided from the public view: a removal follows from the keyring (grace passed) and the cluster (no
 * node signs with the key), never from what relying parties happen to see, so NO-ORPHAN-TOKENS holds
 * either way. The documents are then republished, as when the public copy differs, from the latest
 * keyring revision, read again right before the write (a rotation may have committed and published since
 * this run read it: republishing the old read once put a compromised key back and dropped a new one),
 * and the publisher never replaces documents of a newer revision with these. They are built from a
 * state the store holds, carry the active key and every key still in grace, and pass the publisher's
 * validation (ALWAYS-VALID), so a deleted or corrupted keys.json heals itself; publishing is idempotent
 * (RETRY-SAFE). The failed read is audited.
 */
export async function maintainIssuer(ports: RotationPorts, input: MaintainInput): Promise<MaintainResult> {
  const followed = await followClusterSigner(ports, await loadKeyring(ports, input.issuerId));
  let { stored } = followed;
  const now = ports.clock.now();
  const { due, held } = await holdKeysStillSigning(
    ports,
    stored.keyring.keys.filter(
      (key) =>
        (key.state === 'retired' || key.state === 'failed') &&
        isDue(removableAfter(stored.keyring, key), now),
    ),
  );
  if (held.length > 0) {
    stored = await extendHeldKeys(ports, stored, held);
  }
  if (due.length > 0) {
    stored = await removeKeys(ports, stored, due);
  }
  const view = await comparePublicView(ports, stored.keyring);
  let republished = false;
  if (due.length > 0 || view.differs) {
    // `stored` is stale if a rotation committed since it was read: publish what the latest revision says.
    republished = (await publishLatestKeyring(ports, stored.keyring.issuerId)).outcome === 'published';
  }
  const destroyed = await destroyRemovedKeys(ports, stored);
  const repair = await repairDrift(ports, stored, input.publishDrift === true);
  const active = activeKey(repair.keyring);
  const { adopted, drift, recorded } = repair;
  const adoptedKid = adopted === undefined ? followed.adoptedKid : active?.kid;
  return {
    removed: due.map((key) => key.kid),
    held,
    destroyed,
    republished,
    publicJwksReachable: view.error === undefined,
    ...(view.error === undefined ? {} : { publicJwksError: view.error }),
    ...(active === undefined ? {} : { activeKeyAgeSeconds: secondsSince(ports, active) }),
    drift,
    ...(adoptedKid === undefined ? {} : { adoptedKid }),
    ...(recorded.length === 0 ? {} : { recordedTrustedKids: recorded }),
  };
}

/**
 * Compares the cluster with keys.json and, when asked (`--publish-drift`), repairs the drift: publishes
 * the key the cluster signs with (adopt-drift), then publishes the keys it only trusts, retired with grace. Returns the
 * drift left afterwards, measured against the keyring as written.
 */
async function repairDrift(ports: RotationPorts, stored: StoredKeyring, publish: boolean) {
  const cluster = await ports.cluster.readKeys();
  const found = detectDrift(stored.keyring, cluster);
  if (!publish || !hasDrift(found)) {
    return { keyring: stored.keyring, drift: found, adopted: undefined, recorded: [] as string[] };
  }
  const adopted =
    found.unpublishedSigningKid === undefined
      ? undefined
      : await adoptClusterKey(ports, stored.keyring.issuerId, found.unpublishedSigningKid);
  // Re-read: destroying private keys and adopting committed newer revisions than `stored`.
  const current = await loadKeyring(ports, stored.keyring.issuerId);
  const afterAdopt = detectDrift(current.keyring, cluster);
  const seen = afterAdopt.unpublishedTrustedKids.filter((kid) => kid !== cluster.signingKid);
  const pems = seen.flatMap((kid) => cluster.publicKeys.get(kid) ?? []);
  if (current.keyring.rotation !== undefined || pems.length === 0) {
    return { keyring: current.keyring, drift: afterAdopt, adopted, recorded: [] as string[] };
  }
  const next = withSeenClusterKeys(current.keyring, pems, nowIso(ports));
  const written = await commit(ports, current, next.keyring, {
    step: 'adopt-drift',
    outcome: 'ok',
    detail: `published ${next.kids.join(', ')}: trusted by the cluster, not signing yet, retired with grace`,
  });
  await publishKeyring(ports, written.keyring);
  return {
    keyring: written.keyring,
    drift: detectDrift(written.keyring, cluster),
    adopted,
    recorded: next.kids,
  };
}

/**
 * Whether the public keys.json differs from what the keyring publishes. A view that cannot be read, or
 * is no valid key set, counts as differing, and its error code is audited and returned; errors that are
 * not keyturn's (a bug) still fail the step.
 */
async function comparePublicView(
  ports: RotationPorts,
  keyring: Keyring,
): Promise<{ differs: boolean; error?: string }> {
  try {
    const { missing, view } = await readPublicKids(ports, keyring);
    return { differs: missing.length > 0 || view.kids.length !== publishedKeys(keyring).length };
  } catch (error) {
    if (!(error instanceof KeyturnError)) throw error;
    await recordAudit(ports, keyring.issuerId, {
      step: 'read-public',
      outcome: 'failed',
      detail: `the public keys.json could not be read (${error.code}); republishing it from the keyring`,
    });
    return { differs: true, error: error.code };
  }
}

/** Whole seconds since the key started signing (activatedAt), or was generated if it never was activated. */
function secondsSince(ports: RotationPorts, key: KeyRecord): number {
  const since = Date.parse(key.activatedAt ?? key.generatedAt);
  return Math.max(0, Math.round((ports.clock.now().getTime() - since) / 1000));
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

/**
 * Keys held because a node may still sign with them keep being published a whole grace after this run,
 * the last time they may have signed (NO-ORPHAN-TOKENS): their grace restarts from now. Audited either way.
 */
async function extendHeldKeys(
  ports: RotationPorts,
  stored: StoredKeyring,
  held: readonly string[],
): Promise<StoredKeyring> {
  const removeAfter = addSeconds(nowIso(ports), stored.keyring.policy.graceSeconds);
  const later = held.filter((kid) => {
    const current = findKey(stored.keyring, kid)?.removeAfter;
    return current === undefined || Date.parse(current) < Date.parse(removeAfter);
  });
  const detail = `kept ${held.join(', ')}: the cluster has not finished its rollout or still signs with it`;
  if (later.length === 0) {
    await recordAudit(ports, stored.keyring.issuerId, { step: 'retire', outcome: 'skipped', detail });
    return stored;
  }
  const next = later.reduce<Keyring>(
    (keyring, kid) => withKey(keyring, kid, { removeAfter }),
    stored.keyring,
  );
  return commit(ports, stored, next, {
    step: 'retire',
    outcome: 'skipped',
    detail: `${detail}; its grace restarts: published until ${removeAfter}`,
  });
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
