import { KeyturnError } from '../errors.ts';

/** A keyring state file that is not JSON, has another schema version, or holds unknown fields. */
export class KeyringFormatError extends KeyturnError<'ERR_KEYRING_FORMAT'> {}

/** Someone else changed the keyring since it was read (compare-and-swap lost); retry the step. */
export class KeyringConflictError extends KeyturnError<'ERR_KEYRING_CONFLICT'> {}

/**
 * `init` found an issuer already there (`ERR_ISSUER_EXISTS`), or another issuer publishing its documents
 * where the new one's would go (`ERR_ISSUER_URL_TAKEN`); keyturn never overwrites one.
 */
export class IssuerExistsError extends KeyturnError<'ERR_ISSUER_EXISTS' | 'ERR_ISSUER_URL_TAKEN'> {}

/** No keyring for this issuer: run `keyturn init` first. */
export class IssuerNotFoundError extends KeyturnError<'ERR_ISSUER_NOT_FOUND'> {}

/** The names of DESIGN.md §2's invariants. */
export type InvariantName =
  | 'PUBLISHED-BEFORE-SIGN'
  | 'NO-ORPHAN-TOKENS'
  | 'ONE-SIGNER'
  | 'SEALED'
  | 'RETRY-SAFE'
  | 'ALWAYS-VALID';

/** A step refused to act because acting would break an invariant. Fatal: not retried. */
export class InvariantViolationError extends KeyturnError<'ERR_INVARIANT'> {
  /** Which invariant the action would have broken. */
  readonly invariant: InvariantName;

  constructor(invariant: InvariantName, message: string) {
    super('ERR_INVARIANT', `${invariant}: ${message}`);
    this.invariant = invariant;
  }
}
