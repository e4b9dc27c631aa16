import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { isJsonObject } from '../../json.ts';
import { encodePublicKeyPem } from '../../keys/encode.ts';
import { parsePrivateKey } from '../../keys/parse-private-key.ts';
import type { PrivateSigningKey } from '../../keys/signing-key.ts';
import { VaultError } from '../../port-errors.ts';

/** Where a sealed key is stored; part of what the ciphertext is bound to. */
export interface SealedKeyLocation {
  readonly issuerId: string;
  readonly slot: string;
}

/** What a `.sealed` file holds: public metadata in the clear, the PKCS#8 DER private key encrypted. */
export interface SealedKeyFile {
  readonly version: 1;
  readonly algorithm: 'AES-256-GCM';
  readonly kid: string;
  readonly bits: number;
  readonly publicKeyPem: string;
  /** base64 */
  readonly iv: string;
  readonly tag: string;
  readonly ciphertext: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals a private key: its PKCS#8 DER encrypted with AES-256-GCM under `masterKey`, the additional
 * authenticated data binding issuer, slot, kid, size and public key. The plaintext buffer is zeroed.
 */
export function sealPrivateKey(
  masterKey: Buffer,
  location: SealedKeyLocation,
  privateKey: PrivateSigningKey,
): SealedKeyFile {
  const header = {
    kid: privateKey.publicKey.kid,
    bits: privateKey.publicKey.bits,
    publicKeyPem: encodePublicKeyPem(privateKey.publicKey),
  };
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(location, header));
  const plaintext = privateKey.key.export({ type: 'pkcs8', format: 'der' });
  try {
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      version: 1,
      algorithm: 'AES-256-GCM',
      ...header,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  } finally {
    plaintext.fill(0);
  }
}

/**
 * Opens the text of a `.sealed` file stored at `location`. Anything off (not the expected shape, failed
 * authentication, a kid or public key that is not the key's own) is ERR_VAULT_TAMPERED.
 */
export function openSealedKeyFile(
  masterKey: Buffer,
  location: SealedKeyLocation,
  text: string,
): { sealed: SealedKeyFile; privateKey: PrivateSigningKey } {
  const ref = `${location.issuerId}/${location.slot}`;
  const sealed = parseSealedKeyFile(text, ref);
  const privateKey = unsealKey(masterKey, location, sealed, ref);
  if (
    privateKey.publicKey.kid !== sealed.kid ||
    encodePublicKeyPem(privateKey.publicKey) !== sealed.publicKeyPem
  ) {
    throw tampered(ref);
  }
  return { sealed, privateKey };
}

function unsealKey(
  masterKey: Buffer,
  location: SealedKeyLocation,
  sealed: SealedKeyFile,
  ref: string,
): PrivateSigningKey {
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(sealed.iv, 'base64'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(additionalData(location, sealed));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    plaintext = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  } catch {
    // No cause attached: the sealed file's bytes do not belong in an error report.
    throw tampered(ref);
  }
  try {
    return parsePrivateKey(plaintext, `vault key ${ref}`);
  } catch {
    throw tampered(ref);
  } finally {
    plaintext.fill(0);
  }
}

/** Binds the ciphertext to where it is stored and what it claims to be. */
function additionalData(
  { issuerId, slot }: SealedKeyLocation,
  header: { readonly kid: string; readonly bits: number; readonly publicKeyPem: string },
): Buffer {
  return Buffer.from(
    JSON.stringify(['keyturn-local-vault/1', issuerId, slot, header.kid, header.bits, header.publicKeyPem]),
  );
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Checks a sealed file's shape; anything off (truncated, edited, foreign) is tampering. */
function parseSealedKeyFile(text: string, ref: string): SealedKeyFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw tampered(ref);
  }
  if (
    !isJsonObject(value) ||
    value.version !== 1 ||
    value.algorithm !== 'AES-256-GCM' ||
    typeof value.kid !== 'string' ||
    typeof value.bits !== 'number' ||
    typeof value.publicKeyPem !== 'string' ||
    !isBase64(value.iv, IV_BYTES) ||
    !isBase64(value.tag, TAG_BYTES) ||
    !isBase64(value.ciphertext)
  ) {
    throw tampered(ref);
  }
  return value as unknown as SealedKeyFile;
}

function isBase64(value: unknown, bytes?: number): value is string {
  return (
    typeof value === 'string' &&
    BASE64.test(value) &&
    (bytes === undefined || Buffer.from(value, 'base64').length === bytes)
  );
}

function tampered(ref: string): VaultError {
  return new VaultError(
    'ERR_VAULT_TAMPERED',
    `the sealed key ${ref} fails authentication: it was edited, truncated, moved from another slot, or sealed under another master key; do not use it (restore it from a backup or rotate)`,
  );
}
