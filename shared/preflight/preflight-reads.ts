/**
 * What `keyturn preflight` reads from a cluster besides the ClusterSigner's own reads: kept beside the
 * checks (as ports.ts is beside the rotation) so that the checks never import an adapter. The OpenShift
 * adapter implements it (shared/adapters/openshift/cluster-preflight.ts), tests pass fakes.
 */

/** One call keyturn makes, as RBAC sees it (one rule of docs/openshift-rbac.yaml, one verb and name each). */
export interface AccessRule {
  readonly verb: string;
  /** API group; `''` for the core group. */
  readonly group: string;
  readonly resource: string;
  /** `token` for `serviceaccounts/token`. */
  readonly subresource?: string;
  /** Absent for cluster-scoped resources. */
  readonly namespace?: string;
  /** Absent when the rule cannot name the object (creates, lists). */
  readonly name?: string;
}

/** The cluster's answer to a SelfSubjectAccessReview of one rule. */
export interface AccessReview {
  readonly rule: AccessRule;
  readonly allowed: boolean;
  /** The authorizer's reason, when it gave one. */
  readonly reason?: string;
}

/** The reads a preflight makes that no rotation needs. Each fails as the cluster adapter's calls do. */
export interface ClusterPreflightReads {
  /** Where the cluster is (the kubeconfig's server URL), for messages. */
  readonly server: string;
  /** GET /version: the cluster answers and accepts the credential; its Kubernetes version. */
  readServerVersion(): Promise<string>;
  /** One SelfSubjectAccessReview per call keyturn makes, in the order of docs/openshift-rbac.yaml. */
  reviewAccess(): Promise<readonly AccessReview[]>;
  /**
   * `spec.serviceAccountIssuer` of `authentication.config.openshift.io/cluster`; undefined when empty
   * (the cluster then uses its default, `https://kubernetes.default.svc`).
   */
  readServiceAccountIssuer(): Promise<string | undefined>;
}

/** `get secrets next-bound-service-account-signing-key in openshift-kube-apiserver-operator`. */
export function describeAccessRule(rule: AccessRule): string {
  const resource = [rule.resource, ...(rule.subresource === undefined ? [] : [rule.subresource])].join('/');
  const qualified = rule.group === '' ? resource : `${resource}.${rule.group}`;
  const name = rule.name === undefined ? '' : ` ${rule.name}`;
  const where = rule.namespace === undefined ? ' (cluster-wide)' : ` in ${rule.namespace}`;
  return `${rule.verb} ${qualified}${name}${where}`;
}
