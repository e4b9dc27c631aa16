import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { InvalidKeyError } from './errors.ts';
import {
  isCertificate,
  type KeyInput,
  readKeyInput,
  tryPrivateKeyFromDer,
  tryPublicKeyFromDer,
} from './key-input.ts';
import { type PublicSigningKey, toPublicSigningKey } from './signing-key.ts';

/**
 * Parses an RSA public key from PEM (SPKI or PKCS#1, whatever the label says), DER, or a JWK, and
 * validates it for RS256. `source` names the input in error messages (a file name, "keys.json entry 2").
 */
export function parsePublicKey(input: string | Uint8Array, source = 'public key'): PublicSigningKey {
  const decoded = readKeyInput(input, source);
  const key =
    decoded.form === 'jwk' ? publicKeyFromJwk(decoded.jwk, source) : publicKeyFromDer(decoded, source);
  return toPublicSigningKey(key, source);
}

/**
 * JWK members only a private or secret key has (RFC 7518 §6.3.2 for RSA, §6.2.2 EC, §6.4.1 oct). Any one
 * of them makes a JWK private: the CRT members alone (p, q, dp, dq, qi) give the private key away.
 */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The private members a JWK carries, in {@link PRIVATE_JWK_MEMBERS} order. */
export function privateJwkMembers(jwk: Record<string, unknown>): string[] {
  return PRIVATE_JWK_MEMBERS.filter((member) => member in jwk);
}

/** Imports a public JWK; refuses one that carries any private member, naming the members, never their values. */
export function publicKeyFromJwk(jwk: Record<string, unknown>, source: string): KeyObject {
  const members = privateJwkMembers(jwk);
  if (members.length > 0) {
    throw new InvalidKeyError(
      'ERR_KEY_KIND',
      `${source}: is a private JWK (it has ${members.map((member) => `"${member}"`).join(', ')}); pass the public key (kty, n, e), and keep the private one out of shared files`,
    );
  }
  try {
    return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw new InvalidKeyError(
      'ERR_KEY_FORMAT',
      `${source}: is not a valid public JWK (kty ${String(jwk.kty)})`,
    );
  }
}

function publicKeyFromDer(input: Extract<KeyInput, { form: 'der' }>, source: string): KeyObject {
  const publicKey = tryPublicKeyFromDer(input.der);
  if (publicKey !== undefined) {
    return publicKey;
  }
  if (isCertificate(input.der)) {
    throw new InvalidKeyError(
      'ERR_KEY_CERTIFICATE',
      `${source}: is an X.509 certificate, not a public key; extract the key with: openssl x509 -pubkey -noout -in FILE`,
    );
  }
  if (input.encrypted || tryPrivateKeyFromDer(input.der) !== undefined || input.label?.includes('PRIVATE')) {
    throw new InvalidKeyError(
      'ERR_KEY_KIND',
      `${source}: is a private key where a public key was expected; pass serviceaccount-signer.public`,
    );
  }
  throw new InvalidKeyError('ERR_KEY_FORMAT', `${source}: ${describe(input)} does not hold a public key`);
}

function describe(input: Extract<KeyInput, { form: 'der' }>): string {
  return input.label === undefined ? 'the DER data' : `the ${input.label} block`;
}
