import { type KeySet, parseKeySet } from '../issuer/key-set.ts';
import { fetchKeySet, type ReadPublicOptions, readPublicIssuer } from '../issuer/read-public-issuer.ts';
import { parsePublicKey } from '../keys/parse-public-key.ts';

/** Where the keys that verify a token come from. */
export type KeySource =
  /** One public key (PEM, DER or JWK content); `name` labels it in errors. */
  | { readonly kind: 'public-key'; readonly content: string | Uint8Array; readonly name: string }
  /** A JWKS document's text. */
  | { readonly kind: 'jwks'; readonly content: string }
  /** A JWKS fetched from a URL. */
  | { readonly kind: 'jwks-url'; readonly url: string }
  /** An issuer URL: discovery document first, then the JWKS it names, as a third party does. */
  | { readonly kind: 'issuer'; readonly issuerUrl: string };

/** The trusted keys, and the issuer they were read from when the source was an issuer. */
export interface LoadedKeySet {
  readonly keySet: KeySet;
  readonly issuer?: string;
}

/**
 * Loads trusted keys for verification. Key sets from elsewhere may name their keys any way they like,
 * so kube-apiserver kids are not required here; every key is still validated (RSA ≥ 2048, RS256).
 */
export async function loadKeySet(source: KeySource, options: ReadPublicOptions = {}): Promise<LoadedKeySet> {
  const lenient = { ...options, requireKubernetesKids: false };
  switch (source.kind) {
    case 'public-key':
      return { keySet: { keys: [parsePublicKey(source.content, source.name)] } };
    case 'jwks':
      return { keySet: parseKeySet(source.content, lenient) };
    case 'jwks-url':
      return { keySet: await fetchKeySet(source.url, lenient) };
    case 'issuer': {
      const { issuer, keySet } = await readPublicIssuer(source.issuerUrl, lenient);
      return { keySet, issuer };
    }
  }
}
