import { KeyturnError } from '../errors.ts';

/** Why a key was refused. */
export type InvalidKeyCode =
  /** Empty input, garbage, broken PEM or DER, or JSON that is not a JWK. */
  | 'ERR_KEY_FORMAT'
  /** Several PEM blocks (or JWKs) where exactly one key was expected. */
  | 'ERR_KEY_MULTIPLE'
  /** An X.509 certificate where a bare key was expected. */
  | 'ERR_KEY_CERTIFICATE'
  /** A public key where a private key was expected, or the other way round. */
  | 'ERR_KEY_KIND'
  /** Not an RSA key usable for RS256 (EC, Ed25519, DSA, RSA-PSS, ...). */
  | 'ERR_KEY_ALGORITHM'
  /** An RSA key of a size or public exponent keyturn does not accept. */
  | 'ERR_KEY_STRENGTH'
  /** An RSA private key whose numbers do not fit together (p·q ≠ n, or d wrong). */
  | 'ERR_KEY_DAMAGED'
  /** A private key that does not belong to the given public key. */
  | 'ERR_KEY_MISMATCH'
  /** An encrypted private key without a passphrase, or with the wrong one. */
  | 'ERR_KEY_PASSPHRASE';

/** A key (PEM, DER or JWK) was rejected. The message names the input and the reason, never the key. */
export class InvalidKeyError extends KeyturnError<InvalidKeyCode> {}
