import { DISCOVERY_PATH, type DiscoveryDocument, parseDiscovery } from './discovery.ts';
import { IssuerFetchError } from './errors.ts';
import { assertFetchableUrl, issuerDocumentUrl, normalizeIssuerUrl } from './issuer-url.ts';
import { type KeySet, MAX_KEY_SET_BYTES, type ParseKeySetOptions, parseKeySet } from './key-set.ts';

/** The `fetch` keyturn uses; injectable so tests and local runs never need the internet. */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** How to read public documents. */
export interface ReadPublicOptions {
  /** @default globalThis.fetch */
  readonly fetch?: Fetch;
  /** Give up on one request after this long. @default 10_000 */
  readonly timeoutMs?: number;
}

/** What a third party sees at the issuer URL. */
export interface PublicIssuer {
  readonly issuer: string;
  readonly discovery: DiscoveryDocument;
  readonly keySet: KeySet;
}

/**
 * Reads an issuer the way a relying party does: the discovery document first, then the JWKS it names.
 * Both must answer a plain 200; the discovery document must name this issuer exactly.
 */
export async function readPublicIssuer(
  issuerUrl: string,
  options: ReadPublicOptions & ParseKeySetOptions = {},
): Promise<PublicIssuer> {
  const issuer = normalizeIssuerUrl(issuerUrl);
  const discovery = parseDiscovery(
    await fetchDocument(issuerDocumentUrl(issuer, DISCOVERY_PATH), options),
    issuer,
  );
  const keySet = await fetchKeySet(discovery.jwks_uri, options);
  return { issuer, discovery, keySet };
}

/** Fetches and validates a JWKS from a URL. */
export async function fetchKeySet(
  url: string,
  options: ReadPublicOptions & ParseKeySetOptions = {},
): Promise<KeySet> {
  return parseKeySet(await fetchDocument(assertFetchableUrl(url), options), options);
}

/** GETs a small JSON document, refusing redirects, non-200 answers and oversized bodies. */
export async function fetchDocument(url: string, options: ReadPublicOptions = {}): Promise<string> {
  return (await fetchServedDocument(url, options)).text;
}

/** A document as a relying party received it: its text and the headers it was served with. */
export interface ServedDocument {
  readonly text: string;
  readonly headers: Headers;
}

/** {@link fetchDocument}, keeping the answer's headers for the checks of served-headers.ts. */
export async function fetchServedDocument(
  url: string,
  options: ReadPublicOptions = {},
): Promise<ServedDocument> {
  const fetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'manual',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new IssuerFetchError('ERR_ISSUER_FETCH', `could not reach ${url}: ${describeFailure(error)}`, {
      cause: error,
    });
  }
  assertPlainOk(url, response);
  return { text: await readBody(url, response), headers: response.headers };
}

function assertPlainOk(url: string, response: Response): void {
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('location') ?? 'elsewhere';
    throw new IssuerFetchError(
      'ERR_ISSUER_FETCH',
      `${url} answered a ${response.status} redirect to ${location}; issuer documents must be served with a plain 200`,
    );
  }
  if (response.status !== 200) {
    throw new IssuerFetchError('ERR_ISSUER_FETCH', `${url} answered HTTP ${response.status}, expected 200`);
  }
}

/**
 * Reads at most MAX_KEY_SET_BYTES of the body, stopping (and cancelling the rest) as soon as it is
 * exceeded, so a hostile server cannot make us buffer an unbounded answer. The body can also fail after
 * a 200 (the timeout fires mid-body, the connection drops).
 */
async function readBody(url: string, response: Response): Promise<string> {
  const tooLarge = () =>
    new IssuerFetchError('ERR_ISSUER_FETCH', `${url} answered more than ${MAX_KEY_SET_BYTES} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > MAX_KEY_SET_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > MAX_KEY_SET_BYTES) {
        break;
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw new IssuerFetchError('ERR_ISSUER_FETCH', `could not read ${url}: ${describeFailure(error)}`, {
      cause: error,
    });
  }
  if (size > MAX_KEY_SET_BYTES) {
    throw tooLarge();
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFailure(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return 'timed out';
  }
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}
