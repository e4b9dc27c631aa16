import { KeyturnError } from '../../errors.ts';

/** An issuer id, slot or vault ref that cannot safely name a file under the keyturn home. */
export class UnsafeNameError extends KeyturnError<'ERR_UNSAFE_NAME'> {}

/** Why a vault (local or AWS) refused. */
export type VaultErrorCode =
  /** A sealed file that fails authentication: edited, truncated, moved, or sealed under another master key. */
  | 'ERR_VAULT_TAMPERED'
  /** No sealed key under this ref. */
  | 'ERR_VAULT_NOT_FOUND'
  /** A ref that is not `<issuerId>/<slot>` (for example one of another vault). */
  | 'ERR_VAULT_REF'
  /** The slot already holds another key (or one of another size). */
  | 'ERR_VAULT_SLOT_TAKEN'
  /** The master key file has the wrong size or can be read by others. */
  | 'ERR_VAULT_MASTER_KEY';

/** A vault (local files or Secrets Manager) refused an operation. Messages name refs, never key material (SEALED). */
export class VaultError extends KeyturnError<VaultErrorCode> {}

/** An audit log line that is not JSON. */
export class AuditLogFormatError extends KeyturnError<'ERR_AUDIT_FORMAT'> {}
