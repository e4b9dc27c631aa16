import {
  AssumeRoleWithWebIdentityCommand,
  type AssumeRoleWithWebIdentityCommandOutput,
  type STSClient,
} from '@aws-sdk/client-sts';
import { KeyturnError } from '../../errors.ts';
import { redactSecrets } from '../../redaction.ts';
import { type AwsCallContext, toAwsError } from './aws-errors.ts';
import { stsClient } from './clients.ts';

/** Why STS refused the probe token. */
export type StsProbeErrorCode =
  /** InvalidIdentityToken: the token's signature, kid or issuer did not check out. */
  | 'ERR_STS_TOKEN_REJECTED'
  /** IDPCommunicationError: STS could not fetch the discovery document or JWKS from the issuer URL. */
  | 'ERR_STS_IDP_UNREACHABLE'
  /** IDPRejectedClaim: a claim (usually `aud`) is not accepted for this OIDC provider. */
  | 'ERR_STS_CLAIM_REJECTED'
  /** ExpiredTokenException: the token had expired when STS read it. */
  | 'ERR_STS_TOKEN_EXPIRED'
  /** AccessDenied: the token is valid, but the probe role's trust policy does not let it in. */
  | 'ERR_STS_ROLE_DENIED';

/** STS did not accept the probe token; `awsName` is STS's error name. Never carries the token. */
export class StsProbeError extends KeyturnError<StsProbeErrorCode> {
  readonly awsName: string;

  constructor(code: StsProbeErrorCode, message: string, awsName: string) {
    super(code, message);
    this.awsName = awsName;
  }
}

/** Options of {@link createStsProbe}. */
export interface StsProbeOptions {
  /** The role whose trust policy names the issuer's IAM OIDC provider. */
  readonly roleArn: string;
  /** RoleSessionName of the probe sessions (CloudTrail shows it). @default 'keyturn-probe' */
  readonly sessionName?: string;
  /** @default the process's STS client (clients.ts) */
  readonly sts?: STSClient;
}

/** Proves that AWS itself accepts tokens signed with the new key. */
export interface StsProbe {
  /** Exchanges `token` for a 15-minute session of the probe role, which is thrown away at once. */
  probe(token: string): Promise<{ readonly assumedRoleArn: string }>;
}

interface StsRefusal {
  readonly code: StsProbeErrorCode;
  readonly meaning: string;
}

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * SDK v3 names these errors after their classes (`InvalidIdentityTokenException`) while the wire code is
 * `InvalidIdentityToken`; both spellings are matched so neither an SDK upgrade nor a test double slips by.
 */
const REFUSALS: ReadonlyMap<string, StsRefusal> = new Map(
  (
    [
      [
        'InvalidIdentityToken',
        {
          code: 'ERR_STS_TOKEN_REJECTED',
          meaning:
            'STS did not accept the token: its kid is not in the published JWKS yet (or STS still caches the old ' +
            'one), or the issuer URL, the IAM OIDC provider or its thumbprint do not match the cluster',
        },
      ],
      [
        'IDPCommunicationError',
        {
          code: 'ERR_STS_IDP_UNREACHABLE',
          meaning:
            'STS could not fetch the discovery document or the JWKS from the issuer URL; check that it is public, ' +
            'served over HTTPS with a plain 200, and answers quickly',
        },
      ],
      [
        'IDPRejectedClaim',
        {
          code: 'ERR_STS_CLAIM_REJECTED',
          meaning:
            "STS rejected a claim of the token; check that its audience is one of the IAM OIDC provider's client ids",
        },
      ],
      [
        'ExpiredToken',
        {
          code: 'ERR_STS_TOKEN_EXPIRED',
          meaning: 'the token had expired when STS read it; issue a fresh one and check the clocks',
        },
      ],
      [
        'AccessDenied',
        {
          code: 'ERR_STS_ROLE_DENIED',
          meaning:
            "STS accepted the token but the probe role's trust policy does not let it in; check the OIDC " +
            'provider ARN and the aud and sub conditions',
        },
      ],
    ] as const
  ).flatMap(([name, refusal]) => [
    [name, refusal],
    [`${name}Exception`, refusal],
  ]),
);

/**
 * The STS probe: AssumeRoleWithWebIdentity with a fresh service-account token from the cluster, the one
 * call that shows the whole chain (published JWKS, IAM OIDC provider, kid) works for AWS. The credentials
 * STS returns are never kept or logged. The call is not signed, so the caller needs no IAM permission.
 */
export function createStsProbe(options: StsProbeOptions): StsProbe {
  const sessionName = options.sessionName ?? 'keyturn-probe';
  if (!SESSION_NAME.test(sessionName)) {
    throw new RangeError(
      `session name ${JSON.stringify(sessionName)} is not allowed by STS; use 2 to 64 of [A-Za-z0-9_+=,.@-]`,
    );
  }
  const context: AwsCallContext = {
    service: 'STS',
    operation: 'AssumeRoleWithWebIdentity',
    resource: options.roleArn,
  };
  return {
    async probe(token) {
      let answer: AssumeRoleWithWebIdentityCommandOutput;
      try {
        answer = await (options.sts ?? stsClient()).send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: options.roleArn,
            RoleSessionName: sessionName,
            WebIdentityToken: token,
            DurationSeconds: 900,
          }),
        );
      } catch (error) {
        throw toStsProbeError(error, options.roleArn) ?? toAwsError(error, context);
      }
      const assumedRoleArn = answer.AssumedRoleUser?.Arn;
      if (assumedRoleArn === undefined) {
        throw new TypeError('STS AssumeRoleWithWebIdentity answered without AssumedRoleUser.Arn');
      }
      return { assumedRoleArn };
    },
  };
}

function toStsProbeError(error: unknown, roleArn: string): StsProbeError | undefined {
  const name = (error as { name?: unknown })?.name;
  const refusal = typeof name === 'string' ? REFUSALS.get(name) : undefined;
  if (refusal === undefined || typeof name !== 'string') return undefined;
  const said = redactTokens(String((error as { message?: unknown }).message ?? '')).slice(0, 300);
  const detail = said === '' ? '' : ` (STS said: ${said})`;
  return new StsProbeError(
    refusal.code,
    `STS AssumeRoleWithWebIdentity for ${roleArn} failed with ${name}: ${refusal.meaning}${detail}`,
    name,
  );
}

/** STS does not echo tokens, but a message is no place for one: anything JWT-shaped goes, and key material. */
function redactTokens(text: string): string {
  return redactSecrets(text.replace(/[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g, '<token>'));
}
