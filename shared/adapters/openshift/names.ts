/**
 * The OpenShift objects the adapter reads and writes (DESIGN.md §1, cluster-kube-apiserver-operator).
 * Kept here rather than imported from the simulator: shared/ never depends on local/.
 */

/** Namespace of the next-key secret the operator watches. */
export const OPERATOR_NAMESPACE = 'openshift-kube-apiserver-operator';
/** Secret keyturn writes a new pair into. */
export const NEXT_SECRET_NAME = 'next-bound-service-account-signing-key';
/** Secret data key of the PKCS#1 private key. */
export const PRIVATE_KEY_DATA_KEY = 'service-account.key';
/** Secret data key of the SPKI public key. */
export const PUBLIC_KEY_DATA_KEY = 'service-account.pub';

/** Namespace of the kube-apiservers and their trusted-keys configmap. */
export const APISERVER_NAMESPACE = 'openshift-kube-apiserver';
/** ConfigMap of every public key the kube-apiservers accept, one `service-account-NNN.pub` entry each. */
export const CERTS_CONFIGMAP_NAME = 'bound-sa-token-signing-certs';

/** `kubeapiservers.operator.openshift.io/v1`, name `cluster`: the operator's rollout status. */
export const KUBE_APISERVER_RESOURCE = {
  group: 'operator.openshift.io',
  version: 'v1',
  plural: 'kubeapiservers',
  name: 'cluster',
} as const;

/** Audience of the probe tokens that tell which kid the cluster signs with. */
export const PROBE_AUDIENCE = 'keyturn-probe';
/** Namespace of the probe service account. */
export const DEFAULT_PROBE_NAMESPACE = 'keyturn';
/** Service account the probe tokens are requested for; it needs no permissions of its own. */
export const DEFAULT_PROBE_SERVICE_ACCOUNT = 'keyturn-probe';
/** Lifetime of probe tokens: the shortest kube-apiserver's TokenRequest issues (10 minutes). */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 600;

/** ConfigMap of the kube-apiserver operator's merged KubeAPIServerConfig (key `config.yaml`). */
export const APISERVER_CONFIG_NAME = 'config';
/** ClusterVersion `version`: `spec.clusterID` is the cluster identity ccoctl scopes its guard by. */
export const CLUSTER_VERSION_RESOURCE = {
  group: 'config.openshift.io',
  version: 'v1',
  plural: 'clusterversions',
  name: 'version',
} as const;
/** ClusterOperators, listed for `oc adm wait-for-stable-cluster`'s rule. */
export const CLUSTER_OPERATOR_RESOURCE = {
  group: 'config.openshift.io',
  version: 'v1',
  plural: 'clusteroperators',
} as const;
/** MachineConfigs and MachineConfigPools of the Machine Config Operator. */
export const MACHINE_CONFIG_GROUP = { group: 'machineconfiguration.openshift.io', version: 'v1' } as const;
/** Node annotation naming the rendered MachineConfig the node runs (Machine Config Daemon). */
export const CURRENT_CONFIG_ANNOTATION = 'machineconfiguration.openshift.io/currentConfig';
/** Node label `oc adm wait-for-node-reboot` takes for the master pool; every other node is a worker. */
export const MASTER_ROLE_LABEL = 'node-role.kubernetes.io/master';
/** The file `oc adm reboot-machine-config-pool` counts its reboots in. */
export const OC_REBOOT_NUMBER_FILE = '/etc/kubernetes/machine-config-operator-oc-initiated-reboot-number';

/** `95-oc-initiated-reboot-<pool>`: the MachineConfig `oc adm reboot-machine-config-pool` writes. */
export function rebootConfigName(pool: string): string {
  return `95-oc-initiated-reboot-${pool}`;
}
