import type { PrivateSigningKey, PublicSigningKey } from '#shared/keys/index.ts';
import type { ObjectStore } from './object-store.ts';
import {
  APISERVER_NAMESPACE,
  apiserverPodName,
  KUBE_APISERVER_NAME,
  type KubeAPIServer,
  type NodeStatus,
  type Pod,
} from './objects.ts';
import type { PoolName } from './platform-objects.ts';

/** What one revision's kube-apiservers run with: the keys they accept and the key they sign with. */
export interface Revision {
  readonly revision: number;
  /** Trusted public keys by kid, in configmap order. */
  readonly trusted: ReadonlyMap<string, PublicSigningKey>;
  readonly signer: PrivateSigningKey;
}

/** A control-plane node as the simulation tracks it. */
export interface NodeState {
  readonly name: string;
  currentRevision: number;
  /** The revision the node's installer is rolling to, while it runs. */
  targetRevision?: number;
  /** Simulated time (ms) the running installer started or was last unstuck. */
  rollingSinceMs?: number;
  /** A stuck node's installer never finishes. */
  stuck: boolean;
}

/** A node as the Machine Config Operator sees it: its pool, boot and configs. */
export interface MachineState {
  readonly name: string;
  readonly pool: PoolName;
  /** `status.nodeInfo.bootID`: changes on every reboot. */
  bootId: string;
  /** The rendered MachineConfig the node runs (annotation `currentConfig`). */
  currentConfig: string;
  /** The rendered MachineConfig the node controller asked for (annotation `desiredConfig`). */
  desiredConfig: string;
  /** Simulated time (ms) the node's drain and reboot started, while it is being updated. */
  updatingSinceMs?: number;
}

/** The projected token a workload pod holds now, as kubelet got it through TokenRequest. */
export interface WorkloadToken {
  readonly kid: string;
  readonly signer: PrivateSigningKey;
  /** The control-plane node whose kube-apiserver signed it. */
  readonly apiserverNode: string;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
  /** The signed JWT, made on first read (signing is async, simulated time is not). */
  jwt?: Promise<string>;
}

/** A workload pod as the simulated kubelet tracks it. */
export interface WorkloadState {
  readonly name: string;
  readonly nodeName: string;
  /** False while its node drains and reboots: the pod holds no token then. */
  running: boolean;
  token?: WorkloadToken;
}

/** The rendered config a pool is told to run, and the MachineConfigs it was rendered from. */
export interface PoolTarget {
  readonly name: string;
  readonly sources: readonly string[];
}

/**
 * The whole simulated control plane: the objects it serves plus what the objects cannot hold (parsed
 * revision keys, installer timers). Mutated only by the operator, rollout and write modules.
 */
export interface ClusterState {
  readonly issuerUrl: string;
  readonly store: ObjectStore;
  /** Revisions in order; revision n is at index n − 1. */
  readonly revisions: Revision[];
  readonly nodes: NodeState[];
  readonly rolloutMs: number;
  /** Simulated time (ms) the state has been brought up to. */
  syncedAtMs: number;
  /** Round-robin position of the next token request. */
  nextTokenNode: number;
  /**
   * Round-robin position of kubelet's next token request, kept apart from clients' so that a test's
   * TokenRequests land on the nodes it expects whatever the workloads did.
   */
  nextKubeletTokenNode: number;
  /** Every node (control plane first, then workers) as the Machine Config Operator sees it. */
  readonly machines: MachineState[];
  /** Each pool's rendered target config. */
  readonly poolTargets: Map<PoolName, PoolTarget>;
  /** How long one node's drain and reboot takes (ms). */
  readonly rebootMs: number;
  readonly workloads: WorkloadState[];
  /** Lifetime of the workload pods' projected STS tokens (s). */
  readonly tokenTtlSeconds: number;
  /** ClusterOperators held Degraded=True (fault). */
  readonly degradedOperators: Set<string>;
}

/** The latest revision (there is always one after install). */
export function latestRevision(state: ClusterState): Revision {
  const latest = state.revisions.at(-1);
  if (latest === undefined) {
    throw new Error('the simulated cluster has no revision; install it first');
  }
  return latest;
}

/** The revision a node runs now. */
export function revisionOf(state: ClusterState, node: NodeState): Revision {
  const revision = state.revisions[node.currentRevision - 1];
  if (revision === undefined) {
    throw new Error(`node ${node.name} runs unknown revision ${node.currentRevision}`);
  }
  return revision;
}

/** Writes the operator status and the kube-apiserver pods from the node states. */
export function writeNodeObjects(state: ClusterState, at: Date): void {
  const nodeStatuses: NodeStatus[] = state.nodes.map((node) => ({
    nodeName: node.name,
    currentRevision: node.currentRevision,
    ...(node.targetRevision === undefined ? {} : { targetRevision: node.targetRevision }),
  }));
  state.store.put<KubeAPIServer>(
    {
      apiVersion: 'operator.openshift.io/v1',
      kind: 'KubeAPIServer',
      metadata: { name: KUBE_APISERVER_NAME },
      spec: { managementState: 'Managed' },
      status: { latestAvailableRevision: latestRevision(state).revision, nodeStatuses },
    },
    at,
  );
  for (const node of state.nodes) {
    state.store.put<Pod>(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: apiserverPodName(node.name),
          namespace: APISERVER_NAMESPACE,
          labels: {
            app: 'openshift-kube-apiserver',
            apiserver: 'true',
            revision: String(node.currentRevision),
          },
        },
        spec: { nodeName: node.name },
        status: { phase: 'Running' },
      },
      at,
    );
  }
}
