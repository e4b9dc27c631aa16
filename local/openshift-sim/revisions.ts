import type { PublicSigningKey } from '#shared/keys/index.ts';
import { type ClusterState, type Revision, writeNodeObjects } from './cluster-state.ts';
import {
  APISERVER_NAMESPACE,
  BOUND_SECRET_NAME,
  CERTS_CONFIGMAP_NAME,
  type ConfigMap,
  revisionedName,
  type Secret,
} from './objects.ts';
import { readSigningPair, readTrustedKeys } from './secret-data.ts';

/**
 * Cuts a new revision, as the operator's revision controller does when a revisioned input changes:
 * snapshots the trusted-keys configmap and the bound secret into `<name>-<revision>` copies, remembers
 * their parsed keys, and bumps `status.latestAvailableRevision`.
 */
export function createRevision(state: ClusterState, at: Date): Revision {
  const number = state.revisions.length + 1;
  const certs = state.store.get('ConfigMap', APISERVER_NAMESPACE, CERTS_CONFIGMAP_NAME);
  const bound = state.store.get('Secret', APISERVER_NAMESPACE, BOUND_SECRET_NAME);
  const signer = readSigningPair(bound);
  if (certs === undefined || bound === undefined || signer === undefined) {
    throw new Error('cannot cut a revision without the trusted-keys configmap and the bound signing key');
  }
  state.store.put<ConfigMap>(
    {
      ...certs,
      metadata: { name: revisionedName(certs.metadata.name, number), namespace: APISERVER_NAMESPACE },
    },
    at,
  );
  state.store.put<Secret>(
    {
      ...bound,
      metadata: { name: revisionedName(bound.metadata.name, number), namespace: APISERVER_NAMESPACE },
    },
    at,
  );
  const trusted = new Map<string, PublicSigningKey>(
    [...readTrustedKeys(certs).values()].map((key) => [key.kid, key]),
  );
  const revision: Revision = { revision: number, trusted, signer };
  state.revisions.push(revision);
  writeNodeObjects(state, at);
  return revision;
}
