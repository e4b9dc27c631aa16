import { readFile, rm } from 'node:fs/promises';
import { generateSigningKeyPair, parseRsaBits } from '../../keys/generate.ts';
import type { PrivateSigningKey } from '../../keys/signing-key.ts';
import { UnsafeNameError, VaultError } from '../../port-errors.ts';
import type { KeyVault, VaultKey } from '../../ports.ts';
import {
  assertSafeName,
  createFileExclusively,
  errorCode,
  type KeyturnHomeLayout,
  keyturnHomeLayout,
} from './home.ts';
import { readOrCreateMasterKey } from './master-key.ts';
import { openSealedKeyFile, type SealedKeyFile, sealPrivateKey } from './sealed-key-file.ts';

/** Where the local vault keeps its master key and sealed files. */
export interface LocalVaultOptions {
  /** The keyturn home (see resolveKeyturnHome). */
  readonly home: string;
}

/**
 * A KeyVault in files: one `vault/<issuerId>/<slot>.sealed` per key, sealed with AES-256-GCM under
 * `master.key` (32 random bytes, mode 0600, created on first use). The additional authenticated data binds
 * issuer, slot, kid, size and public key, so a file edited, truncated, copied to another slot or opened
 * under another master key fails with ERR_VAULT_TAMPERED. Refs are `<issuerId>/<slot>`. Nothing is logged.
 */
export function createLocalVault(options: LocalVaultOptions): KeyVault {
  const layout = keyturnHomeLayout(options.home);
  let masterKey: Promise<Buffer> | undefined;
  const loadMasterKey = (): Promise<Buffer> => {
    masterKey ??= readOrCreateMasterKey(layout).catch((error: unknown) => {
      masterKey = undefined;
      throw error;
    });
    return masterKey;
  };

  const sealInto = async (
    issuerId: string,
    slot: string,
    privateKey: PrivateSigningKey,
  ): Promise<VaultKey> => {
    const path = layout.sealedKey(issuerId, slot);
    const sealed = sealPrivateKey(await loadMasterKey(), { issuerId, slot }, privateKey);
    const created = await createFileExclusively(path, `${JSON.stringify(sealed, null, 2)}\n`, {
      mode: 0o600,
    });
    // Lost a race (or a retry after a crash): whatever is in the slot now is the key of record.
    return created
      ? vaultKeyOf(sealed, issuerId, slot)
      : (await openSlot(layout, loadMasterKey, issuerId, slot)).vaultKey;
  };

  return {
    async generate({ issuerId, slot, bits }) {
      const size = parseRsaBits(bits);
      const existing = await tryOpenSlot(layout, loadMasterKey, issuerId, slot);
      const key = existing ?? (await sealInto(issuerId, slot, await generateSigningKeyPair(size)));
      if (key.bits !== bits) {
        throw new VaultError(
          'ERR_VAULT_SLOT_TAKEN',
          `vault slot ${refOf(issuerId, slot)} already holds a ${key.bits}-bit key, not ${bits}-bit; use a new slot`,
        );
      }
      return key;
    },

    async seal({ issuerId, slot, privateKey }) {
      const existing = await tryOpenSlot(layout, loadMasterKey, issuerId, slot);
      const key = existing ?? (await sealInto(issuerId, slot, privateKey));
      if (key.kid !== privateKey.publicKey.kid) {
        throw new VaultError(
          'ERR_VAULT_SLOT_TAKEN',
          `vault slot ${refOf(issuerId, slot)} already holds key ${key.kid}, not ${privateKey.publicKey.kid}; use a new slot`,
        );
      }
      return key;
    },

    async open(ref) {
      const { issuerId, slot } = parseRef(ref);
      return (await openSlot(layout, loadMasterKey, issuerId, slot)).privateKey;
    },

    async destroy(ref) {
      const { issuerId, slot } = parseRef(ref);
      await rm(layout.sealedKey(issuerId, slot), { force: true });
    },
  };
}

async function tryOpenSlot(
  layout: KeyturnHomeLayout,
  loadMasterKey: () => Promise<Buffer>,
  issuerId: string,
  slot: string,
): Promise<VaultKey | undefined> {
  try {
    return (await openSlot(layout, loadMasterKey, issuerId, slot)).vaultKey;
  } catch (error) {
    if (error instanceof VaultError && error.code === 'ERR_VAULT_NOT_FOUND') {
      return undefined;
    }
    throw error;
  }
}

/** Reads, authenticates and decrypts one slot; the result's kid is re-derived from the private key. */
async function openSlot(
  layout: KeyturnHomeLayout,
  loadMasterKey: () => Promise<Buffer>,
  issuerId: string,
  slot: string,
): Promise<{ vaultKey: VaultKey; privateKey: PrivateSigningKey }> {
  const ref = refOf(issuerId, slot);
  let text: string;
  try {
    text = await readFile(layout.sealedKey(issuerId, slot), 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      throw new VaultError('ERR_VAULT_NOT_FOUND', `no sealed key in the local vault under ${ref}`);
    }
    throw error;
  }
  const { sealed, privateKey } = openSealedKeyFile(await loadMasterKey(), { issuerId, slot }, text);
  return { vaultKey: vaultKeyOf(sealed, issuerId, slot), privateKey };
}

function vaultKeyOf(sealed: SealedKeyFile, issuerId: string, slot: string): VaultKey {
  return {
    kid: sealed.kid,
    publicKeyPem: sealed.publicKeyPem,
    bits: sealed.bits,
    ref: refOf(issuerId, slot),
  };
}

function refOf(issuerId: string, slot: string): string {
  return `${issuerId}/${slot}`;
}

/** Splits a `<issuerId>/<slot>` ref; refs of other vaults (an ARN) and unsafe names are refused. */
function parseRef(ref: string): { issuerId: string; slot: string } {
  const parts = typeof ref === 'string' ? ref.split('/') : [];
  const [issuerId, slot] = parts;
  if (parts.length === 2 && issuerId !== undefined && slot !== undefined) {
    try {
      return { issuerId: assertSafeName(issuerId, 'issuer id'), slot: assertSafeName(slot, 'slot') };
    } catch (error) {
      if (!(error instanceof UnsafeNameError)) throw error;
    }
  }
  throw new VaultError(
    'ERR_VAULT_REF',
    `${JSON.stringify(ref)} is not a local vault ref (<issuerId>/<slot>); was the key sealed by another vault?`,
  );
}
