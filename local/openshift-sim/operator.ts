import type { PrivateSigningKey } from '#shared/keys/index.ts';
import { syncClusterOperators } from './cluster-operators.ts';
import { type ClusterState, revisionOf } from './cluster-state.ts';
import {
  APISERVER_NAMESPACE,
  BOUND_SECRET_NAME,
  CERTS_CONFIGMAP_NAME,
  CONFIG_MANAGED_NAMESPACE,
  type ConfigMap,
  NEXT_SECRET_NAME,
  OPERATOR_NAMESPACE,
  PRIVATE_KEY_DATA_KEY,
  PUBLIC_KEY_DATA_KEY,
  type Secret,
  trustedKeyName,
} from './objects.ts';
import { createRevision } from './revisions.ts';
import { startNextRollout } from './rollout.ts';
import { readDataText, readSigningPair, readTrustedKeys, signingPairData } from './secret-data.ts';

/**
 * One pass of the cluster-kube-apiserver-operator's bound-token signer controller (DESIGN.md §1), at
 * simulated time `at`, followed by the installer controller starting the next node if it is idle:
 * 1. a next public key the configmap lacks is added under the first free `service-account-NNN.pub`
 *    (old names are never removed or reused), copied to openshift-config-managed, and a revision is cut;
 * 2. a next key every node's current revision already trusts, but that is not yet the bound key, is
 *    copied into the bound secret, and a revision is cut.
 * The ClusterOperators are written once the pass is over, so a promotion that follows a finished rollout
 * at the same instant does not flap kube-apiserver's Progressing condition.
 */
export function settle(state: ClusterState, at: Date): void {
  const next = state.store.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
  const pair = readSigningPair(next);
  if (next !== undefined && pair !== undefined) {
    const certs = requireCerts(state);
    const trusted = [...readTrustedKeys(certs).values()].some((key) => key.kid === pair.publicKey.kid);
    if (!trusted) {
      addTrustedKey(state, certs, readDataText(next.data, PUBLIC_KEY_DATA_KEY) ?? '', at);
      createRevision(state, at);
    } else if (isPromotable(state, pair)) {
      promote(state, next, at);
      createRevision(state, at);
    }
  }
  startNextRollout(state, at);
  syncClusterOperators(state, at);
}

/** True when the next secret is missing or emptied, so the operator must generate a key of its own. */
export function needsOperatorKey(state: ClusterState): boolean {
  return readSigningPair(state.store.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME)) === undefined;
}

/**
 * Writes a key the operator generated into the next secret (an uncontrolled rotation), keeping the
 * secret's labels. Like the real operator it writes SPKI bytes under an `RSA PUBLIC KEY` label.
 */
export function writeOperatorKey(state: ClusterState, pair: PrivateSigningKey, at: Date): void {
  const existing = state.store.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
  state.store.put<Secret>(
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: NEXT_SECRET_NAME,
        namespace: OPERATOR_NAMESPACE,
        ...(existing?.metadata.labels === undefined ? {} : { labels: existing.metadata.labels }),
      },
      type: existing?.type ?? 'Opaque',
      data: { ...existing?.data, ...signingPairData(pair, 'RSA PUBLIC KEY') },
    },
    at,
  );
  settle(state, at);
}

function isPromotable(state: ClusterState, pair: PrivateSigningKey): boolean {
  const bound = readSigningPair(state.store.get('Secret', APISERVER_NAMESPACE, BOUND_SECRET_NAME));
  return (
    bound?.publicKey.kid !== pair.publicKey.kid &&
    state.nodes.every((node) => revisionOf(state, node).trusted.has(pair.publicKey.kid))
  );
}

function addTrustedKey(state: ClusterState, certs: ConfigMap, publicPem: string, at: Date): void {
  let index = 1;
  while (certs.data[trustedKeyName(index)] !== undefined) {
    index += 1;
  }
  const data = { ...certs.data, [trustedKeyName(index)]: publicPem };
  state.store.put<ConfigMap>({ ...certs, data }, at);
  const copy = state.store.get('ConfigMap', CONFIG_MANAGED_NAMESPACE, CERTS_CONFIGMAP_NAME);
  state.store.put<ConfigMap>(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { ...copy?.metadata, name: CERTS_CONFIGMAP_NAME, namespace: CONFIG_MANAGED_NAMESPACE },
      data,
    },
    at,
  );
}

function promote(state: ClusterState, next: Secret, at: Date): void {
  const bound = state.store.get('Secret', APISERVER_NAMESPACE, BOUND_SECRET_NAME);
  const pairData = {
    [PRIVATE_KEY_DATA_KEY]: next.data[PRIVATE_KEY_DATA_KEY] ?? '',
    [PUBLIC_KEY_DATA_KEY]: next.data[PUBLIC_KEY_DATA_KEY] ?? '',
  };
  state.store.put<Secret>(
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: BOUND_SECRET_NAME, namespace: APISERVER_NAMESPACE },
      type: bound?.type ?? 'Opaque',
      data: { ...bound?.data, ...pairData },
    },
    at,
  );
}

function requireCerts(state: ClusterState): ConfigMap {
  const certs = state.store.get('ConfigMap', APISERVER_NAMESPACE, CERTS_CONFIGMAP_NAME);
  if (certs === undefined) {
    throw new Error(`the simulated cluster lost configmap ${CERTS_CONFIGMAP_NAME}; install it first`);
  }
  return certs;
}
