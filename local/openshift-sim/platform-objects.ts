import type { ObjectMeta } from './objects.ts';

/**
 * The objects around the signing-key machinery that OpenShift's documented rotation procedure works on
 * (DESIGN.md §1, issue 13): namespaces, nodes, MachineConfigPools and MachineConfigs of the Machine Config
 * Operator, and ClusterOperators. Shaped as the API serves them.
 */

/** Namespace ccoctl keeps its rotation guard ConfigMap in. */
export const CLOUD_CREDENTIAL_NAMESPACE = 'openshift-cloud-credential-operator';
/** Namespace of the simulated workload pods. */
export const WORKLOADS_NAMESPACE = 'workloads';
/** The two machine config pools every OpenShift cluster has. */
export const POOL_NAMES = ['master', 'worker'] as const;
/** A machine config pool's name. */
export type PoolName = (typeof POOL_NAMES)[number];

/** Node annotations the Machine Config Daemon and the node controller write (machine-config-operator). */
export const MCO_ANNOTATIONS = {
  currentConfig: 'machineconfiguration.openshift.io/currentConfig',
  desiredConfig: 'machineconfiguration.openshift.io/desiredConfig',
  state: 'machineconfiguration.openshift.io/state',
  reason: 'machineconfiguration.openshift.io/reason',
} as const;
/** The MachineConfig label a pool selects its configs by. */
export const MCO_ROLE_LABEL = 'machineconfiguration.openshift.io/role';
/** Prefix of the configs the render controller writes; clients may not write them. */
export const RENDERED_PREFIX = 'rendered-';
/** The file `oc adm reboot-machine-config-pool` counts its reboots in (oc pkg/cli/admin/rebootmachineconfigpool). */
export const OC_REBOOT_NUMBER_FILE = '/etc/kubernetes/machine-config-operator-oc-initiated-reboot-number';

/** Pod annotations where the simulator shows each workload pod's current projected token. */
export const TOKEN_KID_ANNOTATION = 'sim.keyturn.io/token-kid';
export const TOKEN_EXPIRES_ANNOTATION = 'sim.keyturn.io/token-expires';

/** A status condition (metav1.Condition / ClusterOperatorStatusCondition / NodeCondition shape). */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly lastTransitionTime: string;
  readonly reason?: string;
  readonly message?: string;
}

/** core/v1 Namespace. */
export interface Namespace {
  readonly apiVersion: 'v1';
  readonly kind: 'Namespace';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly finalizers: readonly string[] };
  readonly status: { readonly phase: 'Active' };
}

/** core/v1 Node, with the parts a reboot changes. */
export interface Node {
  readonly apiVersion: 'v1';
  readonly kind: 'Node';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly unschedulable?: boolean };
  readonly status: {
    readonly conditions: readonly Condition[];
    readonly nodeInfo: {
      readonly bootID: string;
      readonly machineID: string;
      readonly systemUUID: string;
      readonly kubeletVersion: string;
      readonly osImage: string;
      readonly operatingSystem: 'linux';
      readonly architecture: 'amd64';
    };
  };
}

/** One file of an Ignition config, as MachineConfigs carry them. */
export interface IgnitionFile {
  readonly path: string;
  readonly mode?: number;
  readonly contents: { readonly source: string };
}

/** machineconfiguration.openshift.io/v1 MachineConfig (cluster-scoped). */
export interface MachineConfig {
  readonly apiVersion: 'machineconfiguration.openshift.io/v1';
  readonly kind: 'MachineConfig';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly config: {
      readonly ignition: { readonly version: string };
      readonly storage?: { readonly files?: readonly IgnitionFile[] };
    };
  } & Readonly<Record<string, unknown>>;
}

/** machineconfiguration.openshift.io/v1 MachineConfigPool (cluster-scoped). */
export interface MachineConfigPool {
  readonly apiVersion: 'machineconfiguration.openshift.io/v1';
  readonly kind: 'MachineConfigPool';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly machineConfigSelector: { readonly matchLabels: Readonly<Record<string, string>> };
    readonly nodeSelector: { readonly matchLabels: Readonly<Record<string, string>> };
    readonly configuration: { readonly name: string };
    readonly paused: boolean;
    readonly maxUnavailable: number;
  };
  readonly status: {
    readonly observedGeneration: number;
    readonly configuration: {
      readonly name: string;
      readonly source: readonly { apiVersion: string; kind: string; name: string }[];
    };
    readonly machineCount: number;
    readonly updatedMachineCount: number;
    readonly readyMachineCount: number;
    readonly unavailableMachineCount: number;
    readonly degradedMachineCount: number;
    readonly conditions: readonly Condition[];
  };
}

/** Name of the one ClusterVersion (`oc get clusterversion version`). */
export const CLUSTER_VERSION_NAME = 'version';

/** config.openshift.io/v1 ClusterVersion (cluster-scoped): `spec.clusterID` is the cluster's identity. */
export interface ClusterVersion {
  readonly apiVersion: 'config.openshift.io/v1';
  readonly kind: 'ClusterVersion';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly clusterID: string; readonly channel: string };
  readonly status: {
    readonly desired: { readonly version: string };
    readonly conditions: readonly Condition[];
  };
}

/** config.openshift.io/v1 ClusterOperator (cluster-scoped). */
export interface ClusterOperator {
  readonly apiVersion: 'config.openshift.io/v1';
  readonly kind: 'ClusterOperator';
  readonly metadata: ObjectMeta;
  readonly spec: Record<string, never>;
  readonly status: {
    readonly conditions: readonly Condition[];
    readonly versions: readonly { name: string; version: string }[];
    readonly relatedObjects: readonly { group: string; resource: string; name: string }[];
  };
}

/**
 * Conditions as controllers write them: `lastTransitionTime` moves only when a condition's status
 * changes (library-go's SetStatusCondition), so stability periods can be measured from it.
 */
export function withTransitions(
  previous: readonly Condition[] | undefined,
  next: readonly Omit<Condition, 'lastTransitionTime'>[],
  at: string,
): Condition[] {
  return next.map((condition) => {
    const before = previous?.find((item) => item.type === condition.type);
    const lastTransitionTime =
      before !== undefined && before.status === condition.status ? before.lastTransitionTime : at;
    const defined = Object.entries(condition).filter(([, value]) => value !== undefined);
    return { ...(Object.fromEntries(defined) as typeof condition), lastTransitionTime };
  });
}
