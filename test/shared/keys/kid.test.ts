import { createHash, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeKid, parsePrivateKey, parsePublicKey } from '#shared/keys/index.ts';
import { readKeyFixture, readKeyFixtureBytes } from '#test/fixtures/keys.ts';

/** From kubernetes pkg/serviceaccount/keyid_test.go (DESIGN.md §1). */
const KUBERNETES_VECTOR_KID = 'JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU';

describe('computeKid', () => {
  it('returns the Kubernetes kid for the public test vector', () => {
    // Prepare
    const publicKey = createPublicKey(readKeyFixture('k8s-keyid-vector.public'));

    // Act
    const kid = computeKid(publicKey);

    // Assess
    expect(kid).toBe(KUBERNETES_VECTOR_KID);
  });

  it('hashes the DER SubjectPublicKeyInfo with SHA-256 into unpadded base64url', () => {
    // Prepare: the oracle is openssl's SPKI DER, hashed here independently of the code under test.
    const spkiDer = readKeyFixtureBytes('rsa2048.public.der');
    const expected = createHash('sha256').update(spkiDer).digest('base64url');

    // Act
    const kid = computeKid(createPublicKey({ key: spkiDer, format: 'der', type: 'spki' }));

    // Assess
    expect(kid).toBe(expected);
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('parsePublicKey kid', () => {
  const expectedKid = createHash('sha256')
    .update(readKeyFixtureBytes('rsa2048.public.der'))
    .digest('base64url');
  const publicJwk = readKeyFixture('rsa2048.public.jwk.json');

  it('gives the Kubernetes kid for the public test vector', () => {
    expect(parsePublicKey(readKeyFixture('k8s-keyid-vector.public')).kid).toBe(KUBERNETES_VECTOR_KID);
  });

  it.each([
    { form: 'SPKI PEM (PUBLIC KEY)', input: readKeyFixture('rsa2048.public') },
    { form: 'PKCS#1 PEM (RSA PUBLIC KEY)', input: readKeyFixture('rsa2048.pkcs1.public') },
    {
      form: 'SPKI bytes under an RSA PUBLIC KEY label',
      input: readKeyFixture('rsa2048.spki-rsa-label.public'),
    },
    {
      form: 'SPKI PEM with CRLF line ends',
      input: readKeyFixture('rsa2048.public').replaceAll('\n', '\r\n'),
    },
    { form: 'raw SPKI DER', input: readKeyFixtureBytes('rsa2048.public.der') },
    { form: 'a public JWK', input: publicJwk },
    { form: 'a one-key JWKS', input: `{"keys":[${publicJwk}]}` },
  ])('gives the same kid when the key is $form', ({ input }) => {
    // Act
    const publicKey = parsePublicKey(input);

    // Assess
    expect(publicKey.kid).toBe(expectedKid);
    expect(publicKey.bits).toBe(2048);
  });

  it('gives the private key the kid of its public half', () => {
    expect(parsePrivateKey(readKeyFixture('rsa2048.private')).publicKey.kid).toBe(expectedKid);
  });
});
