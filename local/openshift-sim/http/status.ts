import { KeyturnError } from '#shared/errors.ts';
import { ClusterApiError, InjectedApiFailureError, KUBERNETES_STATUS_BY_CODE } from '../errors.ts';

/** Why the HTTP layer refused a request before it reached the model. */
export type ApiRequestErrorCode =
  /** The body or a parameter could not be read: bad JSON, bad protobuf, a malformed JSON Patch (400). */
  | 'ERR_SIM_BAD_REQUEST'
  /** No bearer token, a wrong one, or an expired credential (401). */
  | 'ERR_SIM_UNAUTHORIZED'
  /** No such path or resource (404). */
  | 'ERR_SIM_NO_ROUTE'
  /** The resource exists but does not support the method, or the simulator does not (405). */
  | 'ERR_SIM_METHOD_NOT_ALLOWED'
  /** The body is larger than the simulator reads (413). */
  | 'ERR_SIM_TOO_LARGE'
  /** The body's content type is one the resource cannot take (415). */
  | 'ERR_SIM_UNSUPPORTED_MEDIA_TYPE'
  /** A JSON Patch operation could not be applied (a missing path, a failed `test`) (422). */
  | 'ERR_SIM_PATCH_FAILED';

/** The Kubernetes Status each request error code stands for. */
const STATUS_BY_REQUEST_CODE: Readonly<
  Record<ApiRequestErrorCode, { readonly status: number; readonly reason: string }>
> = {
  ERR_SIM_BAD_REQUEST: { status: 400, reason: 'BadRequest' },
  ERR_SIM_UNAUTHORIZED: { status: 401, reason: 'Unauthorized' },
  ERR_SIM_NO_ROUTE: { status: 404, reason: 'NotFound' },
  ERR_SIM_METHOD_NOT_ALLOWED: { status: 405, reason: 'MethodNotAllowed' },
  ERR_SIM_TOO_LARGE: { status: 413, reason: 'RequestEntityTooLarge' },
  ERR_SIM_UNSUPPORTED_MEDIA_TYPE: { status: 415, reason: 'UnsupportedMediaType' },
  ERR_SIM_PATCH_FAILED: { status: 422, reason: 'Invalid' },
};

/** The simulator's HTTP layer refused a request the way kube-apiserver's handlers would. */
export class ApiRequestError extends KeyturnError<ApiRequestErrorCode> {}

/** What a Status names the object it is about with (kubectl prints `secrets "x" not found`). */
export interface StatusDetails {
  readonly name?: string;
  readonly kind?: string;
  readonly uid?: string;
}

/** A `meta.k8s.io/v1` Status, the body of every error answer. */
export interface KubernetesStatus {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Success' | 'Failure';
  readonly message?: string;
  readonly reason?: string;
  readonly details?: StatusDetails;
  readonly code: number;
}

/** A failure Status. */
export function failureStatus(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): KubernetesStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details === undefined ? {} : { details }),
    code,
  };
}

/** The Status a successful DELETE answers with (the registry's default when it does not return the object). */
export function deletedStatus(details: StatusDetails): KubernetesStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}

/**
 * The Status for any error a request raised: the model's refusals through KUBERNETES_STATUS_BY_CODE,
 * injected failures with the status they pretend to be, the HTTP layer's own refusals, and anything else
 * as a 500 that names the error class only (an unexpected message could quote a request body).
 */
export function statusOfError(error: unknown): KubernetesStatus {
  if (error instanceof InjectedApiFailureError) {
    return failureStatus(error.status, error.reason, error.message);
  }
  if (error instanceof ClusterApiError) {
    const { status, reason } = KUBERNETES_STATUS_BY_CODE[error.code];
    return failureStatus(status, reason, error.message);
  }
  if (error instanceof ApiRequestError) {
    const { status, reason } = STATUS_BY_REQUEST_CODE[error.code];
    return failureStatus(status, reason, error.message);
  }
  const name = error instanceof Error ? error.name : typeof error;
  return failureStatus(
    500,
    'InternalError',
    `Internal error occurred: the OpenShift simulator failed (${name})`,
  );
}
