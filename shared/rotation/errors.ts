import { KeyturnError } from '../errors.ts';

/** Another rotation is in flight for this issuer (ONE-SIGNER): wait for it, or roll it back. */
export class RotationInProgressError extends KeyturnError<'ERR_ROTATION_IN_PROGRESS'> {}

/** The step names a rotation that is not (or no longer) in flight for this issuer. */
export class RotationNotInFlightError extends KeyturnError<'ERR_ROTATION_NOT_IN_FLIGHT'> {}

/** A rotation request that makes no sense (emergency without a compromised key, unknown kid...). */
export class RotationRequestError extends KeyturnError<'ERR_ROTATION_REQUEST'> {}

/** The step cannot act yet (a key not visible yet, a rollout not finished); retry later. */
export class StepNotReadyError extends KeyturnError<'ERR_STEP_NOT_READY'> {}

/** The cluster signs with a key the published JWKS does not carry. */
export class DriftDetectedError extends KeyturnError<'ERR_DRIFT'> {}

/** A token the cluster issued did not verify against the public JWKS. Fatal: roll back. */
export class VerificationFailedError extends KeyturnError<'ERR_VERIFICATION_FAILED'> {}

/** `--abort` could not end the rotation (the previous key could not be pushed back); it is recorded, re-run it. */
export class AbortFailedError extends KeyturnError<'ERR_ABORT_FAILED'> {}

/**
 * The cluster is not stable (`oc adm wait-for-stable-cluster` would not return): a rotation refuses to
 * start on it, and one that waited past its deadline for stability stops there with both keys published.
 */
export class ClusterUnstableError extends KeyturnError<'ERR_CLUSTER_UNSTABLE'> {}

/** Not every node rebooted within the deadline of the token refresh phase; both keys stay published. */
export class NodesNotRebootedError extends KeyturnError<'ERR_NODES_NOT_REBOOTED'> {}

/**
 * The issuer's grace is shorter than the longest token the cluster may issue (its
 * service-account-max-token-expiration): a retired key could leave keys.json while tokens it signed are
 * still valid (NO-ORPHAN-TOKENS).
 */
export class GraceBelowTokenLifetimeError extends KeyturnError<'ERR_GRACE_BELOW_TOKEN_LIFETIME'> {}
