import type {
  ClusterOperator,
  ClusterVersion,
  MachineConfig,
  MachineConfigPool,
  Namespace,
  Node,
} from './platform-objects.ts';

/**
 * The Kubernetes objects the simulated control plane holds, shaped as the API serves them (Secret data is
 * base64), and the names of DESIGN.md §1. The HTTP simulator serves these objects as they are.
 */

/** Namespace of the next-key secret the operator watches. */
export const OPERATOR_NAMESPACE = 'openshift-kube-apiserver-operator';
/** Namespace of the kube-apiservers, their bound key secret, trusted-keys configmap and pods. */
export const APISERVER_NAMESPACE = 'openshift-kube-apiserver';
/** Namespace the trusted-keys configmap is copied to for other components. */
export const CONFIG_MANAGED_NAMESPACE = 'openshift-config-managed';
/** Secret keyturn writes a new pair into. */
export const NEXT_SECRET_NAME = 'next-bound-service-account-signing-key';
/** Secret the kube-apiservers sign with. */
export const BOUND_SECRET_NAME = 'bound-service-account-signing-key';
/** ConfigMap of every public key the kube-apiservers accept. */
export const CERTS_CONFIGMAP_NAME = 'bound-sa-token-signing-certs';
/** Secret data key of the PKCS#1 private key. */
export const PRIVATE_KEY_DATA_KEY = 'service-account.key';
/** Secret data key of the public key. */
export const PUBLIC_KEY_DATA_KEY = 'service-account.pub';
/**
 * ConfigMap the kube-apiserver operator writes the merged KubeAPIServerConfig into (key `config.yaml`,
 * JSON): where `service-account-max-token-expiration` shows when it is set.
 */
export const APISERVER_CONFIG_NAME = 'config';
/** Name of the cluster-scoped operator object. */
export const KUBE_APISERVER_NAME = 'cluster';

/** Object metadata as the API serves it. */
export interface ObjectMeta {
  readonly name: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
  readonly uid: string;
  /** Changes on every write that changes the object (a global counter, as etcd's revision). */
  readonly resourceVersion: string;
  readonly creationTimestamp: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A core/v1 Secret; `data` values are base64. */
export interface Secret {
  readonly apiVersion: 'v1';
  readonly kind: 'Secret';
  readonly metadata: ObjectMeta;
  readonly type: string;
  readonly data: Readonly<Record<string, string>>;
}

/** A core/v1 ConfigMap. */
export interface ConfigMap {
  readonly apiVersion: 'v1';
  readonly kind: 'ConfigMap';
  readonly metadata: ObjectMeta;
  readonly data: Readonly<Record<string, string>>;
}

/**
 * One control-plane node in the operator status. `targetRevision` is present only while the node's
 * installer runs, as library-go's installer controller clears it (omitempty) once the node is current.
 */
export interface NodeStatus {
  readonly nodeName: string;
  readonly currentRevision: number;
  readonly targetRevision?: number;
}

/** `kubeapiservers.operator.openshift.io/cluster`. */
export interface KubeAPIServer {
  readonly apiVersion: 'operator.openshift.io/v1';
  readonly kind: 'KubeAPIServer';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly managementState: 'Managed' };
  readonly status: {
    readonly latestAvailableRevision: number;
    readonly nodeStatuses: readonly NodeStatus[];
  };
}

/**
 * A pod: a kube-apiserver static pod labelled with the revision it runs, or a workload pod with a
 * projected service-account token volume.
 */
export interface Pod {
  readonly apiVersion: 'v1';
  readonly kind: 'Pod';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly nodeName: string;
    readonly serviceAccountName?: string;
    readonly volumes?: readonly object[];
  };
  /** `Pending` while the pod's node reboots. */
  readonly status: { readonly phase: 'Running' | 'Pending'; readonly startTime?: string };
}

/** The kinds the model stores, by kind name. */
export interface ObjectKinds {
  Secret: Secret;
  ConfigMap: ConfigMap;
  KubeAPIServer: KubeAPIServer;
  Pod: Pod;
  Namespace: Namespace;
  Node: Node;
  MachineConfig: MachineConfig;
  MachineConfigPool: MachineConfigPool;
  ClusterOperator: ClusterOperator;
  ClusterVersion: ClusterVersion;
}

/** A kind the model stores. */
export type ObjectKind = keyof ObjectKinds;

/** Any stored object. */
export type KubeObject = ObjectKinds[ObjectKind];

/** An object as a writer hands it to the store: the store fills in uid, resourceVersion, creationTimestamp. */
export type Unstamped<T extends KubeObject> = Omit<T, 'metadata'> & {
  readonly metadata: Omit<ObjectMeta, 'uid' | 'resourceVersion' | 'creationTimestamp'>;
};

/** The `service-account-NNN.pub` name of the n-th trusted key (1-based). */
export function trustedKeyName(index: number): string {
  return `service-account-${String(index).padStart(3, '0')}.pub`;
}

/** Name of a kube-apiserver pod on a node. */
export function apiserverPodName(nodeName: string): string {
  return `kube-apiserver-${nodeName}`;
}

/** Name of the copy of a revisioned object for revision `revision` (`bound-sa-token-signing-certs-3`). */
export function revisionedName(name: string, revision: number): string {
  return `${name}-${revision}`;
}

/** A time as Kubernetes writes it: RFC 3339 in UTC, whole seconds (`2025-03-01T12:00:00Z`). */
export function toKubeTime(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}
