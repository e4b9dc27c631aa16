import { KeyturnError } from '#shared/errors.ts';

/** Why the simulated API refused a request; each maps to one Kubernetes Status reason. */
export type ClusterApiErrorCode =
  /** The object does not exist (404 NotFound). */
  | 'ERR_SIM_NOT_FOUND'
  /** A create named an object that exists (409 AlreadyExists). */
  | 'ERR_SIM_ALREADY_EXISTS'
  /** A write named a resourceVersion that is no longer current (409 Conflict). */
  | 'ERR_SIM_CONFLICT'
  /** The body failed validation: bad base64, a PEM that is no key, a pair that does not match (422 Invalid). */
  | 'ERR_SIM_INVALID'
  /** The simulator does not let clients write this object; the operator owns it (403 Forbidden). */
  | 'ERR_SIM_FORBIDDEN';

/** The Kubernetes Status an error code stands for: the one place the HTTP layer maps codes from. */
export const KUBERNETES_STATUS_BY_CODE: Readonly<
  Record<ClusterApiErrorCode, { readonly status: number; readonly reason: string }>
> = {
  ERR_SIM_NOT_FOUND: { status: 404, reason: 'NotFound' },
  ERR_SIM_ALREADY_EXISTS: { status: 409, reason: 'AlreadyExists' },
  ERR_SIM_CONFLICT: { status: 409, reason: 'Conflict' },
  ERR_SIM_INVALID: { status: 422, reason: 'Invalid' },
  ERR_SIM_FORBIDDEN: { status: 403, reason: 'Forbidden' },
};

/**
 * The simulated API refused a request the way kube-apiserver (or a validating webhook, for key PEMs)
 * would. Messages never carry key material.
 */
export class ClusterApiError extends KeyturnError<ClusterApiErrorCode> {}

/** Status reasons an injected failure can pretend to be. */
export type InjectedFailureReason = 'InternalError' | 'ServiceUnavailable' | 'Conflict' | 'TooManyRequests';

/** HTTP status of each injectable failure reason. */
export const INJECTED_FAILURE_STATUS: Readonly<Record<InjectedFailureReason, number>> = {
  InternalError: 500,
  ServiceUnavailable: 503,
  Conflict: 409,
  TooManyRequests: 429,
};

/** A request failed because a test asked the simulator to fail it (`faults.failNextCalls`). */
export class InjectedApiFailureError extends KeyturnError<'ERR_SIM_INJECTED_FAILURE'> {
  /** The Kubernetes Status reason the failure pretends to be. */
  readonly reason: InjectedFailureReason;
  /** Its HTTP status. */
  readonly status: number;

  constructor(reason: InjectedFailureReason, call: string) {
    super('ERR_SIM_INJECTED_FAILURE', `injected API failure (${reason}) for ${call}; retry the request`);
    this.reason = reason;
    this.status = INJECTED_FAILURE_STATUS[reason];
  }
}
