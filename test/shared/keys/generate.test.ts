import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RSA_BITS,
  encodePrivateKeyPem,
  encodePublicKeyPem,
  GENERATED_RSA_BITS,
  generateSigningKeyPair,
  type PrivateSigningKey,
  parsePrivateKey,
  parsePublicKey,
  parseRsaBits,
  type RsaBits,
} from '#shared/keys/index.ts';

function pemLabels(pem: string): string[] {
  return [...pem.matchAll(/-----(?:BEGIN|END) ([A-Z ]+)-----/g)].map((match) => match[1] ?? '');
}

function expectRoundTrip(generated: PrivateSigningKey): void {
  const privatePem = encodePrivateKeyPem(generated);
  const publicPem = encodePublicKeyPem(generated.publicKey);

  expect(pemLabels(privatePem)).toEqual(['RSA PRIVATE KEY', 'RSA PRIVATE KEY']);
  expect(pemLabels(publicPem)).toEqual(['PUBLIC KEY', 'PUBLIC KEY']);
  expect(parsePrivateKey(privatePem).publicKey.kid).toBe(generated.publicKey.kid);
  expect(parsePublicKey(publicPem).kid).toBe(generated.publicKey.kid);
}

describe('generateSigningKeyPair', () => {
  it('generates a 2048-bit RSA pair with exponent 65537 when asked for 2048 bits', async () => {
    // Act
    const generated = await generateSigningKeyPair(2048);

    // Assess
    expect(generated.key.type).toBe('private');
    expect(generated.key.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    expect(generated.publicKey.bits).toBe(2048);
    expect(generated.publicKey.key.type).toBe('public');
    expectRoundTrip(generated);
  });

  it('generates a 3072-bit pair when asked for 3072 bits', async () => {
    const generated = await generateSigningKeyPair(3072);

    expect(generated.publicKey.bits).toBe(3072);
    expectRoundTrip(generated);
  });

  it('generates 4096 bits, the ccoctl size, when no size is given', async () => {
    // Act
    const generated = await generateSigningKeyPair();

    // Assess: ccoctl's layout, PKCS#1 private and SPKI public, reading back to the same kid.
    expect(DEFAULT_RSA_BITS).toBe(4096);
    expect(generated.publicKey.bits).toBe(4096);
    expectRoundTrip(generated);
  });

  it('generates a different key each time', async () => {
    const [first, second] = await Promise.all([generateSigningKeyPair(2048), generateSigningKeyPair(2048)]);

    expect(first.publicKey.kid).not.toBe(second.publicKey.kid);
  });

  it('rejects with ERR_KEY_STRENGTH when the size is not one keyturn generates', async () => {
    await expect(generateSigningKeyPair(1024 as RsaBits)).rejects.toMatchObject({
      name: 'InvalidKeyError',
      code: 'ERR_KEY_STRENGTH',
    });
  });
});

describe('parseRsaBits', () => {
  it.each([...GENERATED_RSA_BITS])('accepts %s as a number and as a string', (bits) => {
    expect(parseRsaBits(bits)).toBe(bits);
    expect(parseRsaBits(String(bits))).toBe(bits);
  });

  it.each([1024, 1000, 8192, 'abc', '', 2048.5, -2048])(
    'rejects %j with ERR_KEY_STRENGTH when it is not an offered size',
    (value) => {
      expect(() => parseRsaBits(value)).toThrow(
        expect.objectContaining({ name: 'InvalidKeyError', code: 'ERR_KEY_STRENGTH' }),
      );
    },
  );

  it('names the offered sizes in its message when it rejects a size', () => {
    expect(() => parseRsaBits(1024)).toThrow(/2048, 3072, 4096/);
  });
});
