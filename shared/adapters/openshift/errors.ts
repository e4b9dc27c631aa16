import { KeyturnError } from '../../errors.ts';

/** Why the adapter refused its configuration. */
export type ClusterConfigCode =
  /** An unreadable or incomplete kubeconfig, a missing in-cluster service account, a bad option. */
  | 'ERR_CLUSTER_CONFIG'
  /** TLS verification would be off (insecure-skip-tls-verify, http://) and `allowInsecureTls` is not set. */
  | 'ERR_CLUSTER_INSECURE_TLS'
  /**
   * The kubeconfig would run a program or read a local file for its credentials (exec, auth-provider,
   * token-file, certificate and key paths) and `inlineCredentialsOnly` is set.
   */
  | 'ERR_CLUSTER_CREDENTIALS_UNSAFE';

/**
 * The OpenShift adapter cannot be set up as asked. Messages never repeat the kubeconfig's credentials.
 * The errors its ClusterSigner methods throw (ClusterApiCallError, ClusterAnswerError) are the port's,
 * in shared/port-errors.ts.
 */
export class ClusterConfigError extends KeyturnError<ClusterConfigCode> {
  /**
   * For ERR_CLUSTER_CREDENTIALS_UNSAFE: where the kubeconfig names a program or a file, as positions
   * (`users[0].user.exec`), never names or values. Empty for the other codes.
   */
  readonly references: readonly string[];

  constructor(code: ClusterConfigCode, message: string, references: readonly string[] = []) {
    super(code, message);
    this.references = references;
  }
}
