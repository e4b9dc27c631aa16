import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import {
  AssumeRoleWithWebIdentityCommand,
  type AssumeRoleWithWebIdentityCommandInput,
  ExpiredTokenException,
  IDPCommunicationErrorException,
  IDPRejectedClaimException,
  InvalidIdentityTokenException,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsThrottledError, AwsUnavailableError } from '#shared/adapters/aws/aws-errors.ts';
import { createStsProbe, StsProbeError } from '#shared/adapters/aws/sts-probe.ts';
import {
  type PrivateSigningKey,
  parsePrivateKey,
  type SigningJwk,
  toSigningJwk,
} from '#shared/keys/index.ts';
import { issueServiceAccountToken } from '#shared/tokens/issue-token.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const ISSUER = 'https://d111111abcdef8.cloudfront.net/demo';
const ROLE_ARN = 'arn:aws:iam::111122223333:role/keyturn-probe';
const PROBE_SUBJECT = 'system:serviceaccount:keyturn:keyturn-probe';

/** What the fake STS sees of the world: the published JWKS, whether it can fetch it, the trust policy. */
interface StsWorld {
  published: SigningJwk[];
  issuerReachable: boolean;
  audience: string;
  trustedSubject: string;
}

function metadata(httpStatusCode: number) {
  return {
    httpStatusCode,
    requestId: 'c6104cbe-af31-11e0-8154-cbc7ccf896c7',
    attempts: 1,
    totalRetryDelay: 0,
  };
}

/**
 * A fake STS for AssumeRoleWithWebIdentity: verifies the token against the JWKS the test publishes, the
 * way STS does (kid, signature, issuer, expiry, audience, the role's trust policy), and answers with the
 * SDK's own exception classes.
 */
function installFakeSts(client: STSClient, world: StsWorld): AwsClientStub<STSClient> {
  const stub = mockClient(client);
  stub
    .on(AssumeRoleWithWebIdentityCommand)
    .callsFake(async (input: AssumeRoleWithWebIdentityCommandInput) => {
      const token = input.WebIdentityToken ?? '';
      if (!world.issuerReachable) {
        throw new IDPCommunicationErrorException({
          message: "Couldn't retrieve verification key from your identity provider",
          $metadata: metadata(400),
        });
      }
      const { kid } = decodeProtectedHeader(token);
      if (!world.published.some((jwk) => jwk.kid === kid)) {
        throw new InvalidIdentityTokenException({
          message: 'No matching key found in the JWKS for the key id in the token',
          $metadata: metadata(400),
        });
      }
      try {
        await jwtVerify(token, createLocalJWKSet({ keys: world.published }), {
          issuer: ISSUER,
          algorithms: ['RS256'],
          currentDate: NOW,
        });
      } catch (error) {
        if (error instanceof errors.JWTExpired) {
          throw new ExpiredTokenException({ message: 'Token expired', $metadata: metadata(400) });
        }
        throw new InvalidIdentityTokenException({
          message: 'Invalid identity token',
          $metadata: metadata(400),
        });
      }
      const claims = decodeJwt(token);
      if (!([claims.aud].flat() as string[]).includes(world.audience)) {
        throw new IDPRejectedClaimException({
          message: 'Incorrect token audience',
          $metadata: metadata(403),
        });
      }
      if (claims.sub !== world.trustedSubject) {
        throw new STSServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          $metadata: metadata(403),
          message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
        });
      }
      return {
        AssumedRoleUser: {
          Arn: `arn:aws:sts::111122223333:assumed-role/keyturn-probe/${input.RoleSessionName}`,
          AssumedRoleId: `AROA3XFRBF535PLBIFPI4:${input.RoleSessionName}`,
        },
        Credentials: {
          AccessKeyId: 'ASIAFAKEFAKEFAKEFAKE',
          SecretAccessKey: 'fake-secret',
          SessionToken: 'fake-session',
          Expiration: new Date(NOW.getTime() + 900_000),
        },
        SubjectFromWebIdentityToken: claims.sub,
        Audience: world.audience,
        Provider: ISSUER,
        $metadata: metadata(200),
      };
    });
  return stub;
}

let signer: PrivateSigningKey;
let unpublished: PrivateSigningKey;
let world: StsWorld;
let sts: STSClient;
let stub: AwsClientStub<STSClient>;

beforeAll(() => {
  signer = parsePrivateKey(readKeyFixture('rsa2048.private'));
  unpublished = parsePrivateKey(readKeyFixture('other2048.private'));
});

beforeEach(() => {
  world = {
    published: [toSigningJwk(signer.publicKey)],
    issuerReachable: true,
    audience: 'sts.amazonaws.com',
    trustedSubject: PROBE_SUBJECT,
  };
  sts = new STSClient({ region: 'eu-west-1', maxAttempts: 1 });
  stub = installFakeSts(sts, world);
});

afterEach(() => {
  stub.restore();
});

function tokenFrom(
  key: PrivateSigningKey,
  change: { audience?: string; serviceAccount?: string; issuedAt?: Date } = {},
): Promise<string> {
  return issueServiceAccountToken(
    key,
    {
      issuer: ISSUER,
      audiences: [change.audience ?? 'sts.amazonaws.com'],
      namespace: 'keyturn',
      serviceAccount: change.serviceAccount ?? 'keyturn-probe',
      lifetimeSeconds: 600,
    },
    change.issuedAt ?? NOW,
  );
}

describe('createStsProbe', () => {
  it('returns the assumed role when STS accepts a token signed with a published key', async () => {
    // Prepare
    const probe = createStsProbe({ roleArn: ROLE_ARN, sts });
    const token = await tokenFrom(signer);

    // Act
    const result = await probe.probe(token);

    // Assess
    expect(result).toEqual({
      assumedRoleArn: 'arn:aws:sts::111122223333:assumed-role/keyturn-probe/keyturn-probe',
    });
    expect(stub.commandCalls(AssumeRoleWithWebIdentityCommand)[0]?.args[0].input).toEqual({
      RoleArn: ROLE_ARN,
      RoleSessionName: 'keyturn-probe',
      WebIdentityToken: token,
      DurationSeconds: 900,
    });
  });

  it('uses the configured session name', async () => {
    const probe = createStsProbe({ roleArn: ROLE_ARN, sessionName: 'keyturn-demo-r7', sts });

    const result = await probe.probe(await tokenFrom(signer));

    expect(result.assumedRoleArn).toMatch(/\/keyturn-demo-r7$/);
  });

  const refusals: {
    readonly when: string;
    readonly code: string;
    readonly says: string;
    readonly arrange: () => Promise<string>;
  }[] = [
    {
      when: 'the kid is not in the published JWKS yet',
      code: 'ERR_STS_TOKEN_REJECTED',
      says: 'STS did not accept the token',
      arrange: () => tokenFrom(unpublished),
    },
    {
      when: 'STS cannot fetch the JWKS from the issuer URL',
      code: 'ERR_STS_IDP_UNREACHABLE',
      says: 'STS could not fetch the discovery document or the JWKS from the issuer URL',
      arrange: () => {
        world.issuerReachable = false;
        return tokenFrom(signer);
      },
    },
    {
      when: 'the audience is not a client id of the OIDC provider',
      code: 'ERR_STS_CLAIM_REJECTED',
      says: "check that its audience is one of the IAM OIDC provider's client ids",
      arrange: () => tokenFrom(signer, { audience: 'openshift' }),
    },
    {
      when: 'the token has expired',
      code: 'ERR_STS_TOKEN_EXPIRED',
      says: 'the token had expired when STS read it',
      arrange: () => tokenFrom(signer, { issuedAt: new Date(NOW.getTime() - 3_600_000) }),
    },
    {
      when: "the role's trust policy does not admit the subject",
      code: 'ERR_STS_ROLE_DENIED',
      says: "the probe role's trust policy does not let it in",
      arrange: () => tokenFrom(signer, { serviceAccount: 'someone-else' }),
    },
  ];

  for (const refusal of refusals) {
    it(`rejects with ${refusal.code} when ${refusal.when}`, async () => {
      const probe = createStsProbe({ roleArn: ROLE_ARN, sts });
      const token = await refusal.arrange();

      const probing = probe.probe(token);

      await expect(probing).rejects.toBeInstanceOf(StsProbeError);
      await expect(probing).rejects.toMatchObject({ code: refusal.code });
      await expect(probing).rejects.toThrow(refusal.says);
      await expect(probing).rejects.toThrow(ROLE_ARN);
      const error = await probing.catch((caught: unknown) => caught);
      for (const shown of [
        String(error),
        inspect(error, { depth: 10, showHidden: true }),
        JSON.stringify(error),
      ]) {
        expect(shown).not.toContain(token);
        expect(shown).not.toContain(token.split('.')[1]);
      }
    });
  }

  it('maps other AWS errors with toAwsError', async () => {
    const probe = createStsProbe({ roleArn: ROLE_ARN, sts });
    stub
      .on(AssumeRoleWithWebIdentityCommand)
      .rejectsOnce(
        new STSServiceException({
          name: 'Throttling',
          $fault: 'client',
          $metadata: metadata(400),
          message: 'Rate exceeded',
        }),
      )
      .rejectsOnce(
        new STSServiceException({
          name: 'ServiceUnavailable',
          $fault: 'server',
          $metadata: metadata(503),
          message: '',
        }),
      );
    const token = await tokenFrom(signer);

    await expect(probe.probe(token)).rejects.toBeInstanceOf(AwsThrottledError);
    await expect(probe.probe(token)).rejects.toBeInstanceOf(AwsUnavailableError);
  });

  it('redacts anything token-shaped from the STS message it quotes', async () => {
    const probe = createStsProbe({ roleArn: ROLE_ARN, sts });
    const token = await tokenFrom(signer);
    stub
      .on(AssumeRoleWithWebIdentityCommand)
      .rejectsOnce(
        new InvalidIdentityTokenException({ message: `cannot parse ${token}`, $metadata: metadata(400) }),
      );

    const error = await probe.probe(token).catch((caught: unknown) => caught);

    expect(String(error)).toContain('STS said: cannot parse <token>');
    expect(String(error)).not.toContain(token.split('.')[1]);
  });

  it('rejects a session name STS does not allow', () => {
    for (const sessionName of ['', 'x', 'has space', 'a'.repeat(65), 'slash/no']) {
      expect(() => createStsProbe({ roleArn: ROLE_ARN, sessionName, sts })).toThrow(RangeError);
    }
  });
});

describe('createStsProbe against the real SDK deserialiser', () => {
  /** An STS client whose HTTP handler answers every request with this STS Query error, no network. */
  function clientAnswering(code: string, status: number): STSClient {
    const body = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>refused by the test</Message></Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>`;
    return new STSClient({
      region: 'eu-west-1',
      maxAttempts: 1,
      requestHandler: {
        handle: async () => ({
          response: {
            statusCode: status,
            reason: undefined,
            headers: { 'content-type': 'text/xml' },
            body: Readable.from([Buffer.from(body)]),
          },
        }),
      },
    });
  }

  // Wire codes STS sends, and what keyturn must make of them; SDK v3 renames the first four to
  // `…Exception` (InvalidIdentityToken arrives as InvalidIdentityTokenException).
  const wire = [
    ['InvalidIdentityToken', 400, 'ERR_STS_TOKEN_REJECTED'],
    ['IDPCommunicationError', 400, 'ERR_STS_IDP_UNREACHABLE'],
    ['IDPRejectedClaim', 403, 'ERR_STS_CLAIM_REJECTED'],
    ['ExpiredTokenException', 400, 'ERR_STS_TOKEN_EXPIRED'],
    ['AccessDenied', 403, 'ERR_STS_ROLE_DENIED'],
  ] as const;

  for (const [code, status, expected] of wire) {
    it(`maps the wire error ${code} to ${expected}`, async () => {
      const probe = createStsProbe({ roleArn: ROLE_ARN, sts: clientAnswering(code, status) });

      await expect(probe.probe(await tokenFrom(signer))).rejects.toMatchObject({ code: expected });
    });
  }
});
