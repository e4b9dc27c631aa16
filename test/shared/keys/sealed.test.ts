import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  assertKeyPairMatches,
  encodePrivateKeyPem,
  generateSigningKeyPair,
  InvalidKeyError,
  type PrivateSigningKey,
  parsePrivateKey,
  parsePublicKey,
} from '#shared/keys/index.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';

/** The base64 lines of a PEM body (RFC 1421 headers and short tail lines left out), and the whole body. */
function secretsOfPem(pem: string): string[] {
  const lines = pem
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('-----') && !line.includes(':') && line.trim() !== '');
  // A short last line ("Q==") could match ordinary text by chance; the long lines cannot.
  return [lines.join(''), ...lines.filter((line) => line.length >= 16)];
}

/** The private members of an RSA JWK. */
function secretsOfJwk(jwkText: string): string[] {
  const jwk = JSON.parse(jwkText) as Record<string, string>;
  return ['d', 'p', 'q', 'dp', 'dq', 'qi'].map((member) => jwk[member] ?? '').filter((value) => value !== '');
}

/** Everything a log line, payload or error report could show of a value. */
function renderings(value: unknown): string[] {
  return [
    JSON.stringify(value) ?? '',
    String(value),
    inspect(value, { showHidden: true, depth: Number.POSITIVE_INFINITY, getters: true }),
  ];
}

function expectNoSecrets(value: unknown, secrets: readonly string[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const rendering of renderings(value)) {
    for (const secret of secrets) {
      expect(rendering).not.toContain(secret);
    }
  }
}

function catchError(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('PrivateSigningKey (SEALED)', () => {
  it('shows no key material when a parsed key is serialised or inspected', () => {
    // Prepare
    const pem = readKeyFixture('rsa2048.private');
    const secrets = [...secretsOfPem(pem), ...secretsOfJwk(readKeyFixture('rsa2048.private.jwk.json'))];

    // Act
    const privateKey = parsePrivateKey(pem);

    // Assess
    expectNoSecrets(privateKey, secrets);
    expectNoSecrets({ payload: { privateKey } }, secrets);
  });

  it('shows no key material when a generated key is serialised or inspected', async () => {
    // Prepare
    const generated: PrivateSigningKey = await generateSigningKeyPair(2048);
    const jwkText = JSON.stringify(generated.key.export({ format: 'jwk' }));
    const secrets = [...secretsOfPem(encodePrivateKeyPem(generated)), ...secretsOfJwk(jwkText)];

    // Act + Assess
    expectNoSecrets(generated, secrets);
  });
});

describe('parsePrivateKey errors (SEALED)', () => {
  const pkcs1 = readKeyFixture('rsa2048.private');
  const pkcs8Encrypted = readKeyFixture('rsa2048.pkcs8-encrypted.private');
  const legacyEncrypted = readKeyFixture('rsa2048.legacy-encrypted.private');
  const privateJwk = readKeyFixture('rsa2048.private.jwk.json');

  it.each([
    { when: 'the passphrase is wrong for encrypted PKCS#8', pem: pkcs8Encrypted, passphrase: 'wrong horse' },
    { when: 'the passphrase is missing for encrypted PKCS#8', pem: pkcs8Encrypted, passphrase: undefined },
    { when: 'the passphrase is wrong for a legacy encrypted key', pem: legacyEncrypted, passphrase: 'wrong' },
    { when: 'the key is RSA 1024', pem: readKeyFixture('rsa1024.private'), passphrase: undefined },
    { when: 'the exponent is 3', pem: readKeyFixture('rsa2048-e3.private'), passphrase: undefined },
    { when: 'the key is EC', pem: readKeyFixture('ec-p256.private'), passphrase: undefined },
    { when: 'the key is DSA', pem: readKeyFixture('dsa.private'), passphrase: undefined },
    { when: 'the key is Ed25519', pem: readKeyFixture('ed25519.private'), passphrase: undefined },
    { when: 'the key is RSA-PSS', pem: readKeyFixture('rsa-pss.private'), passphrase: undefined },
    {
      when: 'the file holds two private keys',
      pem: `${pkcs1}${readKeyFixture('other2048.private')}`,
      passphrase: undefined,
    },
    {
      when: 'the END line is missing',
      pem: pkcs1.replace(/-----END RSA PRIVATE KEY-----\n$/, ''),
      passphrase: undefined,
    },
    {
      when: 'the END label differs',
      pem: pkcs1.replace('END RSA PRIVATE KEY', 'END PRIVATE KEY'),
      passphrase: undefined,
    },
    { when: 'the body is not base64', pem: pkcs1.replace(/\n(.{30})./, '\n$1*'), passphrase: undefined },
    {
      when: 'the DER is cut short',
      pem: pkcs1.replace(/\n.{64}\n/, '\n'),
      passphrase: undefined,
    },
  ])('rejects without echoing any line of the key when $when', ({ pem, passphrase }) => {
    // Act
    const error = catchError(() => parsePrivateKey(pem, 'serviceaccount-signer.private', { passphrase }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyError);
    expectNoSecrets(error, secretsOfPem(pem));
  });

  it('rejects without echoing the private members when a private JWK is not RSA', () => {
    // Prepare
    const jwk = privateJwk.replace('"kty": "RSA"', '"kty": "XYZ"');

    // Act
    const error = catchError(() => parsePrivateKey(jwk));

    // Assess
    expect(error).toMatchObject({ code: 'ERR_KEY_FORMAT' });
    expectNoSecrets(error, secretsOfJwk(privateJwk));
  });

  it('rejects a mismatched pair naming kids only, not the key', () => {
    // Prepare
    const privateKey = parsePrivateKey(readKeyFixture('other2048.private'));
    const publicKey = parsePublicKey(readKeyFixture('rsa2048.public'));

    // Act
    const error = catchError(() => assertKeyPairMatches(privateKey, publicKey));

    // Assess
    expect(error).toMatchObject({ code: 'ERR_KEY_MISMATCH' });
    expect(String(error)).toContain(publicKey.kid);
    expectNoSecrets(error, secretsOfPem(readKeyFixture('other2048.private')));
  });
});
