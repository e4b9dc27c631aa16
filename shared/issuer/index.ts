/** keys.json and discovery documents: build, validate, and read them back as the public sees them. */
export {
  buildDiscovery,
  DISCOVERY_PATH,
  type DiscoveryDocument,
  KEY_SET_PATH,
  parseDiscovery,
} from './discovery.ts';
export {
  InvalidDiscoveryError,
  InvalidIssuerUrlError,
  type InvalidKeySetCode,
  InvalidKeySetError,
  IssuerFetchError,
} from './errors.ts';
export { assertFetchableUrl, isLoopback, issuerDocumentUrl, normalizeIssuerUrl } from './issuer-url.ts';
export {
  buildKeySet,
  type KeySet,
  MAX_KEY_SET_KEYS,
  type ParseKeySetOptions,
  parseKeySet,
} from './key-set.ts';
export {
  ISSUER_CACHE_CONTROL,
  ISSUER_CONTENT_TYPE,
  type IssuerDocument,
  issuerDocumentOf,
} from './publishing.ts';
export {
  type Fetch,
  fetchDocument,
  fetchKeySet,
  type PublicIssuer,
  type ReadPublicOptions,
  readPublicIssuer,
} from './read-public-issuer.ts';
