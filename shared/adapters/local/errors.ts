import { KeyturnError } from '../../errors.ts';

/**
 * An audit log line that is not JSON. The errors the local vault and keyring store throw (VaultError,
 * UnsafeNameError) are the ports', in shared/port-errors.ts.
 */
export class AuditLogFormatError extends KeyturnError<'ERR_AUDIT_FORMAT'> {}

/** The keyturn home, or a folder in it, cannot be used: not a directory, or not readable by this user. */
export class HomeUnusableError extends KeyturnError<'ERR_HOME_UNUSABLE'> {}

/**
 * A file-system error met in the keyturn home, as the person can act on it: ENOTDIR, EISDIR, EACCES and
 * EPERM become ERR_HOME_UNUSABLE naming `path`; any other error is returned as it is.
 */
export function homeAccessError(error: unknown, path: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const why: Record<string, string> = {
    ENOTDIR: 'a part of it is a file, not a directory',
    EISDIR: 'it is a directory, where keyturn keeps a file',
    EACCES: 'this user may not read or write it',
    EPERM: 'this user may not read or write it',
  };
  const reason = typeof code === 'string' ? why[code] : undefined;
  if (reason === undefined) return error;
  return new HomeUnusableError(
    'ERR_HOME_UNUSABLE',
    `cannot use ${path} in the keyturn home: ${reason} (${String(code)}); give --home a directory keyturn may write (or set KEYTURN_HOME to one)`,
    { cause: error },
  );
}
