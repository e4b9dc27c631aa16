import type { Keyring, Rotation } from '../keyring/keyring.ts';
import { findKey } from '../keyring/queries.ts';

/** Where a rotation in flight stands, read from the keyring: what resuming it or aborting it will do. */
export type RotationStage =
  /** Prepared; no new key recorded yet. Abort just ends the rotation. */
  | 'prepared'
  /** The new key exists in the vault only. Abort drops it. */
  | 'generated'
  /** The new key is in keys.json; it was never handed to the cluster. Abort drops it. */
  | 'published'
  /** The new key was handed to the cluster and may sign. Abort pushes the previous key back. */
  | 'pushed'
  /** A token signed with the new key verified; only activation is left. Abort pushes the previous key back. */
  | 'verified'
  /**
   * The new key is active and the token refresh phase runs (reboots, stability). Abort ends the rotation:
   * the new key stays active, the old one stays published for its grace.
   */
  | 'activated';

/** The stage of a rotation in flight (see {@link RotationStage}). */
export function rotationStage(keyring: Keyring, rotation: Rotation): RotationStage {
  const key = findKey(keyring, rotation.newKid);
  if (key === undefined) return 'prepared';
  // Push records `promoting` before it hands the key over, so a key without promotedAt never left keyturn.
  if (rotation.activatedAt !== undefined) return 'activated';
  if (key.promotedAt !== undefined) return rotation.verifiedAt === undefined ? 'pushed' : 'verified';
  return key.state === 'generated' ? 'generated' : 'published';
}

/**
 * One line about the keys of a rotation in flight, for people: `new key <kid>: published, not pushed`,
 * `new key <kid>: pushed, rolling out`; and, when an abort failed, that it did and why.
 */
export function describeRotationKeys(keyring: Keyring, rotation: Rotation): string {
  const kid = rotation.newKid;
  const stage = rotationStage(keyring, rotation);
  const key = findKey(keyring, kid);
  const states: Record<RotationStage, string> = {
    prepared: 'no new key yet',
    generated: `new key ${kid}: generated, not published`,
    published:
      key?.visibleAt === undefined
        ? `new key ${kid}: published, not yet confirmed visible, not pushed`
        : `new key ${kid}: published (visible since ${key.visibleAt}), not pushed`,
    pushed: `new key ${kid}: pushed, rolling out`,
    verified: `new key ${kid}: pushed and verified, not activated`,
    activated: `new key ${kid}: active; refreshing workload tokens (rebooting the nodes)`,
  };
  const previousState = stage === 'activated' ? 'retired, still published' : 'active';
  const previous =
    rotation.previousKid === undefined ? '' : `; previous key ${rotation.previousKid}: ${previousState}`;
  const stopped =
    rotation.stoppedAt === undefined
      ? ''
      : `; stopped at ${rotation.stoppedAt}: ${rotation.stopReason ?? 'a deadline passed'}`;
  const abortFailure =
    rotation.abortFailedAt === undefined
      ? ''
      : `; an abort failed at ${rotation.abortFailedAt}: ${rotation.abortFailure ?? 'unknown error'}`;
  return `${states[stage]}${previous}${stopped}${abortFailure}`;
}
