import {
  encodePrivateKeyPem,
  encodePublicKeyPem,
  InvalidKeyError,
  type PrivateSigningKey,
  parsePublicKey,
} from '../../keys/index.ts';
import { NEXT_SECRET_NAME, PRIVATE_KEY_DATA_KEY, PUBLIC_KEY_DATA_KEY } from './names.ts';

/** One RFC 6902 operation on the next secret's data. */
export interface JsonPatchOperation {
  readonly op: 'add' | 'replace';
  readonly path: string;
  readonly value: unknown;
}

/** Secret `data` for a pair: the private key as PKCS#1 PEM, the public key as SPKI PEM, both base64. */
export type SigningPairData = Readonly<
  Record<typeof PRIVATE_KEY_DATA_KEY | typeof PUBLIC_KEY_DATA_KEY, string>
>;

/** What the next secret needs for a pair to be in it: nothing, or a JSON patch. */
export type NextSecretWrite =
  | { readonly kind: 'none' }
  | { readonly kind: 'patch'; readonly patch: JsonPatchOperation[] };

/** The next secret's data for `pair`, as ccoctl and the operator expect it (DESIGN.md §1). */
export function signingPairData(pair: PrivateSigningKey): SigningPairData {
  return {
    [PRIVATE_KEY_DATA_KEY]: toBase64(encodePrivateKeyPem(pair)),
    [PUBLIC_KEY_DATA_KEY]: toBase64(encodePublicKeyPem(pair.publicKey)),
  };
}

/** The next secret as created when it does not exist. */
export function nextSecretBody(data: SigningPairData) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: NEXT_SECRET_NAME },
    type: 'Opaque',
    data: { ...data },
  };
}

/**
 * Decides how to bring the stored next secret to `pair`. Nothing is written when it already holds this
 * pair (the same public key, by kid, whatever its PEM label, and the same private key PEM): a needless
 * write could make the operator cut a new revision and roll every kube-apiserver.
 * Otherwise the two values are replaced with JSON patch; `add` stands in where a value (or the whole
 * data map) is missing, since RFC 6902 `replace` fails on an absent member.
 */
export function planNextSecretWrite(stored: unknown, pair: PrivateSigningKey): NextSecretWrite {
  const data = signingPairData(pair);
  const storedData = readData(stored);
  if (storedData === undefined) {
    return { kind: 'patch', patch: [{ op: 'add', path: '/data', value: { ...data } }] };
  }
  const samePublic = readPublicKid(storedData[PUBLIC_KEY_DATA_KEY]) === pair.publicKey.kid;
  const samePrivate = readText(storedData[PRIVATE_KEY_DATA_KEY])?.trim() === encodePrivateKeyPem(pair).trim();
  if (samePublic && samePrivate) {
    return { kind: 'none' };
  }
  const keys = [PRIVATE_KEY_DATA_KEY, PUBLIC_KEY_DATA_KEY] as const;
  return {
    kind: 'patch',
    patch: keys.map((key) => ({
      op: key in storedData ? 'replace' : 'add',
      path: `/data/${key}`,
      value: data[key],
    })),
  };
}

function readData(secret: unknown): Readonly<Record<string, unknown>> | undefined {
  if (typeof secret !== 'object' || secret === null) {
    return undefined;
  }
  const { data } = secret as { data?: unknown };
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : undefined;
}

/** The text of a Secret data value, or undefined when it is not a string. */
function readText(value: unknown): string | undefined {
  return typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : undefined;
}

function readPublicKid(value: unknown): string | undefined {
  const pem = readText(value);
  if (pem === undefined || pem === '') {
    return undefined;
  }
  try {
    return parsePublicKey(pem).kid;
  } catch (error) {
    if (error instanceof InvalidKeyError) {
      return undefined;
    }
    throw error;
  }
}

function toBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
