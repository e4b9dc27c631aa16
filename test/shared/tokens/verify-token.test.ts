import { createHmac } from 'node:crypto';
import { CompactSign, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodePublicKeyPem, generateSigningKeyPair, type PrivateSigningKey } from '#shared/keys/index.ts';
import {
  createTokenVerifier,
  issueServiceAccountToken,
  MAX_TOKEN_LENGTH,
  type ServiceAccountTokenClaims,
  TokenRejectedError,
  type TokenRejectionCode,
  type TokenVerifier,
} from '#shared/tokens/index.ts';

const ISSUER = 'https://oidc.example.com/cluster-a';
const AUDIENCE = 'sts.amazonaws.com';
const NOW = new Date('2025-03-01T12:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const LIFETIME = 3600;
const CLAIMS: ServiceAccountTokenClaims = {
  issuer: ISSUER,
  audiences: [AUDIENCE],
  namespace: 'payments',
  serviceAccount: 'api',
  lifetimeSeconds: LIFETIME,
};

function secondsAfter(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

function base64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function parts(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
}

async function rejectionOf(promise: Promise<unknown>): Promise<TokenRejectedError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(TokenRejectedError);
  return outcome as TokenRejectedError;
}

describe('createTokenVerifier', () => {
  let signer: PrivateSigningKey;
  let stranger: PrivateSigningKey;
  let verifier: TokenVerifier;

  /** Claims as kube-apiserver writes them, valid at NOW; override or drop (undefined) any of them. */
  function claimsAt(overrides: Record<string, unknown> = {}): JWTPayload {
    const claims: Record<string, unknown> = {
      iss: ISSUER,
      sub: 'system:serviceaccount:payments:api',
      aud: [AUDIENCE],
      iat: NOW_SECONDS,
      nbf: NOW_SECONDS,
      exp: NOW_SECONDS + LIFETIME,
      ...overrides,
    };
    return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
  }

  /** Signs arbitrary claims with the trusted key (RS256, its kid) unless told otherwise. */
  function signClaims(
    claims: JWTPayload,
    header: { alg: string; kid?: string } = { alg: 'RS256', kid: signer.publicKey.kid },
  ): Promise<string> {
    return new SignJWT(claims).setProtectedHeader(header).sign(signer.key);
  }

  beforeAll(async () => {
    [signer, stranger] = await Promise.all([generateSigningKeyPair(2048), generateSigningKeyPair(2048)]);
    verifier = createTokenVerifier({
      keySet: { keys: [signer.publicKey] },
      issuer: ISSUER,
      audience: AUDIENCE,
    });
  });

  describe('with a token kube-apiserver would issue', () => {
    it('returns kid, issuer, subject, audiences and expiry', async () => {
      // Prepare
      const token = await issueServiceAccountToken(signer, CLAIMS, NOW);

      // Act
      const verified = await verifier.verify(token, NOW);

      // Assess
      expect(verified).toMatchObject({
        kid: signer.publicKey.kid,
        issuer: ISSUER,
        subject: 'system:serviceaccount:payments:api',
        audiences: [AUDIENCE],
        expiresAt: secondsAfter(NOW, LIFETIME),
      });
      expect(verified.claims['kubernetes.io']).toMatchObject({
        namespace: 'payments',
        serviceaccount: { name: 'api' },
      });
    });

    it('writes the header kube-apiserver writes: RS256 and the kube kid', async () => {
      // Act
      const token = await issueServiceAccountToken(signer, CLAIMS, NOW);

      // Assess
      expect(JSON.parse(Buffer.from(parts(token)[0], 'base64url').toString())).toEqual({
        alg: 'RS256',
        kid: signer.publicKey.kid,
      });
    });

    it('verifies without issuer and audience checks when none are configured', async () => {
      // Prepare
      const open = createTokenVerifier({ keySet: { keys: [signer.publicKey] } });
      const token = await issueServiceAccountToken(signer, { ...CLAIMS, audiences: ['vault'] }, NOW);

      // Act
      const verified = await open.verify(token, NOW);

      // Assess
      expect(verified.audiences).toEqual(['vault']);
    });

    it('accepts a token that expired within the allowed skew (now = exp + 30 s)', async () => {
      // Prepare
      const token = await issueServiceAccountToken(signer, CLAIMS, NOW);

      // Act
      const verified = await verifier.verify(token, secondsAfter(NOW, LIFETIME + 30));

      // Assess
      expect(verified.kid).toBe(signer.publicKey.kid);
    });

    it('accepts nbf and iat in the future within the allowed skew (30 s)', async () => {
      // Prepare
      const token = await issueServiceAccountToken(signer, CLAIMS, secondsAfter(NOW, 30));

      // Act
      const verified = await verifier.verify(token, NOW);

      // Assess
      expect(verified.subject).toBe('system:serviceaccount:payments:api');
    });

    it('ignores surrounding whitespace, as a token read from a file carries', async () => {
      // Prepare
      const token = await issueServiceAccountToken(signer, CLAIMS, NOW);

      // Act
      const verified = await verifier.verify(`${token}\n`, NOW);

      // Assess
      expect(verified.kid).toBe(signer.publicKey.kid);
    });
  });

  describe('with a malformed token', () => {
    it.each([
      ['empty', ''],
      ['one part', 'abc'],
      ['two parts', 'a.b'],
      ['four parts', 'a.b.c.d'],
      ['non-base64url characters', 'eyJhbGciOiJSUzI1NiJ9.e30$.sig+/='],
      ['a header that is not JSON', `${base64url('not json')}.${base64url({})}.c2ln`],
      ['a header that is a JSON array', `${base64url(['RS256'])}.${base64url({})}.c2ln`],
      ['an empty header', `.${base64url({})}.c2ln`],
      ['more than the size limit', `${base64url({ alg: 'RS256' })}.${'A'.repeat(MAX_TOKEN_LENGTH)}.c2ln`],
    ])('rejects %s as ERR_TOKEN_MALFORMED', async (_name, token) => {
      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_MALFORMED');
      if (token.length > 0) expect(error.message).not.toContain(token);
    });

    it('rejects correctly signed claims that are not JSON as ERR_TOKEN_MALFORMED', async () => {
      // Prepare
      const token = await new CompactSign(new TextEncoder().encode('not json'))
        .setProtectedHeader({ alg: 'RS256', kid: signer.publicKey.kid })
        .sign(signer.key);

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_MALFORMED');
    });
  });

  describe('algorithm attacks', () => {
    it('rejects an unsigned alg "none" token', async () => {
      // Prepare
      const token = `${base64url({ alg: 'none', kid: signer.publicKey.kid })}.${base64url(claimsAt())}.`;

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_ALG_NONE');
    });

    it('rejects alg "None" whatever its case', async () => {
      // Prepare
      const token = `${base64url({ alg: 'None', kid: signer.publicKey.kid })}.${base64url(claimsAt())}.`;

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_ALG_NONE');
    });

    it('rejects an HS256 token keyed with the public key PEM, although it verifies as HMAC', async () => {
      // Prepare: the classic forgery, HMAC with the published public key as the shared secret.
      const secret = Buffer.from(encodePublicKeyPem(signer.publicKey));
      const signingInput = `${base64url({ alg: 'HS256', kid: signer.publicKey.kid })}.${base64url(claimsAt())}`;
      const token = `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
      const naive = await jwtVerify(token, secret, { algorithms: ['HS256'], currentDate: NOW });

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(naive.payload.sub).toBe('system:serviceaccount:payments:api');
      expect(error.code).toBe('ERR_TOKEN_ALG_CONFUSION');
    });

    it('rejects a PS256 token even when signed with the trusted RSA key', async () => {
      // Prepare
      const token = await signClaims(claimsAt(), { alg: 'PS256', kid: signer.publicKey.kid });

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_ALG_UNSUPPORTED');
    });

    it.each(['ES256', 'RS512', 'EdDSA', ''])(
      'rejects a token with alg %j as ERR_TOKEN_ALG_UNSUPPORTED',
      async (alg) => {
        // Prepare
        const token = `${base64url({ alg, kid: signer.publicKey.kid })}.${base64url(claimsAt())}.c2ln`;

        // Act
        const error = await rejectionOf(verifier.verify(token, NOW));

        // Assess
        expect(error.code).toBe('ERR_TOKEN_ALG_UNSUPPORTED');
      },
    );
  });

  describe('key and signature checks', () => {
    it('rejects a token without kid', async () => {
      // Prepare
      const token = await signClaims(claimsAt(), { alg: 'RS256' });

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_KID_MISSING');
    });

    it('rejects a token signed by a key that is not trusted', async () => {
      // Prepare
      const token = await issueServiceAccountToken(stranger, CLAIMS, NOW);

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_KID_UNKNOWN');
      expect(error.message).toContain(stranger.publicKey.kid);
    });

    it('rejects a token signed by another key under the trusted kid', async () => {
      // Prepare
      const token = await new SignJWT(claimsAt())
        .setProtectedHeader({ alg: 'RS256', kid: signer.publicKey.kid })
        .sign(stranger.key);

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_SIGNATURE');
    });

    it('rejects a token whose signature was altered', async () => {
      // Prepare
      const [header, payload, signature] = parts(await issueServiceAccountToken(signer, CLAIMS, NOW));
      const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;

      // Act
      const error = await rejectionOf(verifier.verify(`${header}.${payload}.${flipped}`, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_SIGNATURE');
    });

    it('rejects a token whose claims were spliced from another token', async () => {
      // Prepare
      const [header, , signature] = parts(await issueServiceAccountToken(signer, CLAIMS, NOW));
      const admin = { ...CLAIMS, namespace: 'kube-system', serviceAccount: 'admin' };
      const [, adminPayload] = parts(await issueServiceAccountToken(signer, admin, NOW));

      // Act
      const error = await rejectionOf(verifier.verify(`${header}.${adminPayload}.${signature}`, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_SIGNATURE');
    });
  });

  describe('claim checks', () => {
    it('rejects a token from another issuer', async () => {
      // Prepare
      const token = await issueServiceAccountToken(
        signer,
        { ...CLAIMS, issuer: 'https://oidc.example.com/b' },
        NOW,
      );

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_ISSUER');
    });

    it('rejects a token for another audience', async () => {
      // Prepare
      const token = await issueServiceAccountToken(signer, { ...CLAIMS, audiences: ['vault', 'api'] }, NOW);

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_AUDIENCE');
    });

    it.each([60, 61, 3600])('rejects a token %i s after its expiry (skew 60 s)', async (late) => {
      // Prepare
      const token = await issueServiceAccountToken(signer, CLAIMS, NOW);

      // Act
      const error = await rejectionOf(verifier.verify(token, secondsAfter(NOW, LIFETIME + late)));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_EXPIRED');
    });

    it('rejects a token whose nbf lies beyond the skew', async () => {
      // Prepare
      const token = await signClaims(claimsAt({ nbf: NOW_SECONDS + 120 }));

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_NOT_YET_VALID');
      expect(error.message).toContain('nbf');
    });

    it('rejects a token whose iat lies beyond the skew', async () => {
      // Prepare
      const token = await signClaims(claimsAt({ iat: NOW_SECONDS + 120, nbf: undefined }));

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_NOT_YET_VALID');
      expect(error.message).toMatch(/issued in the future/);
    });

    it('honours a custom clock tolerance', async () => {
      // Prepare
      const strict = createTokenVerifier({ keySet: { keys: [signer.publicKey] }, clockToleranceSeconds: 0 });
      const token = await issueServiceAccountToken(signer, CLAIMS, NOW);

      // Act
      const error = await rejectionOf(strict.verify(token, secondsAfter(NOW, LIFETIME)));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_EXPIRED');
    });

    it.each([
      ['exp is missing', { exp: undefined }],
      ['sub is missing', { sub: undefined }],
      ['iss is missing', { iss: undefined }],
      ['exp is a string', { exp: String(NOW_SECONDS + LIFETIME) }],
      ['nbf is a string', { nbf: 'now' }],
      ['sub is a number', { sub: 42 }],
    ])('rejects a token whose %s as ERR_TOKEN_CLAIMS', async (_name, overrides) => {
      // Prepare
      const token = await signClaims(claimsAt(overrides));

      // Act
      const error = await rejectionOf(verifier.verify(token, NOW));

      // Assess
      expect(error.code).toBe('ERR_TOKEN_CLAIMS');
    });

    it.each([
      ['sub is an object', { sub: { name: 'api' } }],
      ['iss is an array', { iss: [ISSUER] }],
      ['aud holds a number', { aud: [AUDIENCE, 7] }],
    ])(
      'rejects a token whose %s as ERR_TOKEN_CLAIMS, even without issuer and audience checks',
      async (_name, overrides) => {
        // Prepare
        const open = createTokenVerifier({ keySet: { keys: [signer.publicKey] } });
        const token = await signClaims(claimsAt(overrides));

        // Act
        const error = await rejectionOf(open.verify(token, NOW));

        // Assess
        expect(error.code).toBe('ERR_TOKEN_CLAIMS');
      },
    );
  });

  describe('messages', () => {
    const cases: ReadonlyArray<{ code: TokenRejectionCode; token: () => Promise<string>; now?: Date }> = [
      { code: 'ERR_TOKEN_MALFORMED', token: async () => 'a.b' },
      {
        code: 'ERR_TOKEN_ALG_NONE',
        token: async () =>
          `${base64url({ alg: 'none', kid: signer.publicKey.kid })}.${base64url(claimsAt())}.`,
      },
      {
        code: 'ERR_TOKEN_ALG_CONFUSION',
        token: async () =>
          `${base64url({ alg: 'HS256', kid: signer.publicKey.kid })}.${base64url(claimsAt())}.c2ln`,
      },
      {
        code: 'ERR_TOKEN_ALG_UNSUPPORTED',
        token: () => signClaims(claimsAt(), { alg: 'PS256', kid: signer.publicKey.kid }),
      },
      { code: 'ERR_TOKEN_KID_MISSING', token: () => signClaims(claimsAt(), { alg: 'RS256' }) },
      { code: 'ERR_TOKEN_KID_UNKNOWN', token: () => issueServiceAccountToken(stranger, CLAIMS, NOW) },
      {
        code: 'ERR_TOKEN_SIGNATURE',
        token: () =>
          new SignJWT(claimsAt())
            .setProtectedHeader({ alg: 'RS256', kid: signer.publicKey.kid })
            .sign(stranger.key),
      },
      { code: 'ERR_TOKEN_ISSUER', token: () => signClaims(claimsAt({ iss: 'https://evil.example.com' })) },
      { code: 'ERR_TOKEN_AUDIENCE', token: () => signClaims(claimsAt({ aud: 'vault' })) },
      {
        code: 'ERR_TOKEN_EXPIRED',
        token: () => issueServiceAccountToken(signer, CLAIMS, NOW),
        now: secondsAfter(NOW, LIFETIME + 61),
      },
      { code: 'ERR_TOKEN_NOT_YET_VALID', token: () => signClaims(claimsAt({ nbf: NOW_SECONDS + 120 })) },
      { code: 'ERR_TOKEN_CLAIMS', token: () => signClaims(claimsAt({ exp: undefined })) },
    ];

    it('gives every rejection code its own message, and none repeats the token', async () => {
      // Prepare
      const messages = new Map<TokenRejectionCode, string>();

      // Act
      for (const { code, token: build, now = NOW } of cases) {
        const token = await build();
        const error = await rejectionOf(verifier.verify(token, now));
        expect(error.code).toBe(code);
        expect(error.message).not.toContain(token);
        for (const part of parts(token).filter((text) => text.length > 16)) {
          expect(error.message).not.toContain(part);
        }
        messages.set(code, error.message);
      }

      // Assess
      expect(messages.size).toBe(cases.length);
      expect(new Set(messages.values()).size).toBe(cases.length);
    });
  });
});
