import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { issuerIdOfKeyringName } from '#shared/identifiers.ts';
import {
  IssuerExistsError,
  IssuerNotFoundError,
  KeyringConflictError,
  KeyringFormatError,
} from '../../keyring/errors.ts';
import type { Keyring } from '../../keyring/keyring.ts';
import { parseKeyring } from '../../keyring/keyring.ts';
import {
  checkKeyringSeal,
  type KeyringMacKey,
  openSealedKeyring,
  type ResealableKeyringStore,
  sealKeyring,
} from '../../keyring/keyring-mac.ts';
import type { StoredKeyring } from '../../ports.ts';
import { assertFolderPrivate, homeAccessError } from './errors.ts';
import { acquireFileLock, type FileLockOptions, type HeldLock } from './file-lock.ts';
import { createFileExclusively, errorCode, keyturnHomeLayout, replaceFileAtomically } from './home.ts';
import { createLocalKeyringMacKey } from './keyring-mac-key.ts';

/** Where the file keyring store keeps its files. */
export interface FileKeyringStoreOptions {
  /** The keyturn home (see resolveKeyturnHome). */
  readonly home: string;
  /** Waiting for the per-issuer lock. @default 100 tries, 20–40 ms apart; locks stale after 30 s */
  readonly lock?: FileLockOptions;
  /** Authenticates each keyring revision. @default HMAC-SHA-256 under a key derived from master.key */
  readonly macKey?: KeyringMacKey;
}

/** The command that re-seals a local keyring once a person has checked it. */
const RESEAL = (issuerId: string) => `keyturn reseal --local --issuer ${issuerId}`;

/**
 * A KeyringStore in files: `keyrings/<issuerId>.json` holds the serialised keyring with its MAC
 * (keyring-mac.ts) and its revision is a SHA-256 of the file's bytes. `read` refuses a keyring whose MAC
 * fails (ERR_KEYRING_TAMPERED) or is missing (ERR_KEYRING_UNSEALED), and a home or keyrings folder others
 * may write (ERR_HOME_UNSAFE). `create` links a complete file into place (two creators cannot both win);
 * `update` is a compare-and-swap under a `<issuerId>.json.lock` file, written by atomic rename, so of two
 * processes updating from one revision exactly one wins (ONE-SIGNER). The write is fenced: right before
 * the rename it checks that its lock is still its own and the revision still the expected one, so a writer
 * paused past the lock's stale time fails with ERR_KEYRING_CONFLICT instead of overwriting the writer that
 * broke its lock.
 */
export function createFileKeyringStore(options: FileKeyringStoreOptions): ResealableKeyringStore {
  const layout = keyturnHomeLayout(options.home);
  const macKey = options.macKey ?? createLocalKeyringMacKey(layout);

  const assertFoldersPrivate = async () => {
    await assertFolderPrivate(layout.home);
    await assertFolderPrivate(layout.keyringsDir);
  };

  /** The file's bytes, or undefined when there is none. */
  const readBytes = async (path: string): Promise<Buffer | undefined> => {
    try {
      return await readFile(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw homeAccessError(error, path);
    }
  };

  /** The stored keyring, its shape and issuer checked but not its MAC. */
  const readUnverified = async (issuerId: string) => {
    await assertFoldersPrivate();
    const path = layout.keyring(issuerId);
    const bytes = await readBytes(path);
    if (bytes === undefined) return undefined;
    const text = bytes.toString('utf8');
    const keyring = parseKeyring(text, path);
    if (keyring.issuerId !== issuerId) {
      throw new KeyringFormatError(
        'ERR_KEYRING_FORMAT',
        `${path}: holds the keyring of issuer ${keyring.issuerId}; a keyring file must be named after its issuer`,
      );
    }
    return { text, keyring, revision: revisionOf(bytes) };
  };

  const read = async (issuerId: string): Promise<StoredKeyring | undefined> => {
    const found = await readUnverified(issuerId);
    if (found === undefined) return undefined;
    const keyring = await openSealedKeyring(found.text, macKey, {
      source: layout.keyring(issuerId),
      resealCommand: RESEAL(issuerId),
      docs: 'docs/local.md, "Tamper evidence"',
    });
    return { keyring, revision: found.revision };
  };

  /** Runs `write` under the issuer's lock; ERR_KEYRING_CONFLICT when another process holds it. */
  const underLock = async <T>(issuerId: string, write: (lock: HeldLock) => Promise<T>): Promise<T> => {
    const lock = await acquireFileLock(`${layout.keyring(issuerId)}.lock`, options.lock);
    if (!lock.acquired) {
      const holder = lock.holder === undefined ? '' : ` (pid ${lock.holder.pid} since ${lock.holder.time})`;
      throw new KeyringConflictError(
        'ERR_KEYRING_CONFLICT',
        `the keyring of ${issuerId} is being changed by another process${holder}; re-read it and retry`,
      );
    }
    try {
      return await write(lock);
    } finally {
      await lock.release();
    }
  };

  /**
   * Writes `text` over the keyring once the fence holds: the lock is still this writer's and the file is
   * still at `expectedRevision` (a writer paused past the stale time lost both to the one that went on).
   */
  const fencedReplace = async (
    keyring: Keyring,
    lock: HeldLock,
    expectedRevision: string,
    text: string,
  ): Promise<StoredKeyring> => {
    const path = layout.keyring(keyring.issuerId);
    const now = await readBytes(path);
    if (!(await lock.holds()) || now === undefined || revisionOf(now) !== expectedRevision) {
      throw new KeyringConflictError(
        'ERR_KEYRING_CONFLICT',
        `the keyring of ${keyring.issuerId} was changed by another process while this one waited (its lock was taken over as stale); nothing was written; re-read it and retry`,
      );
    }
    await replaceFileAtomically(path, text);
    return { keyring: parseKeyring(text, path), revision: revisionOf(Buffer.from(text)) };
  };

  return {
    read,

    async create(keyring) {
      await assertFoldersPrivate();
      const path = layout.keyring(keyring.issuerId);
      const text = await sealKeyring(keyring, macKey, path);
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
      // Validated before the lock is taken, so a bad keyring fails like a bad file does.
      parseKeyring(JSON.stringify(keyring), `the keyring to write to ${path}`);
      return underLock(keyring.issuerId, async (lock) => {
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
        return fencedReplace(keyring, lock, expectedRevision, await sealKeyring(keyring, macKey, path));
      });
    },

    async reseal(issuerId) {
      return underLock(issuerId, async (lock) => {
        const found = await readUnverified(issuerId);
        if (found === undefined) {
          throw new IssuerNotFoundError(
            'ERR_ISSUER_NOT_FOUND',
            `issuer ${issuerId} has no keyring in ${layout.keyringsDir}; run keyturn init first`,
          );
        }
        const before = await checkKeyringSeal(found.text, found.keyring, macKey);
        if (before === 'sealed') {
          return { stored: { keyring: found.keyring, revision: found.revision }, before };
        }
        const text = await sealKeyring(found.keyring, macKey, layout.keyring(issuerId));
        return { stored: await fencedReplace(found.keyring, lock, found.revision, text), before };
      });
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
