import { generateKeyPair as generateNodeKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { InvalidKeyError } from './errors.ts';
import {
  GENERATED_RSA_BITS,
  type PrivateSigningKey,
  type RsaBits,
  toPublicSigningKey,
} from './signing-key.ts';

const generateRsa = promisify(generateNodeKeyPair);

/** The size ccoctl and keyturn generate by default. */
export const DEFAULT_RSA_BITS: RsaBits = 4096;

/** Narrows a user-supplied size to one keyturn generates, or explains which are allowed. */
export function parseRsaBits(value: number | string): RsaBits {
  const bits = Number(value);
  const allowed = GENERATED_RSA_BITS.find((size) => size === bits);
  if (allowed === undefined) {
    throw new InvalidKeyError(
      'ERR_KEY_STRENGTH',
      `RSA key size ${String(value)} is not offered; choose ${GENERATED_RSA_BITS.join(', ')} (default ${DEFAULT_RSA_BITS})`,
    );
  }
  return allowed;
}

/** Generates an RSA signing key pair (exponent 65537) off the main thread. */
export async function generateSigningKeyPair(bits: RsaBits = DEFAULT_RSA_BITS): Promise<PrivateSigningKey> {
  const { privateKey, publicKey } = await generateRsa('rsa', {
    modulusLength: parseRsaBits(bits),
    publicExponent: 0x10001,
  });
  return { key: privateKey, publicKey: toPublicSigningKey(publicKey, 'generated key') };
}
