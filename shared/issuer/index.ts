/** keys.json and discovery documents: build, validate, and read them back as the public sees them. */
export { buildDiscovery, DISCOVERY_PATH, KEY_SET_PATH, parseDiscovery } from './discovery.ts';
export {
  InvalidDiscoveryError,
  InvalidIssuerUrlError,
  type InvalidKeySetCode,
  InvalidKeySetError,
  IssuerFetchError,
} from './errors.ts';
export { issuerDocumentUrl, normalizeIssuerUrl } from './issuer-url.ts';
export { buildKeySet, MAX_KEY_SET_KEYS, parseKeySet } from './key-set.ts';
export { ISSUER_CACHE_CONTROL, ISSUER_CONTENT_TYPE, issuerDocumentOf } from './publishing.ts';
export { type Fetch, fetchDocument, readPublicIssuer } from './read-public-issuer.ts';
