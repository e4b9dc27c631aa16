import {
  assertKeyPairMatches,
  encodePrivateKeyPem,
  encodePublicKeyPem,
  InvalidKeyError,
  type PrivateSigningKey,
  type PublicSigningKey,
  parsePrivateKey,
  parsePublicKey,
} from '#shared/keys/index.ts';
import { encodePem } from '#shared/keys/pem.ts';
import { ClusterApiError } from './errors.ts';
import { type ConfigMap, PRIVATE_KEY_DATA_KEY, PUBLIC_KEY_DATA_KEY, type Secret } from './objects.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** How a public key is labelled in PEM: SPKI bytes either way (DESIGN.md §1: PEM labels lie). */
export type PublicKeyLabel = 'PUBLIC KEY' | 'RSA PUBLIC KEY';

/**
 * Secret `data` for a key pair: PKCS#1 private key and SPKI public key, base64. keyturn writes the public
 * key as `PUBLIC KEY`; the operator writes the same SPKI bytes under `RSA PUBLIC KEY`.
 */
export function signingPairData(pair: PrivateSigningKey, label: PublicKeyLabel): Record<string, string> {
  return {
    [PRIVATE_KEY_DATA_KEY]: toBase64(encodePrivateKeyPem(pair)),
    [PUBLIC_KEY_DATA_KEY]: toBase64(encodePublicKey(pair.publicKey, label)),
  };
}

/** A public key as PEM under the given label. */
export function encodePublicKey(publicKey: PublicSigningKey, label: PublicKeyLabel): string {
  return label === 'PUBLIC KEY'
    ? encodePublicKeyPem(publicKey)
    : encodePem(label, publicKey.key.export({ type: 'spki', format: 'der' }));
}

/** UTF-8 text as base64, as Secret `data` holds it. */
export function toBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The text of one Secret data value, or undefined when absent or empty. */
export function readDataText(data: Readonly<Record<string, string>>, key: string): string | undefined {
  const value = data[key];
  return value === undefined || value === '' ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** Checks that every Secret `data` value is a base64 string, as kube-apiserver's decoder does. */
export function assertSecretData(data: unknown): asserts data is Record<string, string> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ClusterApiError('ERR_SIM_INVALID', 'data: Invalid value: must be a map of strings');
  }
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string' || !BASE64.test(value)) {
      throw new ClusterApiError('ERR_SIM_INVALID', `data[${key}]: Invalid value: illegal base64 data`);
    }
  }
}

/**
 * Validates the key pair in a next-key Secret's data, as a validating webhook in front of the operator
 * would: each non-empty PEM must parse (by content, whatever its label), and when both are present they
 * must belong together. Missing or empty values pass: the operator treats them as an emptied secret.
 */
export function assertSigningPairData(data: Readonly<Record<string, string>>): void {
  const privatePem = readDataText(data, PRIVATE_KEY_DATA_KEY);
  const publicPem = readDataText(data, PUBLIC_KEY_DATA_KEY);
  const pair =
    privatePem === undefined
      ? undefined
      : asInvalid(() => parsePrivateKey(privatePem, `data[${PRIVATE_KEY_DATA_KEY}]`));
  const publicKey =
    publicPem === undefined
      ? undefined
      : asInvalid(() => parsePublicKey(publicPem, `data[${PUBLIC_KEY_DATA_KEY}]`));
  if (pair !== undefined && publicKey !== undefined) {
    asInvalid(() => assertKeyPairMatches(pair, publicKey));
  }
}

const pairs = new WeakMap<Secret, PrivateSigningKey | undefined>();

/**
 * The key pair a signing-key Secret holds, or undefined when the secret is missing or emptied (either
 * value absent or empty: the operator's own test). Stored data was validated on write; parsed pairs are
 * cached per stored object.
 */
export function readSigningPair(secret: Secret | undefined): PrivateSigningKey | undefined {
  if (secret === undefined) {
    return undefined;
  }
  if (!pairs.has(secret)) {
    const privatePem = readDataText(secret.data, PRIVATE_KEY_DATA_KEY);
    const complete = privatePem !== undefined && readDataText(secret.data, PUBLIC_KEY_DATA_KEY) !== undefined;
    pairs.set(secret, complete ? parsePrivateKey(privatePem) : undefined);
  }
  return pairs.get(secret);
}

const trustedKeys = new WeakMap<ConfigMap, ReadonlyMap<string, PublicSigningKey>>();

/** The public keys of a trusted-keys ConfigMap by data name, parsed by content and cached per object. */
export function readTrustedKeys(configMap: ConfigMap | undefined): ReadonlyMap<string, PublicSigningKey> {
  if (configMap === undefined) {
    return new Map();
  }
  let keys = trustedKeys.get(configMap);
  if (keys === undefined) {
    keys = new Map(
      Object.entries(configMap.data)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, pem]) => [name, parsePublicKey(pem, `${configMap.metadata.name}/${name}`)]),
    );
    trustedKeys.set(configMap, keys);
  }
  return keys;
}

function asInvalid<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidKeyError) {
      throw new ClusterApiError('ERR_SIM_INVALID', `${error.message} (${error.code})`, { cause: error });
    }
    throw error;
  }
}
