import { KeyturnError } from '../../errors.ts';

/** Why the adapter refused its configuration. */
export type ClusterConfigCode =
  /** An unreadable or incomplete kubeconfig, a missing in-cluster service account, a bad option. */
  | 'ERR_CLUSTER_CONFIG'
  /** TLS verification would be off (insecure-skip-tls-verify, http://) and `allowInsecureTls` is not set. */
  | 'ERR_CLUSTER_INSECURE_TLS';

/**
 * The OpenShift adapter cannot be set up as asked. Messages never repeat the kubeconfig's credentials.
 * The errors its ClusterSigner methods throw (ClusterApiCallError, ClusterAnswerError) are the port's,
 * in shared/port-errors.ts.
 */
export class ClusterConfigError extends KeyturnError<ClusterConfigCode> {}
