import { KeyturnError } from '../../errors.ts';

/** Why a call to the cluster's API failed; each maps to one HTTP status class. */
export type ClusterApiCallCode =
  /** 401: the kubeconfig's credential was refused (expired or revoked token, unknown client certificate). */
  | 'ERR_CLUSTER_UNAUTHORIZED'
  /** 403: the identity lacks an RBAC permission (see docs/openshift-rbac.yaml). */
  | 'ERR_CLUSTER_FORBIDDEN'
  /** 404: the object (or namespace, or service account) does not exist. */
  | 'ERR_CLUSTER_NOT_FOUND'
  /** 409: a concurrent writer, or a create of an object that exists. Retry. */
  | 'ERR_CLUSTER_CONFLICT'
  /** 400 or 422: the cluster refused the request body as invalid. */
  | 'ERR_CLUSTER_INVALID'
  /** 5xx, 429, a timeout, or no connection at all. Retry. */
  | 'ERR_CLUSTER_UNAVAILABLE'
  /** The TLS handshake failed: the server's certificate is not trusted by the kubeconfig's CA. */
  | 'ERR_CLUSTER_TLS'
  /** Any other HTTP status. */
  | 'ERR_CLUSTER_REJECTED';

/** One API call, as error messages name it. */
export interface ApiCall {
  /** HTTP method: GET, PATCH, POST. */
  readonly method: string;
  /** `secrets openshift-kube-apiserver-operator/next-bound-service-account-signing-key`. */
  readonly resource: string;
}

/** What {@link ClusterApiCallError} knows besides its message. */
export interface ClusterApiCallDetails extends ApiCall {
  /** HTTP status, absent when no answer came (network, TLS). */
  readonly status?: number;
  /** Kubernetes Status `reason` (`NotFound`, `AlreadyExists`, `Conflict`...), when the answer had one. */
  readonly reason?: string;
}

/**
 * A call to the cluster's API failed. The message names the method, the resource, the HTTP status and
 * the Status message the API server gave (with anything resembling key material redacted); never the
 * request or the raw response, which for a push carry the private key (SEALED). No `cause` is kept for
 * the same reason: client-node's ApiException message embeds the response body.
 */
export class ClusterApiCallError extends KeyturnError<ClusterApiCallCode> {
  readonly method: string;
  readonly resource: string;
  readonly status?: number;
  readonly reason?: string;

  constructor(code: ClusterApiCallCode, message: string, details: ClusterApiCallDetails) {
    super(code, message);
    this.method = details.method;
    this.resource = details.resource;
    if (details.status !== undefined) {
      this.status = details.status;
    }
    if (details.reason !== undefined) {
      this.reason = details.reason;
    }
  }
}

/**
 * The cluster answered, but not with what an OpenShift API server sends: a missing or mistyped field, a
 * token that is not a JWT. Points at a cluster that is not OpenShift 4, or at something in between.
 */
export class ClusterAnswerError extends KeyturnError<'ERR_CLUSTER_INVALID_ANSWER'> {
  constructor(message: string) {
    super('ERR_CLUSTER_INVALID_ANSWER', message);
  }
}

/** Why the adapter refused its configuration. */
export type ClusterConfigCode =
  /** An unreadable or incomplete kubeconfig, a missing in-cluster service account, a bad option. */
  | 'ERR_CLUSTER_CONFIG'
  /** TLS verification would be off (insecure-skip-tls-verify, http://) and `allowInsecureTls` is not set. */
  | 'ERR_CLUSTER_INSECURE_TLS';

/** The adapter cannot be set up as asked. Messages never repeat the kubeconfig's credentials. */
export class ClusterConfigError extends KeyturnError<ClusterConfigCode> {}
