import { decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { TokenRejectedError } from './errors.ts';

/** Service-account tokens are around 1 KiB; refuse anything absurdly large before parsing it. */
export const MAX_TOKEN_LENGTH = 64 * 1024;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/**
 * Reads and screens a token's protected header before any key is touched, so each classic attack gets
 * its own message: `alg: none`, HMAC with the public key as secret, unexpected algorithms, no kid.
 */
export function readTokenHeader(token: string): ProtectedHeaderParameters & { kid: string } {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
    throw new TokenRejectedError(
      'ERR_TOKEN_MALFORMED',
      'the token is not a compact JWT (three base64url parts)',
    );
  }
  const header = decodeHeader(token);
  const alg = typeof header.alg === 'string' ? header.alg : '';
  if (alg.toLowerCase() === 'none') {
    throw new TokenRejectedError(
      'ERR_TOKEN_ALG_NONE',
      'the token is unsigned (alg "none"); it is never accepted',
    );
  }
  if (/^HS\d+$/i.test(alg)) {
    throw new TokenRejectedError(
      'ERR_TOKEN_ALG_CONFUSION',
      `the token uses ${alg}, a shared-secret algorithm: a token "signed" with the public key as HMAC secret is an algorithm-confusion forgery`,
    );
  }
  if (alg !== 'RS256') {
    throw new TokenRejectedError(
      'ERR_TOKEN_ALG_UNSUPPORTED',
      `the token uses alg ${JSON.stringify(header.alg)}; service-account tokens are RS256`,
    );
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new TokenRejectedError(
      'ERR_TOKEN_KID_MISSING',
      'the token has no kid; kube-apiserver writes one into every service-account token',
    );
  }
  return { ...header, kid: header.kid };
}

function decodeHeader(token: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw new TokenRejectedError('ERR_TOKEN_MALFORMED', 'the token header is not base64url-encoded JSON');
  }
}
