import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isSafeName } from '#shared/identifiers.ts';
import { UnsafeNameError } from '../../port-errors.ts';

/** The keyturn home when KEYTURN_HOME is not set, relative to the working directory. */
export const DEFAULT_KEYTURN_HOME = '.keyturn';

/** Directories under the home that hold secrets or state: owner only. */
export const PRIVATE_DIR_MODE = 0o700;

/** Files that hold secrets or state: owner only. */
export const PRIVATE_FILE_MODE = 0o600;

/** The keyturn home: `KEYTURN_HOME` if set and not empty, else `./.keyturn`, as an absolute path. */
export function resolveKeyturnHome(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  const configured = env.KEYTURN_HOME?.trim();
  return resolve(cwd, configured === undefined || configured === '' ? DEFAULT_KEYTURN_HOME : configured);
}

/**
 * Where everything lives under a keyturn home, in one place:
 * `master.key`, `vault/<issuerId>/<slot>.sealed`, `keyrings/<issuerId>.json`, `audit/<issuerId>.jsonl`,
 * and `public/` (the directory the issuer server serves). Names are checked with {@link assertSafeName}.
 */
export interface KeyturnHomeLayout {
  readonly home: string;
  /** 32 random bytes that seal every key in the vault. */
  readonly masterKey: string;
  readonly vaultDir: string;
  vaultIssuerDir(issuerId: string): string;
  sealedKey(issuerId: string, slot: string): string;
  readonly keyringsDir: string;
  keyring(issuerId: string): string;
  readonly auditDir: string;
  auditLog(issuerId: string): string;
  /** Served over HTTP by the local issuer server; holds `<issuer-path>/keys.json` and the discovery document. */
  readonly publicDir: string;
}

/** The layout of the keyturn home at `home`. */
export function keyturnHomeLayout(home: string): KeyturnHomeLayout {
  const root = resolve(home);
  const vaultDir = join(root, 'vault');
  const keyringsDir = join(root, 'keyrings');
  const auditDir = join(root, 'audit');
  return {
    home: root,
    masterKey: join(root, 'master.key'),
    vaultDir,
    vaultIssuerDir: (issuerId) => join(vaultDir, assertSafeName(issuerId, 'issuer id')),
    sealedKey: (issuerId, slot) =>
      join(vaultDir, assertSafeName(issuerId, 'issuer id'), `${assertSafeName(slot, 'slot')}.sealed`),
    keyringsDir,
    keyring: (issuerId) => join(keyringsDir, `${assertSafeName(issuerId, 'issuer id')}.json`),
    auditDir,
    auditLog: (issuerId) => join(auditDir, `${assertSafeName(issuerId, 'issuer id')}.jsonl`),
    publicDir: join(root, 'public'),
  };
}

/**
 * Returns `value` if it can be one component of a file name: 1 to 128 lowercase letters, digits, `.`, `-`
 * and `_`, starting with a letter or digit (so no hidden files, no `-option`), without `..`. Anything else
 * could escape the home or collide with keyturn's own temporary files.
 */
export function assertSafeName(value: string, what: string): string {
  if (!isSafeName(value)) {
    throw new UnsafeNameError(
      'ERR_UNSAFE_NAME',
      `${what} ${JSON.stringify(value)} cannot name a file: use 1 to 128 lowercase letters, digits, '.', '-' ` +
        `or '_', starting with a letter or digit, without '..'`,
    );
  }
  return value;
}

/** Options of {@link replaceFileAtomically} and {@link createFileExclusively}. */
export interface AtomicWriteOptions {
  /** @default 0o600 */
  readonly mode?: number;
  /** Mode of directories created on the way. @default 0o700 */
  readonly dirMode?: number;
}

/**
 * Replaces `path` with `data` so that a reader sees the old or the new content, never a half file: writes a
 * temporary file in the same directory (`wx`, the wanted mode), fsyncs it, renames it over `path`.
 */
export async function replaceFileAtomically(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temp = await writeTempFile(path, data, options);
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Creates `path` with `data` only if it does not exist; returns false (and changes nothing) if it does.
 * The complete file appears at once (a temporary file hard-linked into place), so of two racing
 * creators exactly one wins and the loser never reads a half-written file.
 */
export async function createFileExclusively(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<boolean> {
  const temp = await writeTempFile(path, data, options);
  try {
    await link(temp, path);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') {
      return false;
    }
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dirname(path));
  return true;
}

/** The `code` of a node system error (`ENOENT`, `EEXIST`...), if any. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

async function writeTempFile(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions,
): Promise<string> {
  await mkdir(dirname(path), { recursive: true, mode: options.dirMode ?? PRIVATE_DIR_MODE });
  // A leading dot keeps temporary files out of listings, which only accept names starting with [a-z0-9].
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', options.mode ?? PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temp;
}

/** Makes a rename or link durable; best effort, as some platforms cannot open a directory. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows and some file systems refuse to fsync a directory; the rename itself is still atomic.
  }
}
