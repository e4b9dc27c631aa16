import { issueServiceAccountToken } from '#shared/tokens/index.ts';
import { type ClusterState, revisionOf, type WorkloadState } from './cluster-state.ts';
import { type Pod, toKubeTime } from './objects.ts';
import { TOKEN_EXPIRES_ANNOTATION, TOKEN_KID_ANNOTATION, WORKLOADS_NAMESPACE } from './platform-objects.ts';

/** The audience of the workload pods' projected tokens: AWS STS (`AssumeRoleWithWebIdentity`). */
export const STS_AUDIENCE = 'sts.amazonaws.com';
/** The service account every simulated workload pod runs as. */
export const WORKLOAD_SERVICE_ACCOUNT = 'default';
/** Kubelet refreshes a projected token older than this fraction of its lifetime (kubelet token manager). */
export const KUBELET_REFRESH_FRACTION = 0.8;
/** ... or older than this, whatever its lifetime. */
export const KUBELET_MAX_TOKEN_AGE_MS = 24 * 3600 * 1000;

/** A workload pod's current token, as a sampler checks it against the published keys.json. */
export interface WorkloadTokenView {
  readonly pod: string;
  readonly namespace: string;
  readonly nodeName: string;
  readonly token: string;
  readonly kid: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** The control-plane node whose kube-apiserver signed it. */
  readonly signedBy: string;
}

/**
 * Creates `count` workload pods `workload-0` ... in namespace `workloads`, spread round-robin over the
 * worker nodes (the control-plane nodes when there are none), each running with a fresh token.
 */
export function installWorkloads(state: ClusterState, count: number, at: Date): void {
  const workers = state.machines.filter((machine) => machine.pool === 'worker');
  const hosts = workers.length > 0 ? workers : state.machines;
  for (let index = 0; index < count; index += 1) {
    const host = hosts[index % hosts.length];
    if (host === undefined) {
      throw new Error('the simulated cluster has no node to run workloads on');
    }
    const workload: WorkloadState = { name: `workload-${index}`, nodeName: host.name, running: true };
    state.workloads.push(workload);
    issueWorkloadToken(state, workload, at);
  }
}

/**
 * When kubelet next refreshes a running pod's token (ms): at 80 % of its lifetime or after 24 h,
 * whichever comes first. Undefined when no pod runs.
 */
export function nextTokenRefresh(state: ClusterState): number | undefined {
  const due = state.workloads.flatMap((workload) =>
    workload.running && workload.token !== undefined ? [refreshAtMs(workload.token)] : [],
  );
  return due.length === 0 ? undefined : Math.min(...due);
}

/** Refreshes every running pod's token that is due by `at`. */
export function refreshDueTokens(state: ClusterState, at: Date): void {
  for (const workload of state.workloads) {
    if (workload.running && workload.token !== undefined && refreshAtMs(workload.token) <= at.getTime()) {
      issueWorkloadToken(state, workload, at);
    }
  }
}

/** The node starts draining: its pods stop and hold no token. */
export function stopWorkloadsOn(state: ClusterState, nodeName: string, at: Date): void {
  for (const workload of state.workloads.filter((item) => item.nodeName === nodeName && item.running)) {
    workload.running = false;
    workload.token = undefined;
    writeWorkloadPod(state, workload, at);
  }
}

/** The node is back: its pods start again, and kubelet requests each a new token. */
export function startWorkloadsOn(state: ClusterState, nodeName: string, at: Date): void {
  for (const workload of state.workloads.filter((item) => item.nodeName === nodeName && !item.running)) {
    workload.running = true;
    issueWorkloadToken(state, workload, at);
  }
}

/** Every running pod's current token, signed (the same JWT on every read until kubelet refreshes it). */
export async function readWorkloadTokens(state: ClusterState): Promise<WorkloadTokenView[]> {
  const views: WorkloadTokenView[] = [];
  for (const workload of state.workloads) {
    const token = workload.token;
    if (!workload.running || token === undefined) {
      continue;
    }
    token.jwt ??= signWorkloadToken(state, workload, token.issuedAtMs);
    views.push({
      pod: workload.name,
      namespace: WORKLOADS_NAMESPACE,
      nodeName: workload.nodeName,
      token: await token.jwt,
      kid: token.kid,
      issuedAt: new Date(token.issuedAtMs),
      expiresAt: new Date(token.expiresAtMs),
      signedBy: token.apiserverNode,
    });
  }
  return views;
}

/**
 * kubelet's TokenRequest for the pod's projected volume: answered by the next kube-apiserver in
 * round-robin order, signed with the key of the revision that node runs at `at`.
 */
function issueWorkloadToken(state: ClusterState, workload: WorkloadState, at: Date): void {
  const node = state.nodes[state.nextKubeletTokenNode % state.nodes.length];
  if (node === undefined) {
    throw new Error('the simulated cluster has no control-plane nodes');
  }
  state.nextKubeletTokenNode = (state.nextKubeletTokenNode + 1) % state.nodes.length;
  const { signer } = revisionOf(state, node);
  const issuedAtMs = Math.floor(at.getTime() / 1000) * 1000;
  workload.token = {
    kid: signer.publicKey.kid,
    signer,
    apiserverNode: node.name,
    issuedAtMs,
    expiresAtMs: issuedAtMs + state.tokenTtlSeconds * 1000,
  };
  writeWorkloadPod(state, workload, at);
}

function refreshAtMs(token: { readonly issuedAtMs: number; readonly expiresAtMs: number }): number {
  const lifetime = token.expiresAtMs - token.issuedAtMs;
  return token.issuedAtMs + Math.min(lifetime * KUBELET_REFRESH_FRACTION, KUBELET_MAX_TOKEN_AGE_MS);
}

async function signWorkloadToken(state: ClusterState, workload: WorkloadState, issuedAtMs: number) {
  const token = workload.token;
  if (token === undefined) {
    throw new Error(`workload ${workload.name} holds no token`);
  }
  const pod = state.store.get('Pod', WORKLOADS_NAMESPACE, workload.name);
  const node = state.store.get('Node', undefined, workload.nodeName);
  return issueServiceAccountToken(
    token.signer,
    {
      issuer: state.issuerUrl,
      audiences: [STS_AUDIENCE],
      namespace: WORKLOADS_NAMESPACE,
      serviceAccount: WORKLOAD_SERVICE_ACCOUNT,
      lifetimeSeconds: state.tokenTtlSeconds,
      pod: { name: workload.name, uid: pod?.metadata.uid ?? '' },
      node: { name: workload.nodeName, uid: node?.metadata.uid ?? '' },
    },
    new Date(issuedAtMs),
  );
}

/** The pod object: its projected token volume, phase, and its current token's kid and expiry. */
function writeWorkloadPod(state: ClusterState, workload: WorkloadState, at: Date): void {
  const { token } = workload;
  const previous = state.store.get('Pod', WORKLOADS_NAMESPACE, workload.name);
  state.store.put<Pod>(
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: workload.name,
        namespace: WORKLOADS_NAMESPACE,
        labels: { app: 'workload' },
        ...(token === undefined
          ? {}
          : {
              annotations: {
                [TOKEN_KID_ANNOTATION]: token.kid,
                [TOKEN_EXPIRES_ANNOTATION]: toKubeTime(new Date(token.expiresAtMs)),
              },
            }),
      },
      spec: {
        nodeName: workload.nodeName,
        serviceAccountName: WORKLOAD_SERVICE_ACCOUNT,
        volumes: [
          {
            name: 'aws-iam-token',
            projected: {
              sources: [
                {
                  serviceAccountToken: {
                    audience: STS_AUDIENCE,
                    expirationSeconds: state.tokenTtlSeconds,
                    path: 'token',
                  },
                },
              ],
            },
          },
        ],
      },
      status: workload.running
        ? { phase: 'Running', startTime: startTimeOf(previous, at) }
        : { phase: 'Pending' },
    },
    at,
  );
}

/** A pod keeps its start time across token refreshes; a restart (after a reboot) sets a new one. */
function startTimeOf(previous: Pod | undefined, at: Date): string {
  return previous?.status.phase === 'Running' && previous.status.startTime !== undefined
    ? previous.status.startTime
    : toKubeTime(at);
}
