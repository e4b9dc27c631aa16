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
