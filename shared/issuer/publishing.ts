import { DISCOVERY_PATH, KEY_SET_PATH } from './discovery.ts';

/** The two documents an issuer publishes. */
export type IssuerDocument = typeof KEY_SET_PATH | typeof DISCOVERY_PATH;

/** Content type of both documents (DESIGN.md §1). */
export const ISSUER_CONTENT_TYPE = 'application/json';

/**
 * Cache-Control per document (DESIGN.md §1): keys.json short (relying parties refetch on an unknown kid
 * and a new key must be seen within the lead time), discovery long. Never `no-store` or `max-age=0`.
 */
export const ISSUER_CACHE_CONTROL: Readonly<Record<IssuerDocument, string>> = {
  [KEY_SET_PATH]: 'public, max-age=300',
  [DISCOVERY_PATH]: 'public, max-age=3600',
};

/** Which issuer document a URL path names (`/<issuer-path>/keys.json`...), if any. */
export function issuerDocumentOf(urlPath: string): IssuerDocument | undefined {
  if (urlPath === `/${KEY_SET_PATH}` || urlPath.endsWith(`/${KEY_SET_PATH}`)) {
    return KEY_SET_PATH;
  }
  if (urlPath === `/${DISCOVERY_PATH}` || urlPath.endsWith(`/${DISCOVERY_PATH}`)) {
    return DISCOVERY_PATH;
  }
  return undefined;
}
