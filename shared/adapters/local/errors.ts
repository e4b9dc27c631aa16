import { KeyturnError } from '../../errors.ts';

/**
 * An audit log line that is not JSON. The errors the local vault and keyring store throw (VaultError,
 * UnsafeNameError) are the ports', in shared/port-errors.ts.
 */
export class AuditLogFormatError extends KeyturnError<'ERR_AUDIT_FORMAT'> {}
