import { IssuerExistsError, KeyringConflictError } from '../../keyring/errors.ts';
import { type Keyring, parseKeyring, serializeKeyring } from '../../keyring/keyring.ts';
import type { KeyringStore, StoredKeyring } from '../../ports.ts';

/**
 * An in-memory KeyringStore with the same compare-and-swap contract as the file and S3 stores. It keeps
 * serialised text and parses it on every read, so the schema is exercised as with real storage.
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
      const file = { text: serializeKeyring(keyring), revision: 1 };
      files.set(keyring.issuerId, file);
      writes += 1;
      return stored(file.text, file.revision);
    },
    async update(keyring: Keyring, expectedRevision: string) {
      const current = files.get(keyring.issuerId);
      if (current === undefined || String(current.revision) !== expectedRevision) {
        throw new KeyringConflictError(
          'ERR_KEYRING_CONFLICT',
          `keyring ${keyring.issuerId} changed since revision ${expectedRevision}; read it again and retry`,
        );
      }
      const file = { text: serializeKeyring(keyring), revision: current.revision + 1 };
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
