import type { PublicView } from '../ports.ts';
import { KEY_SET_PATH } from './discovery.ts';
import { IssuerHeadersError } from './errors.ts';
import { issuerDocumentUrl, normalizeIssuerUrl } from './issuer-url.ts';
import { parseKeySet } from './key-set.ts';
import { ISSUER_CONTENT_TYPE } from './publishing.ts';
import { fetchServedDocument, type ReadPublicOptions } from './read-public-issuer.ts';

/**
 * Refuses a public answer relying parties would mishandle (DESIGN.md §1): a content type other than
 * application/json (parameters such as `charset` allowed), or a Cache-Control that forbids caching
 * (`no-store`, `max-age=0`), which would send every STS call back to the origin.
 */
export function assertServedForRelyingParties(url: string, headers: Headers): void {
  const contentType = headers.get('content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== ISSUER_CONTENT_TYPE) {
    throw new IssuerHeadersError(
      'ERR_ISSUER_HEADERS',
      `${url} is served with Content-Type ${contentType ?? '(none)'}, not ${ISSUER_CONTENT_TYPE}; publish it again, and check that nothing between the origin and the public URL (a CloudFront response headers policy, a proxy) overrides it`,
    );
  }
  const cacheControl = headers.get('cache-control') ?? '';
  const forbidden = cacheControl
    .split(',')
    .map((directive) =>
      directive
        .trim()
        .toLowerCase()
        .replace(/\s*=\s*/, '='),
    )
    .find((directive) => directive === 'no-store' || /^max-age="?0+"?$/.test(directive));
  if (forbidden !== undefined) {
    throw new IssuerHeadersError(
      'ERR_ISSUER_HEADERS',
      `${url} is served with Cache-Control "${cacheControl}" (${forbidden}); relying parties must be allowed to cache keys.json: publish it again, and check the cache and response headers policies in front of it`,
    );
  }
}

/**
 * IssuerPublisher.readPublic for publishers served over HTTP: GETs `<issuer>/keys.json` exactly as a
 * relying party does (plain 200 only, bounded body), refuses headers relying parties mishandle, and
 * checks the key set (ALWAYS-VALID).
 */
export async function readPublicKeySet(
  issuerUrl: string,
  options: ReadPublicOptions = {},
): Promise<PublicView> {
  const url = issuerDocumentUrl(normalizeIssuerUrl(issuerUrl), KEY_SET_PATH);
  const { text, headers } = await fetchServedDocument(url, options);
  assertServedForRelyingParties(url, headers);
  const keySet = parseKeySet(text);
  return { kids: keySet.keys.map((key) => key.kid), keySet: text };
}
