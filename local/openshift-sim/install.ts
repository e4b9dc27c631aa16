import { encodePublicKeyPem, type PrivateSigningKey } from '#shared/keys/index.ts';
import type { ClusterState, NodeState } from './cluster-state.ts';
import { createObjectStore } from './object-store.ts';
import {
  APISERVER_NAMESPACE,
  BOUND_SECRET_NAME,
  CERTS_CONFIGMAP_NAME,
  CONFIG_MANAGED_NAMESPACE,
  type ConfigMap,
  NEXT_SECRET_NAME,
  OPERATOR_NAMESPACE,
  type Secret,
  trustedKeyName,
} from './objects.ts';
import { createRevision } from './revisions.ts';
import { signingPairData } from './secret-data.ts';

/** What an installer lays down. */
export interface InstallOptions {
  readonly issuerUrl: string;
  readonly initialKey: PrivateSigningKey;
  readonly nodes: number;
  readonly nodeRolloutSeconds: number;
  readonly at: Date;
}

/**
 * Installs a cluster in manual (STS) credentials mode: the installer's key is the bound key, the only
 * trusted key (`service-account-001.pub`) and also the next key, so the operator has nothing to rotate;
 * every node (`master-0` ...) runs revision 1.
 */
export function installCluster(options: InstallOptions): ClusterState {
  const { at, initialKey } = options;
  const nodes: NodeState[] = Array.from({ length: options.nodes }, (_, index) => ({
    name: `master-${index}`,
    currentRevision: 1,
    stuck: false,
  }));
  const state: ClusterState = {
    issuerUrl: options.issuerUrl,
    store: createObjectStore(),
    revisions: [],
    nodes,
    rolloutMs: options.nodeRolloutSeconds * 1000,
    syncedAtMs: at.getTime(),
    nextTokenNode: 0,
  };
  const data = signingPairData(initialKey, 'PUBLIC KEY');
  for (const [namespace, name] of [
    [OPERATOR_NAMESPACE, NEXT_SECRET_NAME],
    [APISERVER_NAMESPACE, BOUND_SECRET_NAME],
  ] as const) {
    state.store.put<Secret>(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data },
      at,
    );
  }
  const certs = { [trustedKeyName(1)]: encodePublicKeyPem(initialKey.publicKey) };
  for (const namespace of [APISERVER_NAMESPACE, CONFIG_MANAGED_NAMESPACE]) {
    state.store.put<ConfigMap>(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: CERTS_CONFIGMAP_NAME, namespace },
        data: certs,
      },
      at,
    );
  }
  createRevision(state, at);
  return state;
}
