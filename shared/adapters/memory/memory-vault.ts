import { KeyturnError } from '../../errors.ts';
import { encodePublicKeyPem } from '../../keys/encode.ts';
import { generateSigningKeyPair } from '../../keys/generate.ts';
import type { PrivateSigningKey, RsaBits } from '../../keys/signing-key.ts';
import type { KeyVault, VaultKey } from '../../ports.ts';

/** A vault call that cannot be served (unknown ref, occupied slot). */
export class MemoryVaultError extends KeyturnError<'ERR_VAULT_NOT_FOUND' | 'ERR_VAULT_SLOT_TAKEN'> {}

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

/** Creates an in-memory vault; slots are idempotent as in every real vault. */
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
      const ref = `${issuerId}/${slot}`;
      const existing = keys.get(ref);
      if (existing !== undefined) {
        return describe(ref, existing);
      }
      const key = await generate(bits as RsaBits);
      generated += 1;
      keys.set(ref, keys.get(ref) ?? key);
      return describe(ref, keys.get(ref) ?? key);
    },
    async seal({ issuerId, slot, privateKey }) {
      const ref = `${issuerId}/${slot}`;
      const existing = keys.get(ref);
      if (existing !== undefined && existing.publicKey.kid !== privateKey.publicKey.kid) {
        throw new MemoryVaultError('ERR_VAULT_SLOT_TAKEN', `vault slot ${ref} already holds another key`);
      }
      keys.set(ref, existing ?? privateKey);
      return describe(ref, privateKey);
    },
    async open(ref) {
      const key = keys.get(ref);
      if (key === undefined) {
        throw new MemoryVaultError('ERR_VAULT_NOT_FOUND', `no sealed key ${ref}`);
      }
      return key;
    },
    async destroy(ref) {
      keys.delete(ref);
    },
    refs: () => [...keys.keys()].sort(),
    generatedCount: () => generated,
  };
}
