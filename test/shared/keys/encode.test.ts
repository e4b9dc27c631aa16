import { describe, expect, it } from 'vitest';
import {
  encodePrivateKeyPem,
  encodePublicKeyPem,
  parsePrivateKey,
  parsePublicKey,
  toSigningJwk,
} from '#shared/keys/index.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';

describe('encodePublicKeyPem', () => {
  it('writes SPKI under PUBLIC KEY whatever the label of the input was', () => {
    // Prepare: OpenShift's operator writes SPKI bytes under an RSA PUBLIC KEY label.
    const publicKey = parsePublicKey(readKeyFixture('rsa2048.spki-rsa-label.public'));

    // Act
    const pem = encodePublicKeyPem(publicKey);

    // Assess
    expect(pem).toBe(readKeyFixture('rsa2048.public'));
  });
});

describe('encodePrivateKeyPem', () => {
  it('writes PKCS#1 under RSA PRIVATE KEY when the input was PKCS#8', () => {
    const privateKey = parsePrivateKey(readKeyFixture('rsa2048.pkcs8.private'));

    expect(encodePrivateKeyPem(privateKey)).toBe(readKeyFixture('rsa2048.private'));
  });
});

describe('toSigningJwk', () => {
  it('builds the keys.json entry with ccoctl member order and unpadded base64url n and e', () => {
    // Prepare
    const publicKey = parsePublicKey(readKeyFixture('rsa2048.public'));
    const { n, e } = JSON.parse(readKeyFixture('rsa2048.public.jwk.json')) as { n: string; e: string };

    // Act
    const jwk = toSigningJwk(publicKey);

    // Assess
    expect(Object.keys(jwk)).toEqual(['use', 'kty', 'kid', 'alg', 'n', 'e']);
    expect(jwk).toEqual({ use: 'sig', kty: 'RSA', kid: publicKey.kid, alg: 'RS256', n, e });
    expect(jwk.e).toBe('AQAB');
    expect(jwk.n).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('builds an entry that parses back to the same kid', () => {
    const publicKey = parsePublicKey(readKeyFixture('k8s-keyid-vector.public'));

    expect(parsePublicKey(JSON.stringify(toSigningJwk(publicKey))).kid).toBe(publicKey.kid);
  });
});
