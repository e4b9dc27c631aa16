import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { KeyringMacKey } from '../../keyring/keyring-mac.ts';
import type { KeyturnHomeLayout } from './home.ts';
import { readOrCreateMasterKey } from './master-key.ts';

/** HKDF-SHA-256 `info` of the keyring MAC key: a key of its own, never the sealing key itself. */
const MAC_KEY_INFO = 'keyturn local keyring mac v1';

/**
 * The local keyring MAC key: HMAC-SHA-256 under a key derived from master.key with HKDF-SHA-256 (RFC 5869;
 * its own `info`, so it is independent of the AES key that seals the vault). master.key is read once,
 * on first use, as the vault reads it (created only in an empty home).
 */
export function createLocalKeyringMacKey(layout: KeyturnHomeLayout): KeyringMacKey {
  let derived: Promise<Buffer> | undefined;
  const macKey = (): Promise<Buffer> => {
    derived ??= readOrCreateMasterKey(layout).then(deriveKeyringMacKey, (error: unknown) => {
      derived = undefined;
      throw error;
    });
    return derived;
  };
  const hmac = async (data: Uint8Array): Promise<Buffer> =>
    createHmac('sha256', await macKey())
      .update(data)
      .digest();
  return {
    generate: hmac,
    async verify(data, mac) {
      const expected = await hmac(data);
      return mac.length === expected.length && timingSafeEqual(expected, mac);
    },
  };
}

/** The MAC key of a master key; the master key buffer is zeroed once it is derived from. */
function deriveKeyringMacKey(masterKey: Buffer): Buffer {
  try {
    return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), MAC_KEY_INFO, 32));
  } finally {
    masterKey.fill(0);
  }
}
