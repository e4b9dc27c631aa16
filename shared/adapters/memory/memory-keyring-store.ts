import { IssuerExistsError, IssuerNotFoundError, KeyringConflictError } from '../../keyring/errors.ts';
import { type Keyring, parseKeyring, serializeKeyring } from '../../keyring/keyring.ts';
import type { KeyringStore, StoredKeyring } from '../../ports.ts';

/**
 * An in-memory KeyringStore with the same compare-and-swap contract as the file and S3 stores. It keeps
 * serialised text and parses it on every read, so the schema is exercised as with real storage; a keyring
 * that breaks the schema is refused before it is stored (KeyringFormatError), as the other stores do.
 */
export function createMemoryKeyringStore(): KeyringStore & { readonly writes: () => number } {
  const files = new Map<string, { text: string; revision: number }>();
  let writes = 0;
  const stored = (text: string, revision: number): StoredKeyring => ({
    keyring: parseKeyring(text, 'memory keyring'),
    revision: String(revision),
  });
  return {
    async read(issuerId) {
      const file = files.get(issuerId);
      return file === undefined ? undefined : stored(file.text, file.revision);
    },
    async create(keyring: Keyring) {
      if (files.has(keyring.issuerId)) {
        throw new IssuerExistsError('ERR_ISSUER_EXISTS', `issuer ${keyring.issuerId} already exists`);
      }
      const file = { text: encodeKeyring(keyring), revision: 1 };
      files.set(keyring.issuerId, file);
      writes += 1;
      return stored(file.text, file.revision);
    },
    async update(keyring: Keyring, expectedRevision: string) {
      const text = encodeKeyring(keyring);
      const current = files.get(keyring.issuerId);
      if (current === undefined) {
        throw new IssuerNotFoundError(
          'ERR_ISSUER_NOT_FOUND',
          `issuer ${keyring.issuerId} has no keyring to update; run keyturn init first`,
        );
      }
      if (String(current.revision) !== expectedRevision) {
        throw new KeyringConflictError(
          'ERR_KEYRING_CONFLICT',
          `keyring ${keyring.issuerId} changed since revision ${expectedRevision}; read it again and retry`,
        );
      }
      const file = { text, revision: current.revision + 1 };
      files.set(keyring.issuerId, file);
      writes += 1;
      return stored(file.text, file.revision);
    },
    async list() {
      return [...files.keys()].sort();
    },
    writes: () => writes,
  };
}

/** Validates a keyring before it is stored, so a bad one fails with KeyringFormatError, not zod's error. */
function encodeKeyring(keyring: Keyring): string {
  return serializeKeyring(parseKeyring(JSON.stringify(keyring), `the keyring of ${keyring.issuerId}`));
}
