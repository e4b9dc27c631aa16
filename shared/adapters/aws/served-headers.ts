import { ISSUER_CONTENT_TYPE } from '../../issuer/publishing.ts';
import { IssuerHeadersError } from './publisher-errors.ts';

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
      `${url} is served with Content-Type ${contentType ?? '(none)'}, not ${ISSUER_CONTENT_TYPE}; publish it again, and check that no CloudFront response headers policy overrides it`,
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
      `${url} is served with Cache-Control "${cacheControl}" (${forbidden}); relying parties must be allowed to cache keys.json: publish it again, and check the CloudFront cache and response headers policies`,
    );
  }
}
