import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { VaultError } from '../../port-errors.ts';
import { createFileExclusively, errorCode, type KeyturnHomeLayout } from './home.ts';

/** AES-256 wants 32 bytes. */
export const MASTER_KEY_BYTES = 32;

/**
 * Reads the local vault's master key (`layout.masterKey`), creating it on first use (32 random bytes,
 * mode 0600). A file of another size, or one that group or others may read, is refused with
 * ERR_VAULT_MASTER_KEY. It is created only in a home that holds no sealed key and no keyring yet: once
 * those exist a missing master.key means they can no longer be opened or trusted, and a fresh one would
 * hide that (ERR_VAULT_MASTER_KEY_MISSING, RECOVERABLE: restore it from a backup).
 */
export async function readOrCreateMasterKey(layout: KeyturnHomeLayout): Promise<Buffer> {
  const path = layout.masterKey;
  if (!(await exists(path))) {
    await refuseIfHomeInUse(layout);
    const fresh = randomBytes(MASTER_KEY_BYTES);
    try {
      // Of two processes racing on first use, one links its key into place; both then read that one.
      await createFileExclusively(path, fresh, { mode: 0o600 });
    } finally {
      fresh.fill(0);
    }
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

/** Refuses to make a master key where sealed keys or keyrings made under the lost one remain. */
async function refuseIfHomeInUse(layout: KeyturnHomeLayout): Promise<void> {
  const sealed = (await namesIn(layout.vaultDir, { nested: true })).filter((name) =>
    name.endsWith('.sealed'),
  );
  const keyrings = (await namesIn(layout.keyringsDir)).filter((name) => /^[a-z0-9].*\.json$/.test(name));
  if (sealed.length === 0 && keyrings.length === 0) return;
  const held = [
    ...(sealed.length > 0 ? [`${sealed.length} sealed key(s) in ${layout.vaultDir}`] : []),
    ...(keyrings.length > 0 ? [`${keyrings.length} keyring(s) in ${layout.keyringsDir}`] : []),
  ].join(' and ');
  throw new VaultError(
    'ERR_VAULT_MASTER_KEY_MISSING',
    `the master key ${layout.masterKey} is missing, but the home holds ${held} made under it: without it the ` +
      'sealed keys cannot be opened and the keyrings cannot be authenticated, so nothing can rotate. ' +
      'keyturn does not make a new one over them: restore master.key from your backup (mode 600) and run ' +
      'the command again; without a backup, see "Tamper evidence" in docs/local.md',
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/** Names in `dir` (with `nested`, also one level down), or none when it does not exist. */
async function namesIn(dir: string, options: { readonly nested?: boolean } = {}): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true, recursive: options.nested === true });
    return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return [];
    throw error;
  }
}
