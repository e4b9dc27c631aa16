import { createLocalJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type { KeySet } from '../issuer/key-set.ts';
import { toSigningJwk } from '../keys/encode.ts';
import { TokenRejectedError } from './errors.ts';
import { rejectionFromJose } from './jose-rejections.ts';
import { readTokenHeader } from './token-header.ts';

/**
 * Default clock skew allowed on `exp`, `nbf` and `iat`: the leeway kube-apiserver's own validator uses
 * (gopkg.in/go-jose jwt.DefaultLeeway, one minute).
 */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;

/** What a verifier checks besides the signature. */
export interface TokenVerifierOptions {
  /** The trusted keys (from a public key, a JWKS file, or the issuer's published keys.json). */
  readonly keySet: KeySet;
  /** Require `iss` to equal this (already normalised) issuer URL. @default not checked */
  readonly issuer?: string;
  /** Require `aud` to contain this audience. @default not checked */
  readonly audience?: string;
  /** Allowed clock skew in seconds. @default 60 */
  readonly clockToleranceSeconds?: number;
}

/** A token that passed every check. */
export interface VerifiedToken {
  readonly kid: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
  readonly expiresAt: Date;
  readonly claims: JWTPayload;
}

/** Verifies RS256 service-account tokens against a fixed, already validated key set. */
export interface TokenVerifier {
  verify(token: string, now?: Date): Promise<VerifiedToken>;
}

/**
 * Creates a verifier over a key set. jose imports each key once and keeps it (a cached JWKS), so one
 * verifier serves any number of tokens; only RS256 is ever allowed.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const jwks = createLocalJWKSet({ keys: options.keySet.keys.map(toSigningJwk) });
  const kids = options.keySet.keys.map((key) => key.kid);
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  return {
    async verify(token, now = new Date()) {
      const { kid } = readTokenHeader(token.trim());
      if (!kids.includes(kid)) {
        throw new TokenRejectedError(
          'ERR_TOKEN_KID_UNKNOWN',
          `the token was signed by kid ${kid}, which is not among the trusted keys (${kids.join(', ')}); ` +
            'it comes from another key or cluster, or its key is not published yet',
        );
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token.trim(), jwks, {
          algorithms: ['RS256'],
          currentDate: now,
          clockTolerance: tolerance,
          requiredClaims: ['iss', 'sub', 'exp'],
          ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
          ...(options.audience === undefined ? {} : { audience: options.audience }),
        }));
      } catch (error) {
        throw rejectionFromJose(error, { kid, now, tolerance, expected: options });
      }
      assertClaimTypes(payload);
      assertNotIssuedInFuture(payload, now, tolerance);
      return toVerifiedToken(kid, payload);
    },
  };
}

/** jose checks presence and the time claims only; VerifiedToken promises strings, so check their types. */
function assertClaimTypes(payload: JWTPayload): void {
  const { iss, sub, aud } = payload;
  const typesOk = {
    iss: typeof iss === 'string',
    sub: typeof sub === 'string',
    aud:
      aud === undefined ||
      typeof aud === 'string' ||
      (Array.isArray(aud) && aud.every((item) => typeof item === 'string')),
  };
  const wrong = Object.entries(typesOk).find(([, ok]) => !ok)?.[0];
  if (wrong !== undefined) {
    throw new TokenRejectedError(
      'ERR_TOKEN_CLAIMS',
      `the "${wrong}" claim has the wrong type (expected a string${wrong === 'aud' ? ' or an array of strings' : ''})`,
    );
  }
}

function assertNotIssuedInFuture(payload: JWTPayload, now: Date, toleranceSeconds: number): void {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (typeof payload.iat === 'number' && payload.iat > nowSeconds + toleranceSeconds) {
    throw new TokenRejectedError(
      'ERR_TOKEN_NOT_YET_VALID',
      `the token was issued in the future (iat ${new Date(payload.iat * 1000).toISOString()}); check the clocks`,
    );
  }
}

function toVerifiedToken(kid: string, claims: JWTPayload): VerifiedToken {
  const audiences = claims.aud === undefined ? [] : [claims.aud].flat();
  return {
    kid,
    issuer: claims.iss ?? '',
    subject: claims.sub ?? '',
    audiences,
    expiresAt: new Date((claims.exp ?? 0) * 1000),
    claims,
  };
}
