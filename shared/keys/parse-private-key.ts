import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { assertRsaPrivateKeyConsistent } from './consistency.ts';
import { InvalidKeyError } from './errors.ts';
import {
  isCertificate,
  type KeyInput,
  readKeyInput,
  tryPrivateKeyFromDer,
  tryPublicKeyFromDer,
} from './key-input.ts';
import { privateJwkMembers, publicKeyFromJwk } from './parse-public-key.ts';
import { assertRsaSigningKey, type PrivateSigningKey, toPublicSigningKey } from './signing-key.ts';

/** Options for {@link parsePrivateKey}. */
export interface ParsePrivateKeyOptions {
  /** Passphrase for encrypted PKCS#8 or legacy OpenSSL-encrypted PEM. @default undefined */
  readonly passphrase?: string;
}

/**
 * Parses an RSA private key from PEM (PKCS#1 or PKCS#8, optionally encrypted), DER, or a private JWK,
 * and validates it for RS256. Error messages never include key material.
 */
export function parsePrivateKey(
  input: string | Uint8Array,
  source = 'private key',
  options: ParsePrivateKeyOptions = {},
): PrivateSigningKey {
  const decoded = readKeyInput(input, source);
  const key =
    decoded.form === 'jwk'
      ? privateKeyFromJwk(decoded.jwk, source)
      : privateKeyFromDer(decoded, source, options);
  assertRsaSigningKey(key, source);
  assertRsaPrivateKeyConsistent(key, source);
  return { key, publicKey: toPublicSigningKey(createPublicKey(key), source) };
}

function privateKeyFromJwk(jwk: Record<string, unknown>, source: string): KeyObject {
  if (!('d' in jwk)) {
    if (privateJwkMembers(jwk).length > 0) {
      throw new InvalidKeyError(
        'ERR_KEY_FORMAT',
        `${source}: is an incomplete private JWK: it has private members but no "d"`,
      );
    }
    // Call it a public key only if it is one: JSON that is no JWK at all is ERR_KEY_FORMAT.
    publicKeyFromJwk(jwk, source);
    throw new InvalidKeyError('ERR_KEY_KIND', `${source}: is a public JWK where a private key was expected`);
  }
  try {
    return createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw new InvalidKeyError(
      'ERR_KEY_FORMAT',
      `${source}: is not a valid private JWK (kty ${String(jwk.kty)})`,
    );
  }
}

function privateKeyFromDer(
  input: Extract<KeyInput, { form: 'der' }>,
  source: string,
  options: ParsePrivateKeyOptions,
): KeyObject {
  if (input.encrypted && input.pemText !== undefined) {
    return decrypt(source, options, () =>
      createPrivateKey({ key: input.pemText ?? '', format: 'pem', passphrase: options.passphrase ?? '' }),
    );
  }
  const plain = tryPrivateKeyFromDer(input.der);
  if (plain !== undefined) {
    return plain;
  }
  if (isEncryptedPkcs8(input.der)) {
    return decrypt(source, options, () =>
      createPrivateKey({
        key: input.der,
        format: 'der',
        type: 'pkcs8',
        passphrase: options.passphrase ?? '',
      }),
    );
  }
  return privateKeyFromLegacyPem(input, source);
}

/** Traditional `DSA PRIVATE KEY` / `EC PRIVATE KEY` blocks: let OpenSSL's PEM reader name the algorithm. */
function privateKeyFromLegacyPem(input: Extract<KeyInput, { form: 'der' }>, source: string): KeyObject {
  if (input.pemText !== undefined) {
    try {
      return createPrivateKey({ key: input.pemText, format: 'pem' });
    } catch {
      // Not a key OpenSSL knows either: explain below.
    }
  }
  if (isCertificate(input.der)) {
    throw new InvalidKeyError('ERR_KEY_CERTIFICATE', `${source}: is an X.509 certificate, not a private key`);
  }
  if (tryPublicKeyFromDer(input.der) !== undefined) {
    throw new InvalidKeyError('ERR_KEY_KIND', `${source}: is a public key where a private key was expected`);
  }
  if (input.label === 'OPENSSH PRIVATE KEY') {
    throw new InvalidKeyError(
      'ERR_KEY_FORMAT',
      `${source}: OpenSSH-format keys are not supported; convert a copy with: ssh-keygen -p -m PEM -f FILE`,
    );
  }
  throw new InvalidKeyError('ERR_KEY_FORMAT', `${source}: does not hold a private key keyturn can read`);
}

function decrypt(source: string, options: ParsePrivateKeyOptions, open: () => KeyObject): KeyObject {
  if (options.passphrase === undefined) {
    throw new InvalidKeyError('ERR_KEY_PASSPHRASE', `${source}: is encrypted; give its passphrase`);
  }
  try {
    return open();
  } catch {
    throw new InvalidKeyError(
      'ERR_KEY_PASSPHRASE',
      `${source}: could not be decrypted; check the passphrase`,
    );
  }
}

/** True for an EncryptedPrivateKeyInfo (RFC 5208 §6): node's PKCS#8 reader asks for a passphrase. */
function isEncryptedPkcs8(der: Buffer): boolean {
  try {
    createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'ERR_MISSING_PASSPHRASE';
  }
}
