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
