import { describe, expect, it } from 'vitest';
import { assertKeyPairMatches, parsePrivateKey, parsePublicKey } from '#shared/keys/index.ts';
import { readKeyFixture, readKeyFixtureBytes } from '#test/fixtures/keys.ts';

const PASSPHRASE = 'correct horse';

describe('parsePrivateKey', () => {
  const publicKey = parsePublicKey(readKeyFixture('rsa2048.public'));

  it.each([
    { form: 'PKCS#1 PEM (ccoctl layout)', input: readKeyFixture('rsa2048.private'), passphrase: undefined },
    { form: 'PKCS#8 PEM', input: readKeyFixture('rsa2048.pkcs8.private'), passphrase: undefined },
    {
      form: 'encrypted PKCS#8 PEM with its passphrase',
      input: readKeyFixture('rsa2048.pkcs8-encrypted.private'),
      passphrase: PASSPHRASE,
    },
    {
      form: 'legacy OpenSSL-encrypted PEM with its passphrase',
      input: readKeyFixture('rsa2048.legacy-encrypted.private'),
      passphrase: PASSPHRASE,
    },
    { form: 'raw PKCS#1 DER', input: readKeyFixtureBytes('rsa2048.private.der'), passphrase: undefined },
    { form: 'a private JWK', input: readKeyFixture('rsa2048.private.jwk.json'), passphrase: undefined },
    {
      form: 'PKCS#1 PEM with CRLF line ends',
      input: readKeyFixture('rsa2048.private').replaceAll('\n', '\r\n'),
      passphrase: undefined,
    },
  ])('accepts $form and matches the public key', ({ input, passphrase }) => {
    // Act
    const privateKey = parsePrivateKey(input, 'rsa2048', { passphrase });

    // Assess
    expect(privateKey.key.type).toBe('private');
    expect(privateKey.key.asymmetricKeyType).toBe('rsa');
    expect(privateKey.publicKey.bits).toBe(2048);
    expect(() => assertKeyPairMatches(privateKey, publicKey)).not.toThrow();
  });

  it('ignores a passphrase when the key is not encrypted', () => {
    const privateKey = parsePrivateKey(readKeyFixture('rsa2048.private'), 'rsa2048', {
      passphrase: PASSPHRASE,
    });

    expect(privateKey.publicKey.kid).toBe(publicKey.kid);
  });
});

describe('assertKeyPairMatches', () => {
  it('accepts a private key with the public key it belongs to', () => {
    // Prepare
    const privateKey = parsePrivateKey(readKeyFixture('other2048.private'));
    const publicKey = parsePublicKey(readKeyFixture('other2048.public'));

    // Act + Assess
    expect(() => assertKeyPairMatches(privateKey, publicKey)).not.toThrow();
  });

  it('rejects a private key with ERR_KEY_MISMATCH when it belongs to another public key', () => {
    // Prepare
    const privateKey = parsePrivateKey(readKeyFixture('other2048.private'));
    const publicKey = parsePublicKey(readKeyFixture('rsa2048.public'));

    // Act + Assess
    expect(() => assertKeyPairMatches(privateKey, publicKey)).toThrow(
      expect.objectContaining({ name: 'InvalidKeyError', code: 'ERR_KEY_MISMATCH' }),
    );
  });
});

describe('parsePrivateKey on damaged keys', () => {
  const jwk = JSON.parse(readKeyFixture('rsa2048.private.jwk.json')) as Record<string, string>;
  const bump = (value: string) => {
    const bytes = Buffer.from(value, 'base64url');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x02;
    return bytes.toString('base64url');
  };

  it.each(['p', 'q', 'd'])(
    'rejects a key whose %s was altered (ERR_KEY_DAMAGED), as Kubernetes would',
    (member) => {
      // Prepare: a well-formed key whose numbers no longer fit together.
      const damaged = JSON.stringify({ ...jwk, [member]: bump(jwk[member] ?? '') });

      // Act / Assess
      expect(() => parsePrivateKey(damaged, 'damaged.jwk')).toThrow(
        expect.objectContaining({ code: 'ERR_KEY_DAMAGED' }),
      );
    },
  );
});
