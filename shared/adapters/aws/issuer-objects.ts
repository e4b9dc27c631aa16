import { DISCOVERY_PATH, KEY_SET_PATH } from '../../issuer/discovery.ts';
import { InvalidIssuerUrlError } from '../../issuer/errors.ts';
import { normalizeIssuerUrl } from '../../issuer/issuer-url.ts';
import type { IssuerDocument } from '../../issuer/publishing.ts';

/** One issuer document and the object key that holds it in the issuer bucket. */
export interface IssuerObject {
  readonly document: IssuerDocument;
  /** `cluster-a/keys.json`; CloudFront serves it at `/cluster-a/keys.json`. */
  readonly key: string;
}

/**
 * The user metadata (`x-amz-meta-keyturn-generation`) in which each issuer document object records the
 * keyring generation it was built from; absent on objects written by ccoctl or by older keyturn (0).
 */
export const GENERATION_METADATA = 'keyturn-generation';

/** A URL path segment that is also the same plain S3 key segment (no percent-decoding involved). */
const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * The objects of an issuer, keys.json first: `https://d111.cloudfront.net/cluster-a` has
 * `cluster-a/keys.json` and `cluster-a/.well-known/openid-configuration`; an issuer without a path has
 * them at the bucket's root. Segments that CloudFront and S3 could read differently (`..`, `%2F`, empty)
 * are refused.
 */
export function issuerObjects(issuerUrl: string): readonly [IssuerObject, IssuerObject] {
  const issuer = normalizeIssuerUrl(issuerUrl);
  const segments = new URL(issuer).pathname.split('/').slice(1);
  const root = segments.length === 1 && segments[0] === '';
  for (const segment of root ? [] : segments) {
    if (!PATH_SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw new InvalidIssuerUrlError(
        'ERR_ISSUER_URL',
        `issuer ${issuer}: path segment ${JSON.stringify(segment)} cannot name an S3 object; use letters, digits, '.', '-', '_' or '~'`,
      );
    }
  }
  const prefix = root ? '' : `${segments.join('/')}/`;
  return [
    { document: KEY_SET_PATH, key: `${prefix}${KEY_SET_PATH}` },
    { document: DISCOVERY_PATH, key: `${prefix}${DISCOVERY_PATH}` },
  ];
}
