import { isJsonObject } from '../json.ts';
import { InvalidDiscoveryError } from './errors.ts';
import { assertFetchableUrl, issuerDocumentUrl, normalizeIssuerUrl } from './issuer-url.ts';

/** Where the discovery document lives under the issuer URL (OpenID Connect Discovery 1.0 §4). */
export const DISCOVERY_PATH = '.well-known/openid-configuration';

/** Where the JWKS lives under the issuer URL, as ccoctl publishes it. */
export const KEY_SET_PATH = 'keys.json';

/** The discovery document's members that keyturn writes and relies on. */
export interface DiscoveryDocument {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly response_types_supported: readonly string[];
  readonly subject_types_supported: readonly string[];
  readonly id_token_signing_alg_values_supported: readonly string[];
  readonly claims_supported?: readonly string[];
}

/**
 * The discovery document for an issuer, with ccoctl's members and values. ccoctl's template mixes tabs
 * and spaces and lists "sub" twice; this writes the same document as clean 4-space JSON.
 */
export function buildDiscovery(issuerUrl: string): string {
  const issuer = normalizeIssuerUrl(issuerUrl);
  const document: DiscoveryDocument = {
    issuer,
    jwks_uri: issuerDocumentUrl(issuer, KEY_SET_PATH),
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['aud', 'exp', 'sub', 'iat', 'iss'],
  };
  return JSON.stringify(document, null, 4);
}

/**
 * Validates a discovery document read from anywhere. Its `issuer` must equal the expected issuer exactly
 * (OpenID Connect Discovery 1.0 §4.3), and `jwks_uri` must be a URL keyturn may fetch.
 */
export function parseDiscovery(text: string, expectedIssuer: string): DiscoveryDocument {
  const document = parseObject(text);
  const { issuer, jwks_uri: jwksUri } = document;
  if (typeof issuer !== 'string' || typeof jwksUri !== 'string') {
    throw new InvalidDiscoveryError(
      'ERR_DISCOVERY_INVALID',
      'the discovery document lacks "issuer" or "jwks_uri"',
    );
  }
  if (issuer !== expectedIssuer) {
    throw new InvalidDiscoveryError(
      'ERR_DISCOVERY_ISSUER_MISMATCH',
      `the discovery document names issuer ${issuer}, not ${expectedIssuer}; tokens from it would be rejected`,
    );
  }
  try {
    assertFetchableUrl(jwksUri);
  } catch (error) {
    throw new InvalidDiscoveryError('ERR_DISCOVERY_INVALID', `jwks_uri ${jwksUri} cannot be fetched safely`, {
      cause: error,
    });
  }
  return document as unknown as DiscoveryDocument;
}

function parseObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidDiscoveryError('ERR_DISCOVERY_INVALID', 'the discovery document is not JSON');
  }
  if (!isJsonObject(value)) {
    throw new InvalidDiscoveryError('ERR_DISCOVERY_INVALID', 'the discovery document is not a JSON object');
  }
  return value;
}
