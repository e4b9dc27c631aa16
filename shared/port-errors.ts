/**
 * The errors the ports of ports.ts may throw, defined beside the ports and not in one adapter: every
 * adapter of a port throws these, and the domain, the workflow (Retry/Catch match `name`) and the CLI
 * (exit codes match `code`) rely on them. Errors about the documents a port carries live with their domain
 * module (keyring/errors.ts, issuer/errors.ts); ports.ts re-exports all of them.
 */
import { KeyturnError } from './errors.ts';

/**
 * An issuer id, slot or ref segment that cannot safely name a file, a secret or an object (KeyVault,
 * KeyringStore): a path separator, `..`, characters the backend refuses.
 */
export class UnsafeNameError extends KeyturnError<'ERR_UNSAFE_NAME'> {}

/** Why a KeyVault refused. */
export type VaultErrorCode =
  /** A sealed key that fails authentication: edited, truncated, moved, or sealed under another master key. */
  | 'ERR_VAULT_TAMPERED'
  /** No sealed key under this ref. */
  | 'ERR_VAULT_NOT_FOUND'
  /** A ref that is not one of this vault (for example one of another vault). */
  | 'ERR_VAULT_REF'
  /** The slot already holds another key (or one of another size). */
  | 'ERR_VAULT_SLOT_TAKEN'
  /** The local master key file has the wrong size or can be read by others. */
  | 'ERR_VAULT_MASTER_KEY'
  /** master.key is gone although the home holds sealed keys or keyrings made under it. */
  | 'ERR_VAULT_MASTER_KEY_MISSING';

/** A KeyVault refused an operation. Messages name refs and kids, never key material (SEALED). */
export class VaultError extends KeyturnError<VaultErrorCode> {}

/**
 * An issuer document changed (or appeared, or vanished) between the publisher reading it and writing it:
 * someone edited it by hand, or another publish ran at the same moment. Nothing was overwritten.
 * Retryable: a re-run reads the new document and writes on top of it.
 */
export class PublishConflictError extends KeyturnError<'ERR_PUBLISH_CONFLICT'> {}

/**
 * A cache invalidation (CloudFront) did not complete within the polls allowed. It keeps running;
 * retryable: a re-run invalidates again and waits again.
 */
export class InvalidationTimeoutError extends KeyturnError<'ERR_INVALIDATION_TIMEOUT'> {}

/** Why a call to the cluster's API failed; each maps to one HTTP status class. */
export type ClusterApiCallCode =
  /** 401: the credential was refused (expired or revoked token, unknown client certificate). */
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
  /** The TLS handshake failed: the server's certificate is not trusted by the configured CA. */
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
 * A ClusterSigner's call to the cluster's API failed; the workflow retries it by name. The message names
 * the method, the resource, the HTTP status and the Status message the API server gave (with anything
 * resembling key material redacted); never the request or the raw response, which for a push carry the
 * private key (SEALED). No `cause` is kept for the same reason: a client's exception message may embed
 * the response body.
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

/** ccoctl's signer rotation guard, `namespace/name`, as messages about it name it. */
export const ROTATION_GUARD_CONFIGMAP = 'openshift-cloud-credential-operator/cco-signer-key-rotation-guard';

/**
 * The cluster's signer rotation guard (ccoctl's ConfigMap {@link ROTATION_GUARD_CONFIGMAP}) is held by
 * another operation (ERR_ROTATION_GUARD_HELD, naming its id), or says something ccoctl would refuse
 * too (ERR_ROTATION_GUARD_INVALID): a person must look.
 */
export class RotationGuardError extends KeyturnError<
  'ERR_ROTATION_GUARD_INVALID' | 'ERR_ROTATION_GUARD_HELD'
> {}
