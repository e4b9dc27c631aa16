import { InvalidIssuerUrlError } from './errors.ts';

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * Validates and normalises an issuer URL: `https://` (plain `http://` only for loopback, for local
 * runs), no credentials, query or fragment, a path allowed, trailing slashes removed. The result is the
 * exact string that goes into the `iss` claim, the discovery document and the IAM OIDC provider.
 */
export function normalizeIssuerUrl(text: string): string {
  const url = parseSecureUrl(text, 'issuer');
  if (url.username !== '' || url.password !== '') {
    throw new InvalidIssuerUrlError(
      'ERR_ISSUER_URL',
      `issuer ${url.host}: must not carry a user name or password`,
    );
  }
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) {
    throw new InvalidIssuerUrlError('ERR_ISSUER_URL', `issuer ${text}: must not have a query or fragment`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Refuses a document URL (a jwks_uri, a `--jwks` URL) keyturn must not fetch: anything but https, or
 * plain http on a non-loopback host. Returns the URL, trimmed.
 */
export function assertFetchableUrl(text: string): string {
  parseSecureUrl(text, 'URL');
  return text.trim();
}

/** True when the URL points at this machine, where plain HTTP is acceptable. */
export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.test(url.hostname) || LOOPBACK_HOSTS.test(`[${url.hostname}]`);
}

/** The URL of a document under the issuer, e.g. `keys.json` → `https://host/cluster/keys.json`. */
export function issuerDocumentUrl(issuerUrl: string, relativePath: string): string {
  return `${issuerUrl}/${relativePath}`;
}

function parseSecureUrl(text: string, what: string): URL {
  const trimmed = text.trim();
  if (trimmed === '') {
    throw new InvalidIssuerUrlError('ERR_ISSUER_URL', `the ${what} is empty`);
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new InvalidIssuerUrlError(
      'ERR_ISSUER_URL',
      `${what} ${text}: is not a URL (expected https://host[/path])`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new InvalidIssuerUrlError(
      'ERR_ISSUER_URL',
      `${what} ${text}: must use https:// (http:// is allowed only for 127.0.0.1, ::1 or localhost)`,
    );
  }
  return url;
}
