import { KeyturnError } from '../errors.ts';

/** Why a token was refused; each has its own message. */
export type TokenRejectionCode =
  /** Not a compact JWS with a JSON header and claims. */
  | 'ERR_TOKEN_MALFORMED'
  /** `alg: none`: an unsigned token. */
  | 'ERR_TOKEN_ALG_NONE'
  /** An HMAC alg (HS256...): the public key used as a shared secret, the classic algorithm confusion. */
  | 'ERR_TOKEN_ALG_CONFUSION'
  /** Any other alg than RS256. */
  | 'ERR_TOKEN_ALG_UNSUPPORTED'
  /** No `kid` in the header: kube-apiserver always writes one. */
  | 'ERR_TOKEN_KID_MISSING'
  /** A `kid` the trusted keys do not contain. */
  | 'ERR_TOKEN_KID_UNKNOWN'
  /** The signature does not verify with the key named by `kid`. */
  | 'ERR_TOKEN_SIGNATURE'
  /** `iss` is not the expected issuer. */
  | 'ERR_TOKEN_ISSUER'
  /** `aud` does not include the expected audience. */
  | 'ERR_TOKEN_AUDIENCE'
  /** `exp` has passed (beyond the allowed skew). */
  | 'ERR_TOKEN_EXPIRED'
  /** `nbf` or `iat` lies in the future (beyond the allowed skew). */
  | 'ERR_TOKEN_NOT_YET_VALID'
  /** A required claim is missing or has the wrong type. */
  | 'ERR_TOKEN_CLAIMS';

/** A token failed verification. The message says why; it never repeats the token. */
export class TokenRejectedError extends KeyturnError<TokenRejectionCode> {}
