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

/** How {@link loadKeySet} reads. */
export interface LoadKeySetOptions extends ReadPublicOptions {
  /**
   * Skip the keys of a JWKS that cannot verify RS256 tokens (an EC key, RSA < 2048) and list them in
   * `keySet.skipped`, as a relying party does with a third party's set. False for keyturn reading its own
   * issuer back (the closing check), where such a key is drift or tampering (ALWAYS-VALID).
   * @default true
   */
  readonly skipUnusableKeys?: boolean;
}

/**
 * Loads trusted keys for verification. Key sets from elsewhere may name their keys any way they like,
 * so kube-apiserver kids are not required here, and keys that cannot verify RS256 tokens are skipped with
 * a note; every key kept is validated (RSA ≥ 2048, RS256).
 */
export async function loadKeySet(source: KeySource, options: LoadKeySetOptions = {}): Promise<LoadedKeySet> {
  const lenient = {
    ...options,
    requireKubernetesKids: false,
    skipUnusableKeys: options.skipUnusableKeys ?? true,
  };
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
