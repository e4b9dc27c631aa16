import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { isJsonObject } from '../json.ts';
import { InvalidKeyError } from './errors.ts';
import { readSinglePemBlock } from './pem.ts';

/** What a key file held once decoded, before we know whether it is the kind of key the caller wants. */
export type KeyInput =
  | {
      readonly form: 'der';
      readonly der: Buffer;
      readonly label?: string;
      readonly pemText?: string;
      readonly encrypted: boolean;
    }
  | { readonly form: 'jwk'; readonly jwk: Record<string, unknown> };

/** Largest key file read: a 8192-bit private key in PEM is under 7 KiB. */
export const MAX_KEY_INPUT_BYTES = 64 * 1024;

/**
 * Decodes key text (one PEM block, a JWK, a one-key JWKS) or raw DER bytes. Labels are kept only as hints:
 * the caller parses by content, because OpenShift writes SPKI bytes under an `RSA PUBLIC KEY` label.
 */
export function readKeyInput(input: string | Uint8Array, source: string): KeyInput {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  if (bytes.length > MAX_KEY_INPUT_BYTES) {
    throw new InvalidKeyError(
      'ERR_KEY_FORMAT',
      `${source}: ${bytes.length} bytes is too large for a key file`,
    );
  }
  const text = bytes.toString('utf8').trim();
  if (text === '') {
    throw new InvalidKeyError('ERR_KEY_FORMAT', `${source}: is empty; expected a PEM or JWK key`);
  }
  if (text.startsWith('{')) {
    return { form: 'jwk', jwk: readJwk(text, source) };
  }
  if (text.includes('-----BEGIN ')) {
    const block = readSinglePemBlock(text, source);
    const encrypted = (block.headers.get('Proc-Type') ?? '').includes('ENCRYPTED');
    return { form: 'der', der: block.der, label: block.label, pemText: block.text, encrypted };
  }
  if (bytes[0] === 0x30) {
    return { form: 'der', der: bytes, encrypted: false };
  }
  throw new InvalidKeyError('ERR_KEY_FORMAT', `${source}: is not a key (expected PEM, DER or JWK)`);
}

/**
 * Parses DER as SPKI or PKCS#1 public key, whatever the label claimed. Node would also derive a public
 * key from private key DER; that is refused here, so a private key is never mistaken for a public one.
 */
export function tryPublicKeyFromDer(der: Buffer): KeyObject | undefined {
  if (tryPrivateKeyFromDer(der) !== undefined) {
    return undefined;
  }
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      return createPublicKey({ key: der, format: 'der', type });
    } catch {
      // Not this structure: try the next one.
    }
  }
  return undefined;
}

/** Parses DER as an unencrypted PKCS#8, PKCS#1 or SEC1 private key. */
export function tryPrivateKeyFromDer(der: Buffer): KeyObject | undefined {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // Not this structure (or encrypted): try the next one.
    }
  }
  return undefined;
}

/** True when the DER bytes are an X.509 certificate. */
export function isCertificate(der: Buffer): boolean {
  try {
    new X509Certificate(der);
    return true;
  } catch {
    return false;
  }
}

function readJwk(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidKeyError('ERR_KEY_FORMAT', `${source}: looks like JSON but does not parse`);
  }
  if (!isJsonObject(value)) {
    throw new InvalidKeyError('ERR_KEY_FORMAT', `${source}: is JSON but not a JWK object`);
  }
  if (!Array.isArray(value.keys)) {
    return value;
  }
  const [only, ...rest] = value.keys as unknown[];
  if (only === undefined) {
    throw new InvalidKeyError('ERR_KEY_FORMAT', `${source}: is a JWKS without keys`);
  }
  if (rest.length > 0) {
    throw new InvalidKeyError(
      'ERR_KEY_MULTIPLE',
      `${source}: is a JWKS with ${value.keys.length} keys where one key was expected`,
    );
  }
  if (!isJsonObject(only)) {
    throw new InvalidKeyError('ERR_KEY_FORMAT', `${source}: the JWKS entry is not a JWK object`);
  }
  return only;
}
