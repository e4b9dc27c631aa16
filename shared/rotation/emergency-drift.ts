import type { KeyRecord, Keyring } from '../keyring/keyring.ts';
import { withKey } from '../keyring/queries.ts';
import type { ClusterKeys } from '../ports.ts';
import { withClusterSigningKey } from './adopt-drift.ts';
import { type Drift, describeDrift, hasDrift } from './drift.ts';

/** How a rotation starts given the drift prepare found. */
export interface DriftStart {
  /** The keyring to commit with the rotation (the cluster's signing key adopted, for an emergency). */
  readonly keyring: Keyring;
  /** The key the rotation replaces: the active one, or the cluster's own signing key it adopted. */
  readonly previousKid: string;
  /** True when the keyring now carries the cluster's signing key: keys.json must be republished. */
  readonly adopted: boolean;
  /** The drift in words for the audit trail, empty without drift. */
  readonly note: string;
}

/**
 * An emergency rotation is never blocked by drift. When the cluster signs with a key keys.json lacks (the
 * operator made its own after the next secret was deleted), that key is published and becomes the key the
 * rotation replaces, so workloads holding its tokens reach STS again until they refresh (NO-ORPHAN-TOKENS);
 * the compromised key, the keyring's active one, no longer signs and goes at once, as an emergency's does.
 * Other drift (keys only trusted) is recorded in the audit trail. Other modes start as they are; prepare
 * has already refused them if the cluster signs with an unpublished key.
 */
export function startUnderDrift(
  keyring: Keyring,
  active: KeyRecord,
  found: { readonly drift: Drift; readonly cluster: ClusterKeys },
  now: string,
): DriftStart {
  const { drift, cluster } = found;
  const note = hasDrift(drift) ? `; drift: ${describeDrift(drift)}` : '';
  const signing = drift.unpublishedSigningKid;
  const pem = signing === undefined ? undefined : cluster.publicKeys.get(signing);
  if (signing === undefined || pem === undefined) {
    return { keyring, previousKid: active.kid, adopted: false, note };
  }
  const adopted = withKey(withClusterSigningKey(keyring, pem, now), active.kid, {
    compromisedAt: now,
    removeAfter: now,
  });
  return {
    keyring: adopted,
    previousKid: signing,
    adopted: true,
    note: `${note} (published ${signing}, the cluster's own key, and rotating away from it)`,
  };
}
