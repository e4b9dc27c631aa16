import { describe, expect, it } from 'vitest';
import {
  buildDiscovery,
  DISCOVERY_PATH,
  InvalidDiscoveryError,
  InvalidIssuerUrlError,
  KEY_SET_PATH,
  parseDiscovery,
} from '#shared/issuer/index.ts';

const ISSUER = 'https://oidc.example.com/cluster-a';

// The members and values ccoctl writes (DESIGN.md §1), in its order.
const EXPECTED_DISCOVERY = {
  issuer: ISSUER,
  jwks_uri: `${ISSUER}/keys.json`,
  response_types_supported: ['id_token'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
  claims_supported: ['aud', 'exp', 'sub', 'iat', 'iss'],
};

function rejectionOf(text: string, expectedIssuer = ISSUER): InvalidDiscoveryError {
  try {
    parseDiscovery(text, expectedIssuer);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidDiscoveryError);
    return error as InvalidDiscoveryError;
  }
  throw new Error('expected an InvalidDiscoveryError, but nothing was thrown');
}

describe('buildDiscovery', () => {
  it('writes the members and values ccoctl writes, for an issuer with a path', () => {
    // Act
    const text = buildDiscovery(`${ISSUER}/`);

    // Assess
    expect(JSON.parse(text)).toStrictEqual(EXPECTED_DISCOVERY);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(Object.keys(EXPECTED_DISCOVERY));
  });

  it('writes 4-space indented JSON without a trailing newline', () => {
    // Act
    const text = buildDiscovery(ISSUER);

    // Assess
    expect(text).toBe(JSON.stringify(EXPECTED_DISCOVERY, null, 4));
    expect(text).toContain('\n    "issuer": ');
    expect(text.endsWith('}')).toBe(true);
  });

  it('names the JWKS at <issuer>/keys.json, next to the discovery path', () => {
    // Act
    const document = JSON.parse(buildDiscovery('https://oidc.example.com')) as { jwks_uri: string };

    // Assess
    expect(document.jwks_uri).toBe(`https://oidc.example.com/${KEY_SET_PATH}`);
    expect(DISCOVERY_PATH).toBe('.well-known/openid-configuration');
  });

  it('refuses an issuer URL it could not serve', () => {
    // Act
    const act = () => buildDiscovery('http://oidc.example.com/cluster-a');

    // Assess
    expect(act).toThrow(InvalidIssuerUrlError);
    expect(act).toThrow(expect.objectContaining({ code: 'ERR_ISSUER_URL' }));
  });
});

describe('parseDiscovery', () => {
  it('accepts the document buildDiscovery writes', () => {
    // Act
    const document = parseDiscovery(buildDiscovery(ISSUER), ISSUER);

    // Assess
    expect(document).toStrictEqual(EXPECTED_DISCOVERY);
  });

  it('accepts an http jwks_uri on a loopback issuer (local runs)', () => {
    // Prepare
    const local = 'http://127.0.0.1:8080/cluster-a';

    // Act
    const document = parseDiscovery(buildDiscovery(local), local);

    // Assess
    expect(document.jwks_uri).toBe(`${local}/keys.json`);
  });

  it('rejects a document naming another issuer', () => {
    // Prepare
    const text = buildDiscovery('https://oidc.example.com/cluster-b');

    // Act
    const error = rejectionOf(text);

    // Assess
    expect(error.code).toBe('ERR_DISCOVERY_ISSUER_MISMATCH');
    expect(error.message).toContain('cluster-b');
  });

  it('rejects an issuer that differs only by a trailing slash', () => {
    // Prepare
    const text = JSON.stringify({ ...EXPECTED_DISCOVERY, issuer: `${ISSUER}/` });

    // Act
    const error = rejectionOf(text);

    // Assess
    expect(error.code).toBe('ERR_DISCOVERY_ISSUER_MISMATCH');
  });

  const { jwks_uri: _jwksUri, ...withoutJwksUri } = EXPECTED_DISCOVERY;
  const { issuer: _issuer, ...withoutIssuer } = EXPECTED_DISCOVERY;
  it.each([
    ['it is not JSON', '<html>Access Denied</html>'],
    ['it is empty', ''],
    ['it is a JSON array', JSON.stringify([EXPECTED_DISCOVERY])],
    ['it is JSON null', 'null'],
    ['jwks_uri is missing', JSON.stringify(withoutJwksUri)],
    ['issuer is missing', JSON.stringify(withoutIssuer)],
    ['jwks_uri is not a string', JSON.stringify({ ...EXPECTED_DISCOVERY, jwks_uri: ['a'] })],
    [
      'jwks_uri is http on a public host',
      JSON.stringify({ ...EXPECTED_DISCOVERY, jwks_uri: 'http://oidc.example.com/keys.json' }),
    ],
    ['jwks_uri is not a URL', JSON.stringify({ ...EXPECTED_DISCOVERY, jwks_uri: 'keys.json' })],
  ])('rejects a document when %s', (_name, text) => {
    // Act
    const error = rejectionOf(text);

    // Assess
    expect(error.code).toBe('ERR_DISCOVERY_INVALID');
  });
});
