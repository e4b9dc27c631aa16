import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDiscovery, buildKeySet, readPublicIssuer } from '#shared/issuer/index.ts';
import { encodePublicKeyPem, generateSigningKeyPair, type PrivateSigningKey } from '#shared/keys/index.ts';
import { createTokenVerifier, issueServiceAccountToken, loadKeySet } from '#shared/tokens/index.ts';
import { type LoopbackServer, sendJson, startLoopbackServer } from '#test/shared/issuer/loopback-server.ts';

const NOW = new Date('2025-03-01T12:00:00Z');

/** keys.json as another issuer might publish it: valid RSA keys under kids of its own choosing. */
function renamedKeySet(signers: readonly PrivateSigningKey[], kids: readonly string[]): string {
  const { keys } = JSON.parse(buildKeySet(signers.map((signer) => signer.publicKey))) as {
    keys: Array<Record<string, unknown>>;
  };
  return JSON.stringify({ keys: keys.map((entry, index) => ({ ...entry, kid: kids[index] })) });
}

describe('loadKeySet', () => {
  let server: LoopbackServer;
  let signer: PrivateSigningKey;
  let other: PrivateSigningKey;
  let issuer: string;

  beforeAll(async () => {
    [server, signer, other] = await Promise.all([
      startLoopbackServer(),
      generateSigningKeyPair(2048),
      generateSigningKeyPair(2048),
    ]);
    issuer = `${server.origin}/cluster-a`;
    server.routes.set('/cluster-a/.well-known/openid-configuration', sendJson(buildDiscovery(issuer)));
    server.routes.set('/cluster-a/keys.json', sendJson(buildKeySet([signer.publicKey, other.publicKey])));
    server.routes.set(
      '/vault/.well-known/openid-configuration',
      sendJson(buildDiscovery(`${server.origin}/vault`)),
    );
    server.routes.set('/vault/keys.json', sendJson(renamedKeySet([signer], ['vault-key-1'])));
  });

  afterAll(async () => {
    await server.close();
  });

  it("loads one public key from PEM, under its kube-apiserver kid ('public-key')", async () => {
    // Act
    const loaded = await loadKeySet({
      kind: 'public-key',
      content: encodePublicKeyPem(signer.publicKey),
      name: 'serviceaccount-signer.public',
    });

    // Assess
    expect(loaded.keySet.keys.map((key) => key.kid)).toEqual([signer.publicKey.kid]);
    expect(loaded.issuer).toBeUndefined();
  });

  it("rejects a 'public-key' that is not one, naming the source", async () => {
    // Act
    const act = loadKeySet({ kind: 'public-key', content: 'not a key', name: 'signer.pub' });

    // Assess
    await expect(act).rejects.toMatchObject({
      code: 'ERR_KEY_FORMAT',
      message: expect.stringContaining('signer.pub'),
    });
  });

  it("loads a JWKS from its text ('jwks')", async () => {
    // Act
    const loaded = await loadKeySet({
      kind: 'jwks',
      content: buildKeySet([signer.publicKey, other.publicKey]),
    });

    // Assess
    expect(loaded.keySet.keys.map((key) => key.kid)).toEqual([signer.publicKey.kid, other.publicKey.kid]);
  });

  it("accepts kids that are not kube-apiserver kids ('jwks', lenient)", async () => {
    // Prepare
    const content = renamedKeySet([signer, other], ['first', 'second']);

    // Act
    const loaded = await loadKeySet({ kind: 'jwks', content });

    // Assess
    expect(loaded.keySet.keys.map((key) => key.kid)).toEqual(['first', 'second']);
  });

  it("skips an EC key of an issuer's JWKS, and refuses it when keyturn reads its own issuer back (ALWAYS-VALID)", async () => {
    // Prepare
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const { keys } = JSON.parse(buildKeySet([signer.publicKey])) as { keys: unknown[] };
    server.routes.set(
      '/mixed/.well-known/openid-configuration',
      sendJson(buildDiscovery(`${server.origin}/mixed`)),
    );
    server.routes.set(
      '/mixed/keys.json',
      sendJson(JSON.stringify({ keys: [...keys, { ...ec, kid: 'ec' }] })),
    );
    const source = { kind: 'issuer', issuerUrl: `${server.origin}/mixed` } as const;

    // Act
    const thirdParty = await loadKeySet(source);
    const own = loadKeySet(source, { skipUnusableKeys: false });

    // Assess
    expect(thirdParty.keySet.keys.map((key) => key.kid)).toEqual([signer.publicKey.kid]);
    expect(thirdParty.keySet.skipped).toEqual(['key 2: kty is "EC", not "RSA"']);
    await expect(own).rejects.toMatchObject({
      code: 'ERR_KEYSET_INVALID',
      message: 'key 2: kty is "EC", not "RSA"',
    });
  });

  it("still rejects an invalid JWKS ('jwks', ALWAYS-VALID)", async () => {
    // Act
    const act = loadKeySet({ kind: 'jwks', content: '{"keys":[]}' });

    // Assess
    await expect(act).rejects.toMatchObject({ code: 'ERR_KEYSET_INVALID' });
  });

  it("fetches a JWKS from a URL ('jwks-url')", async () => {
    // Act
    const loaded = await loadKeySet({ kind: 'jwks-url', url: `${issuer}/keys.json` });

    // Assess
    expect(loaded.keySet.keys.map((key) => key.kid)).toEqual([signer.publicKey.kid, other.publicKey.kid]);
    expect(loaded.issuer).toBeUndefined();
  });

  it("fetches a JWKS with kids of the publisher's own from a URL ('jwks-url', lenient)", async () => {
    // Act
    const loaded = await loadKeySet({ kind: 'jwks-url', url: `${server.origin}/vault/keys.json` });

    // Assess
    expect(loaded.keySet.keys.map((key) => key.kid)).toEqual(['vault-key-1']);
  });

  it.each(['http://oidc.example.com/keys.json', 'ftp://127.0.0.1/keys.json', 'file:///etc/keys.json'])(
    "refuses to fetch a JWKS from %s ('jwks-url')",
    async (url) => {
      // Act
      const act = loadKeySet({ kind: 'jwks-url', url }, { fetch: async () => new Response('{}') });

      // Assess
      await expect(act).rejects.toMatchObject({ code: 'ERR_ISSUER_URL' });
    },
  );

  it("reads the issuer's discovery document and JWKS and returns the issuer ('issuer')", async () => {
    // Act
    const loaded = await loadKeySet({ kind: 'issuer', issuerUrl: `${issuer}/` });

    // Assess
    expect(loaded.issuer).toBe(issuer);
    expect(loaded.keySet.keys.map((key) => key.kid)).toEqual([signer.publicKey.kid, other.publicKey.kid]);
  });

  it("accepts an issuer whose kids are not kube-apiserver kids ('issuer', lenient), unlike readPublicIssuer", async () => {
    // Prepare
    const vault = `${server.origin}/vault`;

    // Act
    const loaded = await loadKeySet({ kind: 'issuer', issuerUrl: vault });
    const strict = readPublicIssuer(vault);

    // Assess
    expect(loaded.keySet.keys.map((key) => key.kid)).toEqual(['vault-key-1']);
    await expect(strict).rejects.toMatchObject({ code: 'ERR_KEYSET_KID_MISMATCH' });
  });

  it("passes fetch options through ('jwks-url')", async () => {
    // Prepare
    const urls: string[] = [];
    const fetch = async (url: string) => {
      urls.push(url);
      return new Response(buildKeySet([signer.publicKey]));
    };

    // Act
    const loaded = await loadKeySet(
      { kind: 'jwks-url', url: 'https://oidc.example.com/x/keys.json' },
      { fetch },
    );

    // Assess
    expect(urls).toEqual(['https://oidc.example.com/x/keys.json']);
    expect(loaded.keySet.keys).toHaveLength(1);
  });

  it('feeds a verifier: a token verifies against keys loaded from the issuer', async () => {
    // Prepare
    const { keySet, issuer: loadedIssuer } = await loadKeySet({ kind: 'issuer', issuerUrl: issuer });
    const verifier = createTokenVerifier({
      keySet,
      ...(loadedIssuer === undefined ? {} : { issuer: loadedIssuer }),
    });
    const token = await issueServiceAccountToken(
      other,
      { issuer, audiences: ['sts.amazonaws.com'], namespace: 'payments', serviceAccount: 'api' },
      NOW,
    );

    // Act
    const verified = await verifier.verify(token, NOW);

    // Assess
    expect(verified.kid).toBe(other.publicKey.kid);
    expect(verified.issuer).toBe(issuer);
  });
});
