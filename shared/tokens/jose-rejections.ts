import { errors } from 'jose';
import { TokenRejectedError } from './errors.ts';

/** What the verifier expected, to explain a failed claim check. */
interface RejectionContext {
  readonly kid: string;
  readonly now: Date;
  readonly tolerance: number;
  readonly expected: { readonly issuer?: string; readonly audience?: string };
}

/** Turns a jose verification error into a {@link TokenRejectedError} with a message of its own. */
export function rejectionFromJose(error: unknown, context: RejectionContext): unknown {
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new TokenRejectedError(
      'ERR_TOKEN_SIGNATURE',
      `the signature does not verify with key ${context.kid}: the token was altered or forged`,
    );
  }
  if (error instanceof errors.JWTExpired) {
    const exp = Number(error.payload.exp) * 1000;
    return new TokenRejectedError(
      'ERR_TOKEN_EXPIRED',
      `the token expired at ${new Date(exp).toISOString()} (now ${context.now.toISOString()}, skew allowed ${context.tolerance} s)`,
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return claimRejection(error, context);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new TokenRejectedError('ERR_TOKEN_MALFORMED', `the token is malformed: ${error.message}`);
  }
  return error;
}

function claimRejection(
  error: InstanceType<typeof errors.JWTClaimValidationFailed>,
  context: RejectionContext,
) {
  const { claim, reason, payload } = error;
  if (reason === 'missing') {
    return new TokenRejectedError('ERR_TOKEN_CLAIMS', `the token has no "${claim}" claim`);
  }
  if (claim === 'iss') {
    return new TokenRejectedError(
      'ERR_TOKEN_ISSUER',
      `the token was issued by ${JSON.stringify(payload.iss)}, not by ${context.expected.issuer}`,
    );
  }
  if (claim === 'aud') {
    return new TokenRejectedError(
      'ERR_TOKEN_AUDIENCE',
      `the token is for audience ${JSON.stringify(payload.aud)}, which does not include ${JSON.stringify(context.expected.audience)}`,
    );
  }
  if ((claim === 'nbf' || claim === 'iat') && reason === 'check_failed') {
    return new TokenRejectedError(
      'ERR_TOKEN_NOT_YET_VALID',
      `the token is not valid yet ("${claim}" lies in the future beyond ${context.tolerance} s of skew); check the clocks`,
    );
  }
  return new TokenRejectedError('ERR_TOKEN_CLAIMS', `the "${claim}" claim is invalid (${reason})`);
}
