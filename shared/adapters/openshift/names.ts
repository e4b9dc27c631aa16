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
