import { KeyturnError } from '../errors.ts';

/** An issuer URL keyturn cannot serve or trust. */
export class InvalidIssuerUrlError extends KeyturnError<'ERR_ISSUER_URL'> {}

/** Why a key set was refused. */
export type InvalidKeySetCode =
  /** Not JSON, not `{"keys": [...]}`, or an entry that is not a usable RSA signing key. */
  | 'ERR_KEYSET_INVALID'
  /** Two entries with the same kid. */
  | 'ERR_KEYSET_DUPLICATE_KID'
  /** An entry whose kid is not the kube-apiserver kid of its key. */
  | 'ERR_KEYSET_KID_MISMATCH'
  /** An entry carrying private key members. */
  | 'ERR_KEYSET_PRIVATE_MEMBERS';

/** A JWKS (keys.json) that breaks ALWAYS-VALID: it would not be safe to publish or to trust. */
export class InvalidKeySetError extends KeyturnError<InvalidKeySetCode> {}

/** A discovery document that is malformed or names another issuer. */
export class InvalidDiscoveryError extends KeyturnError<
  'ERR_DISCOVERY_INVALID' | 'ERR_DISCOVERY_ISSUER_MISMATCH'
> {}

/** The public issuer could not be read (network, status, redirect, size). */
export class IssuerFetchError extends KeyturnError<'ERR_ISSUER_FETCH'> {}

/**
 * The public keys.json answers 200 but with headers relying parties mishandle: a content type other than
 * application/json, or caching forbidden (`no-store`, `max-age=0`), DESIGN.md §1.
 */
export class IssuerHeadersError extends KeyturnError<'ERR_ISSUER_HEADERS'> {}
