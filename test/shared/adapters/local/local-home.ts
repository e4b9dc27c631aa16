import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Keyring } from '#shared/keyring/keyring.ts';
import { DEFAULT_POLICY } from '#shared/keyring/policy.ts';
import { encodePrivateKeyPem, type PrivateSigningKey, parsePublicKey } from '#shared/keys/index.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';

/**
 * A fresh keyturn home per test, removed afterwards. Call at the top of a `describe`; read `home.path`
 * inside tests.
 */
export function useTemporaryHome(): { readonly path: string } {
  const state = { path: '' };
  beforeEach(async () => {
    state.path = await mkdtemp(join(tmpdir(), 'keyturn-home-'));
  });
  afterEach(async () => {
    await rm(state.path, { recursive: true, force: true });
  });
  return state;
}

/** kid of the `rsa2048` fixture key. */
export const FIXTURE_KID = parsePublicKey(readKeyFixture('rsa2048.public')).kid;

/** A valid keyring with the `rsa2048` fixture key active. */
export function makeKeyring(issuerId = 'demo', change: Partial<Keyring> = {}): Keyring {
  return {
    schemaVersion: 1,
    issuerId,
    issuerUrl: `http://127.0.0.1:8080/${issuerId}`,
    policy: DEFAULT_POLICY,
    keys: [
      {
        kid: FIXTURE_KID,
        publicKeyPem: readKeyFixture('rsa2048.public'),
        bits: 2048,
        state: 'active',
        vaultRef: `${issuerId}/r1`,
        origin: 'adopted',
        rotationId: 'r1',
        generatedAt: '2025-01-01T00:00:00.000Z',
      },
    ],
    ...change,
  };
}

/**
 * What must never be found outside the vault's ciphertext (SEALED): the private JWK members, the PKCS#8
 * DER in base64, and every PKCS#1 and PKCS#8 PEM line except those that only encode public bytes (the
 * modulus is in keys.json too, and a PEM line can match it by chance).
 */
export function privateSecretsOf(key: PrivateSigningKey): string[] {
  const publicDer = key.publicKey.key.export({ type: 'spki', format: 'der' });
  const pemLines = [encodePrivateKeyPem(key), key.key.export({ type: 'pkcs8', format: 'pem' }).toString()]
    .flatMap((pem) => pem.split('\n'))
    .filter((line) => line.length === 64 && !publicDer.includes(Buffer.from(line, 'base64')));
  const jwk = key.key.export({ format: 'jwk' });
  const members = [jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].filter((value) => value !== undefined);
  const pkcs8 = key.key.export({ type: 'pkcs8', format: 'der' }).toString('base64');
  return [...pemLines, ...members, pkcs8];
}
