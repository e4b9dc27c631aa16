import type { Keyring } from '../keyring/keyring.ts';
import { publishedKeys } from '../keyring/queries.ts';
import type { ClusterKeys, RotationPorts } from '../ports.ts';
import { DriftDetectedError } from './errors.ts';

/** Where the cluster and the published JWKS disagree. */
export interface Drift {
  /** The cluster signs with this kid, which keys.json does not carry: STS rejects its tokens. */
  readonly unpublishedSigningKid?: string;
  /** The cluster trusts these kids, which keys.json does not carry (harmless until they sign). */
  readonly unpublishedTrustedKids: readonly string[];
}

/** Compares what the cluster trusts and signs with against the keyring's published keys. */
export function detectDrift(keyring: Keyring, cluster: ClusterKeys): Drift {
  const published = new Set(publishedKeys(keyring).map((key) => key.kid));
  const signing = cluster.signingKid;
  return {
    ...(signing !== undefined && !published.has(signing) ? { unpublishedSigningKid: signing } : {}),
    unpublishedTrustedKids: cluster.trustedKids.filter((kid) => !published.has(kid)),
  };
}

/** Reads the cluster's keys and refuses to go on while it signs with an unpublished key. */
export async function checkClusterDrift(
  ports: Pick<RotationPorts, 'cluster'>,
  keyring: Keyring,
): Promise<Drift> {
  const drift = detectDrift(keyring, await ports.cluster.readKeys());
  if (drift.unpublishedSigningKid !== undefined) {
    throw new DriftDetectedError(
      'ERR_DRIFT',
      `issuer ${keyring.issuerId}: the cluster signs with kid ${drift.unpublishedSigningKid}, which keys.json does not carry ` +
        '(was the next signing secret deleted?); run keyturn maintain --publish-drift to publish it, then rotate',
    );
  }
  return drift;
}
