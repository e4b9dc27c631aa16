import { describe, expect, it } from 'vitest';
import { InvalidIssuerUrlError, issuerDocumentUrl, normalizeIssuerUrl } from '#shared/issuer/index.ts';

function rejectionOf(text: string): InvalidIssuerUrlError {
  try {
    normalizeIssuerUrl(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidIssuerUrlError);
    return error as InvalidIssuerUrlError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('normalizeIssuerUrl', () => {
  it.each([
    ['https://oidc.example.com', 'https://oidc.example.com'],
    ['https://oidc.example.com/', 'https://oidc.example.com'],
    ['https://oidc.example.com/cluster-a', 'https://oidc.example.com/cluster-a'],
    ['https://oidc.example.com/cluster-a/', 'https://oidc.example.com/cluster-a'],
    ['https://oidc.example.com/cluster-a///', 'https://oidc.example.com/cluster-a'],
    [
      'https://d111111abcdef8.cloudfront.net/fleet/cluster-a',
      'https://d111111abcdef8.cloudfront.net/fleet/cluster-a',
    ],
    ['  https://oidc.example.com/cluster-a  ', 'https://oidc.example.com/cluster-a'],
    ['HTTPS://OIDC.Example.COM/Cluster-A', 'https://oidc.example.com/Cluster-A'],
    ['https://oidc.example.com:443/cluster-a', 'https://oidc.example.com/cluster-a'],
    ['https://oidc.example.com:8443/cluster-a', 'https://oidc.example.com:8443/cluster-a'],
    ['http://127.0.0.1:8080/cluster-a/', 'http://127.0.0.1:8080/cluster-a'],
    ['http://127.10.20.30', 'http://127.10.20.30'],
    ['http://[::1]:9000/cluster-a', 'http://[::1]:9000/cluster-a'],
    ['http://localhost:3000', 'http://localhost:3000'],
  ])('accepts %s as %s', (input, expected) => {
    // Act
    const issuer = normalizeIssuerUrl(input);

    // Assess
    expect(issuer).toBe(expected);
  });

  it.each([
    ['plain http on a public host', 'http://oidc.example.com/cluster-a'],
    ['plain http on a private address', 'http://10.0.0.1/cluster-a'],
    ['plain http on a name that starts with localhost', 'http://localhost.example.com'],
    ['plain http on a name that starts with 127.0.0.1', 'http://127.0.0.1.nip.io'],
    ['an ftp URL', 'ftp://oidc.example.com/cluster-a'],
    ['a file URL', 'file:///etc/keys.json'],
    ['an empty string', ''],
    ['only spaces', '   '],
    ['text that is not a URL', 'not a url'],
    ['a host without a scheme', 'oidc.example.com/cluster-a'],
    ['a user name and password', 'https://admin:hunter2@oidc.example.com/cluster-a'],
    ['a user name', 'https://admin@oidc.example.com/cluster-a'],
    ['a query', 'https://oidc.example.com/cluster-a?version=2'],
    ['an empty query', 'https://oidc.example.com/cluster-a?'],
    ['a fragment', 'https://oidc.example.com/cluster-a#keys'],
    ['an empty fragment', 'https://oidc.example.com/cluster-a#'],
  ])('rejects %s (%s)', (_name, input) => {
    // Act
    const error = rejectionOf(input);

    // Assess
    expect(error.code).toBe('ERR_ISSUER_URL');
    expect(error.message).not.toBe('');
  });

  it('rejects credentials without repeating the password', () => {
    // Act
    const error = rejectionOf('https://admin:hunter2@oidc.example.com/cluster-a');

    // Assess
    expect(error.code).toBe('ERR_ISSUER_URL');
    expect(error.message).not.toContain('hunter2');
  });
});

describe('issuerDocumentUrl', () => {
  it('places documents under the issuer path', () => {
    // Act
    const url = issuerDocumentUrl('https://oidc.example.com/cluster-a', 'keys.json');

    // Assess
    expect(url).toBe('https://oidc.example.com/cluster-a/keys.json');
  });
});
