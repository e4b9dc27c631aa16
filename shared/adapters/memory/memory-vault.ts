import { encodePublicKeyPem } from '../../keys/encode.ts';
import { generateSigningKeyPair, parseRsaBits } from '../../keys/generate.ts';
import type { PrivateSigningKey, RsaBits } from '../../keys/signing-key.ts';
import { UnsafeNameError, VaultError } from '../../port-errors.ts';
import type { KeyVault, VaultKey } from '../../ports.ts';

/** Options of {@link createMemoryVault}. */
export interface MemoryVaultOptions {
  /** How keys are made; tests pass a pool of pre-generated keys for speed. @default generateSigningKeyPair */
  readonly generate?: (bits: RsaBits) => Promise<PrivateSigningKey>;
}

/** An in-memory KeyVault for tests and benchmarks, with a count of what it did. */
export interface MemoryVault extends KeyVault {
  /** Refs currently held. */
  readonly refs: () => string[];
  /** How many keys `generate` actually made (a retried generate must not make another). */
  readonly generatedCount: () => number;
}

/**
 * Creates an in-memory vault with the contract of the real ones: refs `<issuerId>/<slot>`, slots
 * idempotent, VaultError with the same codes (ERR_VAULT_NOT_FOUND, ERR_VAULT_REF, ERR_VAULT_SLOT_TAKEN).
 */
export function createMemoryVault(options: MemoryVaultOptions = {}): MemoryVault {
  const keys = new Map<string, PrivateSigningKey>();
  const generate = options.generate ?? ((bits: RsaBits) => generateSigningKeyPair(bits));
  let generated = 0;
  const describe = (ref: string, key: PrivateSigningKey): VaultKey => ({
    kid: key.publicKey.kid,
    publicKeyPem: encodePublicKeyPem(key.publicKey),
    bits: key.publicKey.bits,
    ref,
  });
  return {
    async generate({ issuerId, slot, bits }) {
      const size = parseRsaBits(bits);
      const ref = refOf(issuerId, slot);
      const existing = keys.get(ref);
      if (existing !== undefined) {
        if (existing.publicKey.bits !== size) {
          throw new VaultError(
            'ERR_VAULT_SLOT_TAKEN',
            `vault slot ${ref} already holds a ${existing.publicKey.bits}-bit key, not ${size}-bit`,
          );
        }
        return describe(ref, existing);
      }
      const key = await generate(size);
      generated += 1;
      // A concurrent generate of the same slot may have won while this one waited: its key is of record.
      keys.set(ref, keys.get(ref) ?? key);
      return describe(ref, keys.get(ref) ?? key);
    },
    async seal({ issuerId, slot, privateKey }) {
      const ref = refOf(issuerId, slot);
      const existing = keys.get(ref);
      if (existing !== undefined && existing.publicKey.kid !== privateKey.publicKey.kid) {
        throw new VaultError('ERR_VAULT_SLOT_TAKEN', `vault slot ${ref} already holds another key`);
      }
      keys.set(ref, existing ?? privateKey);
      return describe(ref, privateKey);
    },
    async open(ref) {
      const key = keys.get(assertRef(ref));
      if (key === undefined) {
        throw new VaultError('ERR_VAULT_NOT_FOUND', `no sealed key ${ref}`);
      }
      return key;
    },
    async destroy(ref) {
      keys.delete(assertRef(ref));
    },
    refs: () => [...keys.keys()].sort(),
    generatedCount: () => generated,
  };
}

/** A name that can be one segment of a ref: not empty, no `/`, not `.` or `..`. */
function isSegment(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && !value.includes('/') && value !== '.' && value !== '..';
}

function refOf(issuerId: string, slot: string): string {
  for (const [what, value] of [
    ['issuer id', issuerId],
    ['slot', slot],
  ] as const) {
    if (!isSegment(value)) {
      throw new UnsafeNameError(
        'ERR_UNSAFE_NAME',
        `${what} ${JSON.stringify(value)} cannot name a vault slot`,
      );
    }
  }
  return `${issuerId}/${slot}`;
}

function assertRef(ref: string): string {
  const parts = typeof ref === 'string' ? ref.split('/') : [];
  if (parts.length !== 2 || !parts.every(isSegment)) {
    throw new VaultError(
      'ERR_VAULT_REF',
      `${JSON.stringify(ref)} is not a memory vault ref (<issuerId>/<slot>)`,
    );
  }
  return ref;
}
