import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { VaultError } from '../../port-errors.ts';
import { createFileExclusively } from './home.ts';

/** AES-256 wants 32 bytes. */
export const MASTER_KEY_BYTES = 32;

/**
 * Reads the local vault's master key at `path`, creating it on first use (32 random bytes, mode 0600).
 * A file of another size, or one that group or others may read, is refused with ERR_VAULT_MASTER_KEY.
 */
export async function readOrCreateMasterKey(path: string): Promise<Buffer> {
  const fresh = randomBytes(MASTER_KEY_BYTES);
  try {
    // Of two processes racing on first use, one links its key into place; both then read that one.
    await createFileExclusively(path, fresh, { mode: 0o600 });
  } finally {
    fresh.fill(0);
  }
  const info = await stat(path);
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new VaultError(
      'ERR_VAULT_MASTER_KEY',
      `${path} can be read or written by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`,
    );
  }
  const key = await readFile(path);
  if (key.length !== MASTER_KEY_BYTES) {
    throw new VaultError(
      'ERR_VAULT_MASTER_KEY',
      `${path} holds ${key.length} bytes, not ${MASTER_KEY_BYTES}; restore the right master key (sealed keys cannot be opened without it)`,
    );
  }
  return key;
}
