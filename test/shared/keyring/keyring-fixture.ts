import { KEYRING_SCHEMA_VERSION, type KeyRecord, type Keyring } from '#shared/keyring/keyring.ts';
import { DEFAULT_POLICY } from '#shared/keyring/policy.ts';
import { encodePublicKeyPem, parsePublicKey } from '#shared/keys/index.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';

const OLD = parsePublicKey(readKeyFixture('rsa2048.public'));
const NEW = parsePublicKey(readKeyFixture('other2048.public'));

/** Two public keys from the fixtures, with their kids. */
export const KEYS = { old: OLD, new: NEW } as const;

/** A key record for a fixture key. */
export function keyRecord(which: 'old' | 'new', change: Partial<KeyRecord> = {}): KeyRecord {
  const key = KEYS[which];
  return {
    kid: key.kid,
    publicKeyPem: encodePublicKeyPem(key),
    bits: key.bits,
    state: 'active',
    vaultRef: `cluster-a/${which}`,
    origin: 'generated',
    rotationId: which === 'old' ? 'initial' : 'r1',
    generatedAt: '2026-01-01T00:00:00.000Z',
    ...change,
  };
}

/** A valid keyring holding the given keys. */
export function keyringWith(keys: KeyRecord[], change: Partial<Keyring> = {}): Keyring {
  return {
    schemaVersion: KEYRING_SCHEMA_VERSION,
    issuerId: 'cluster-a',
    issuerUrl: 'https://oidc.example.com/cluster-a',
    policy: { ...DEFAULT_POLICY, leadTimeSeconds: 600, graceSeconds: 3600 },
    keys,
    ...change,
  };
}
