import { beforeAll, describe, expect, it } from 'vitest';
import { buildKeySet, parseKeySet } from '#shared/issuer/index.ts';
import { generateSigningKeyPair, type PrivateSigningKey } from '#shared/keys/index.ts';
import {
  createTokenVerifier,
  issueServiceAccountToken,
  type ServiceAccountTokenClaims,
  type TokenVerifier,
} from '#shared/tokens/index.ts';

const ISSUER = 'https://oidc.example.com/cluster-a';
const NOW = new Date('2025-03-01T12:00:00Z');
const CLAIMS: ServiceAccountTokenClaims = {
  issuer: ISSUER,
  audiences: ['sts.amazonaws.com'],
  namespace: 'payments',
  serviceAccount: 'api',
};

describe('createTokenVerifier during a rotation', () => {
  let previous: PrivateSigningKey;
  let next: PrivateSigningKey;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    [previous, next] = await Promise.all([generateSigningKeyPair(2048), generateSigningKeyPair(2048)]);
    // What the public sees while both keys are published: keys.json as keyturn writes it.
    const keySet = parseKeySet(buildKeySet([previous.publicKey, next.publicKey]));
    verifier = createTokenVerifier({ keySet, issuer: ISSUER, audience: 'sts.amazonaws.com' });
  });

  it('verifies tokens from the old and the new key with one verifier (NO-ORPHAN-TOKENS)', async () => {
    // Prepare
    const oldToken = await issueServiceAccountToken(previous, CLAIMS, NOW);
    const newToken = await issueServiceAccountToken(next, CLAIMS, NOW);

    // Act
    const verified = await Promise.all([verifier.verify(oldToken, NOW), verifier.verify(newToken, NOW)]);

    // Assess
    expect(verified.map((token) => token.kid)).toEqual([previous.publicKey.kid, next.publicKey.kid]);
    expect(new Set(verified.map((token) => token.subject))).toEqual(
      new Set(['system:serviceaccount:payments:api']),
    );
  });

  it('rejects tokens of the old key once only the new key is published', async () => {
    // Prepare
    const afterRetirement = createTokenVerifier({ keySet: parseKeySet(buildKeySet([next.publicKey])) });
    const oldToken = await issueServiceAccountToken(previous, CLAIMS, NOW);

    // Act
    const outcome = afterRetirement.verify(oldToken, NOW);

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'ERR_TOKEN_KID_UNKNOWN' });
  });
});
