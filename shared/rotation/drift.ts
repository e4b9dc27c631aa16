import type { Keyring, RotationMode } from '../keyring/keyring.ts';
import { publishedKeys } from '../keyring/queries.ts';
import type { ClusterKeys, RotationPorts } from '../ports.ts';
import { DriftDetectedError } from './errors.ts';

/** Where the cluster and the published JWKS disagree. */
export interface Drift {
  /** The cluster signs with this kid, which keys.json does not carry: STS rejects its tokens. */
  readonly unpublishedSigningKid?: string;
  /**
   * The cluster trusts these kids, which keys.json does not carry and keyturn never removed: keys it never
   * had (the operator made its own after the next secret was deleted). Real drift.
   */
  readonly unpublishedTrustedKids: readonly string[];
  /**
   * The cluster trusts these kids, keyturn's own keys it removed from keys.json: OpenShift never drops a
   * public key it trusted (DESIGN.md §1), so this is expected, not drift.
   */
  readonly removedTrustedKids: readonly string[];
}

/** Compares what the cluster trusts and signs with against the keyring's published and removed keys. */
export function detectDrift(keyring: Keyring, cluster: ClusterKeys): Drift {
  const published = new Set(publishedKeys(keyring).map((key) => key.kid));
  const removed = new Set(keyring.keys.filter((key) => key.state === 'removed').map((key) => key.kid));
  const signing = cluster.signingKid;
  const unpublished = cluster.trustedKids.filter((kid) => !published.has(kid));
  return {
    ...(signing !== undefined && !published.has(signing) ? { unpublishedSigningKid: signing } : {}),
    unpublishedTrustedKids: unpublished.filter((kid) => !removed.has(kid)),
    removedTrustedKids: unpublished.filter((kid) => removed.has(kid)),
  };
}

/** True when the cluster signs with, or trusts, a key keys.json lacks that is not keyturn's own removed key. */
export function hasDrift(drift: Drift): boolean {
  return drift.unpublishedSigningKid !== undefined || drift.unpublishedTrustedKids.length > 0;
}

/** The drift in words, for messages and the audit trail (kids only). */
export function describeDrift(drift: Drift): string {
  const parts = [
    ...(drift.unpublishedSigningKid === undefined
      ? []
      : [`the cluster signs with ${drift.unpublishedSigningKid}, which keys.json lacks`]),
    ...(drift.unpublishedTrustedKids.length === 0
      ? []
      : [`it trusts ${drift.unpublishedTrustedKids.join(', ')}, which keyturn never published`]),
  ];
  return parts.length === 0 ? 'no drift' : parts.join('; ');
}

/**
 * Reads the cluster's keys. A scheduled or manual rotation refuses to go on while the cluster signs with
 * an unpublished key; an emergency is never blocked by drift, and gets the drift and the cluster's keys
 * back to act on.
 */
export async function checkClusterDrift(
  ports: Pick<RotationPorts, 'cluster'>,
  keyring: Keyring,
  mode: RotationMode,
): Promise<{ drift: Drift; cluster: ClusterKeys }> {
  const cluster = await ports.cluster.readKeys();
  const drift = detectDrift(keyring, cluster);
  if (drift.unpublishedSigningKid !== undefined && mode !== 'emergency') {
    throw new DriftDetectedError(
      'ERR_DRIFT',
      `issuer ${keyring.issuerId}: the cluster signs with kid ${drift.unpublishedSigningKid}, which keys.json does not carry ` +
        '(was the next signing secret deleted?); publish it with keyturn maintain --publish-drift ' +
        '(--local or --aws, as you rotate), then rotate again',
    );
  }
  return { drift, cluster };
}
