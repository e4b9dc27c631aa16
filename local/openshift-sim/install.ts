import { randomUUID } from 'node:crypto';
import { encodePublicKeyPem, type PrivateSigningKey } from '#shared/keys/index.ts';
import { installClusterIdentity } from './cluster-identity.ts';
import type { ClusterState, MachineState, NodeState } from './cluster-state.ts';
import { renderPools } from './machine-config.ts';
import { writeMachineObjects } from './machine-objects.ts';
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
import {
  CLOUD_CREDENTIAL_NAMESPACE,
  type MachineConfig,
  MCO_ROLE_LABEL,
  type Namespace,
  POOL_NAMES,
  WORKLOADS_NAMESPACE,
} from './platform-objects.ts';
import { createRevision } from './revisions.ts';
import { signingPairData } from './secret-data.ts';
import { installWorkloads } from './workloads.ts';

/**
 * The namespaces of a fresh cluster: the ones every cluster has, those of DESIGN.md §1 and ccoctl's
 * guard, `keyturn` for keyturn's own probe service account, and `workloads` for the workload pods.
 * Clients may create more; these cannot be deleted.
 */
export const INSTALLED_NAMESPACES: readonly string[] = [
  'default',
  'keyturn',
  'kube-public',
  'kube-system',
  CLOUD_CREDENTIAL_NAMESPACE,
  'openshift-config',
  'openshift-config-managed',
  APISERVER_NAMESPACE,
  OPERATOR_NAMESPACE,
  'openshift-machine-config-operator',
  WORKLOADS_NAMESPACE,
];

/** What an installer lays down. */
export interface InstallOptions {
  readonly issuerUrl: string;
  readonly initialKey: PrivateSigningKey;
  readonly nodes: number;
  readonly nodeRolloutSeconds: number;
  readonly workerNodes: number;
  readonly nodeRebootSeconds: number;
  readonly workloads: number;
  readonly tokenTtlSeconds: number;
  readonly degradedOperators: readonly string[];
  readonly clusterId: string;
  readonly maxTokenExpirationSeconds?: number;
  readonly at: Date;
}

/**
 * Installs a cluster in manual (STS) credentials mode: the installer's key is the bound key, the only
 * trusted key (`service-account-001.pub`) and also the next key, so the operator has nothing to rotate;
 * every node (`master-0` ...) runs revision 1. The Machine Config Operator's pools `master` and
 * `worker` have rendered their base configs and every node (`master-N`, `worker-N`) runs them; the
 * workload pods run with fresh tokens.
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
    nextKubeletTokenNode: 0,
    machines: [],
    poolTargets: new Map(),
    rebootMs: options.nodeRebootSeconds * 1000,
    workloads: [],
    tokenTtlSeconds: options.tokenTtlSeconds,
    degradedOperators: new Set(options.degradedOperators),
  };
  for (const name of INSTALLED_NAMESPACES) {
    state.store.put<Namespace>(namespaceObject(name), at);
  }
  installMachines(state, options.workerNodes, at);
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
  installClusterIdentity(state, options, at);
  createRevision(state, at);
  writeMachineObjects(state, at);
  installWorkloads(state, options.workloads, at);
  return state;
}

/** A Namespace as kube-apiserver creates it: the name label and the kubernetes finalizer. */
export function namespaceObject(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  } as const;
}

/** The base MachineConfig of each pool, rendered, and every node on it. */
function installMachines(state: ClusterState, workerNodes: number, at: Date): void {
  for (const pool of POOL_NAMES) {
    state.store.put<MachineConfig>(
      {
        apiVersion: 'machineconfiguration.openshift.io/v1',
        kind: 'MachineConfig',
        metadata: { name: `00-${pool}`, labels: { [MCO_ROLE_LABEL]: pool } },
        spec: { config: { ignition: { version: '3.4.0' } } },
      },
      at,
    );
  }
  renderPools(state, at);
  const machine = (name: string, pool: 'master' | 'worker'): MachineState => {
    const config = state.poolTargets.get(pool)?.name ?? '';
    return { name, pool, bootId: randomUUID(), currentConfig: config, desiredConfig: config };
  };
  state.machines.push(
    ...state.nodes.map((node) => machine(node.name, 'master')),
    ...Array.from({ length: workerNodes }, (_, index) => machine(`worker-${index}`, 'worker')),
  );
}
