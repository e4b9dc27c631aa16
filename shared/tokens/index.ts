/** Service-account tokens: issue (for simulated clusters) and verify (as a relying party does). */
export { TokenRejectedError, type TokenRejectionCode } from './errors.ts';
export { issueServiceAccountToken, type ServiceAccountTokenClaims } from './issue-token.ts';
export { type KeySource, loadKeySet } from './key-source.ts';
export { MAX_TOKEN_LENGTH, readTokenHeader } from './token-header.ts';
export {
  createTokenVerifier,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  type TokenVerifier,
  type VerifiedToken,
} from './verify-token.ts';
