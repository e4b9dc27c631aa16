import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { issuerIdOfKeyringName } from '#shared/identifiers.ts';
import {
  IssuerExistsError,
  IssuerNotFoundError,
  KeyringConflictError,
  KeyringFormatError,
} from '../../keyring/errors.ts';
import { type Keyring, parseKeyring, serializeKeyring } from '../../keyring/keyring.ts';
import type { KeyringStore, StoredKeyring } from '../../ports.ts';
import { homeAccessError } from './errors.ts';
import { acquireFileLock, type FileLockOptions } from './file-lock.ts';
import { createFileExclusively, errorCode, keyturnHomeLayout, replaceFileAtomically } from './home.ts';

/** Where the file keyring store keeps its files. */
export interface FileKeyringStoreOptions {
  /** The keyturn home (see resolveKeyturnHome). */
  readonly home: string;
  /** Waiting for the per-issuer lock. @default 100 tries, 20–40 ms apart; locks stale after 30 s */
  readonly lock?: FileLockOptions;
}

/**
 * A KeyringStore in files: `keyrings/<issuerId>.json` holds the serialised keyring and its revision is a
 * SHA-256 of the file's bytes. `create` links a complete file into place (two creators cannot both win);
 * `update` is a compare-and-swap under a `<issuerId>.json.lock` file, written by atomic rename, so of two
 * processes updating from one revision exactly one wins (ONE-SIGNER).
 */
export function createFileKeyringStore(options: FileKeyringStoreOptions): KeyringStore {
  const layout = keyturnHomeLayout(options.home);

  const read = async (issuerId: string): Promise<StoredKeyring | undefined> => {
    const path = layout.keyring(issuerId);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw homeAccessError(error, path);
    }
    const keyring = parseKeyring(bytes.toString('utf8'), path);
    if (keyring.issuerId !== issuerId) {
      throw new KeyringFormatError(
        'ERR_KEYRING_FORMAT',
        `${path}: holds the keyring of issuer ${keyring.issuerId}; a keyring file must be named after its issuer`,
      );
    }
    return { keyring, revision: revisionOf(bytes) };
  };

  return {
    read,

    async create(keyring) {
      const path = layout.keyring(keyring.issuerId);
      const text = encodeKeyring(keyring, path);
      if (!(await createFileExclusively(path, text))) {
        throw new IssuerExistsError(
          'ERR_ISSUER_EXISTS',
          `issuer ${keyring.issuerId} already has a keyring (${path}); keyturn never overwrites one`,
        );
      }
      return { keyring: parseKeyring(text, path), revision: revisionOf(Buffer.from(text)) };
    },

    async update(keyring, expectedRevision) {
      const path = layout.keyring(keyring.issuerId);
      const text = encodeKeyring(keyring, path);
      const lock = await acquireFileLock(`${path}.lock`, options.lock);
      if (!lock.acquired) {
        const holder = lock.holder === undefined ? '' : ` (pid ${lock.holder.pid} since ${lock.holder.time})`;
        throw new KeyringConflictError(
          'ERR_KEYRING_CONFLICT',
          `the keyring of ${keyring.issuerId} is being changed by another process${holder}; re-read it and retry`,
        );
      }
      try {
        const current = await read(keyring.issuerId);
        if (current === undefined) {
          throw new IssuerNotFoundError(
            'ERR_ISSUER_NOT_FOUND',
            `issuer ${keyring.issuerId} has no keyring to update; run keyturn init first`,
          );
        }
        if (current.revision !== expectedRevision) {
          throw new KeyringConflictError(
            'ERR_KEYRING_CONFLICT',
            `the keyring of ${keyring.issuerId} changed since it was read (revision ${expectedRevision}, now ${current.revision}); re-read it and retry`,
          );
        }
        await replaceFileAtomically(path, text);
        return { keyring: parseKeyring(text, path), revision: revisionOf(Buffer.from(text)) };
      } finally {
        await lock.release();
      }
    },

    async list() {
      let names: string[];
      try {
        names = await readdir(layout.keyringsDir);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return [];
        throw homeAccessError(error, layout.keyringsDir);
      }
      return names.flatMap((name) => issuerIdOfKeyringName(name) ?? []).sort();
    },
  };
}

/** The revision of a keyring file: the first 64 bits of the SHA-256 of its bytes, in hex. */
function revisionOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/**
 * Validates a keyring before it is written, so a bad one fails with KeyringFormatError like a bad file
 * does (serializeKeyring alone would throw zod's own error).
 */
function encodeKeyring(keyring: Keyring, path: string): string {
  return serializeKeyring(parseKeyring(JSON.stringify(keyring), `the keyring to write to ${path}`));
}
