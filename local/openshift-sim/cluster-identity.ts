import { SIMULATED_OPENSHIFT_VERSION } from './cluster-operators.ts';
import type { ClusterState } from './cluster-state.ts';
import { APISERVER_CONFIG_NAME, APISERVER_NAMESPACE, type ConfigMap, toKubeTime } from './objects.ts';
import { CLUSTER_VERSION_NAME, type ClusterVersion } from './platform-objects.ts';

/** What the installer records about the cluster as a whole. */
export interface ClusterIdentityOptions {
  /** ClusterVersion `version` `spec.clusterID` (a UUID). */
  readonly clusterId: string;
  /** `service-account-max-token-expiration` in the kube-apiserver config, in seconds; unset by default. */
  readonly maxTokenExpirationSeconds?: number;
}

/**
 * Writes ClusterVersion `version` (whose `spec.clusterID` ccoctl scopes its rotation guard by) and the
 * kube-apiserver operator's merged config, ConfigMap `openshift-kube-apiserver/config` key `config.yaml`:
 * JSON, as the operator writes it, with `apiServerArguments` as string lists. OpenShift sets no
 * `service-account-max-token-expiration`; the simulator writes one only when asked (`--max-token-expiration`).
 */
export function installClusterIdentity(state: ClusterState, options: ClusterIdentityOptions, at: Date): void {
  state.store.put<ClusterVersion>(
    {
      apiVersion: 'config.openshift.io/v1',
      kind: 'ClusterVersion',
      metadata: { name: CLUSTER_VERSION_NAME },
      spec: { clusterID: options.clusterId, channel: 'stable-4.19' },
      status: {
        desired: { version: SIMULATED_OPENSHIFT_VERSION },
        conditions: [
          { type: 'Available', status: 'True', lastTransitionTime: toKubeTime(at) },
          { type: 'Progressing', status: 'False', lastTransitionTime: toKubeTime(at) },
          { type: 'Failing', status: 'False', lastTransitionTime: toKubeTime(at) },
        ],
      },
    },
    at,
  );
  const { maxTokenExpirationSeconds: max } = options;
  const config = {
    apiVersion: 'kubecontrolplane.config.openshift.io/v1',
    kind: 'KubeAPIServerConfig',
    apiServerArguments: {
      'service-account-issuer': [state.issuerUrl],
      'service-account-lookup': ['true'],
      ...(max === undefined ? {} : { 'service-account-max-token-expiration': [goDuration(max)] }),
    },
  };
  state.store.put<ConfigMap>(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: APISERVER_CONFIG_NAME, namespace: APISERVER_NAMESPACE },
      data: { 'config.yaml': JSON.stringify(config) },
    },
    at,
  );
}

/** Seconds as Go's time.Duration prints them (`24h0m0s`, `1h30m0s`, `10m0s`), as the operator would. */
function goDuration(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${rest}s`;
  return minutes > 0 ? `${minutes}m${rest}s` : `${rest}s`;
}
