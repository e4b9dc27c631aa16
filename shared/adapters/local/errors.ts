import { stat } from 'node:fs/promises';
import { KeyturnError } from '../../errors.ts';

/**
 * An audit log line that is not JSON. The errors the local vault and keyring store throw (VaultError,
 * UnsafeNameError) are the ports', in shared/port-errors.ts.
 */
export class AuditLogFormatError extends KeyturnError<'ERR_AUDIT_FORMAT'> {}

/**
 * The keyturn home, or a folder in it, cannot be used: not a directory, or not readable by this user
 * (ERR_HOME_UNUSABLE), or writable by group or others, who could then swap keyrings under keyturn
 * (ERR_HOME_UNSAFE).
 */
export class HomeUnusableError extends KeyturnError<'ERR_HOME_UNUSABLE' | 'ERR_HOME_UNSAFE'> {}

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

/**
 * Refuses a folder of the home that group or others may write (ERR_HOME_UNSAFE, with the chmod that fixes
 * it), as master.key is refused when others may read it. A folder that does not exist yet is fine: keyturn
 * creates its folders owner-only.
 */
export async function assertFolderPrivate(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ENOENT') return;
    throw homeAccessError(error, path);
  }
  if ((mode & 0o022) !== 0) {
    throw new HomeUnusableError(
      'ERR_HOME_UNSAFE',
      `${path} can be written by group or others (mode ${(mode & 0o777).toString(8)}): they could replace the keyrings keyturn trusts; run chmod go-w ${path} (keyturn creates it 700), then the command again`,
    );
  }
}
