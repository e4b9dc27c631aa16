import { createHash } from 'node:crypto';
import type { Tag } from '@aws-sdk/client-secrets-manager';
import { isSafeName } from '#shared/identifiers.ts';
import { isJsonObject } from '../../json.ts';
import { parsePublicKey } from '../../keys/parse-public-key.ts';
import { MAX_RSA_BITS, MIN_RSA_BITS } from '../../keys/signing-key.ts';
import { UnsafeNameError, VaultError } from '../../port-errors.ts';
import type { VaultKey } from '../../ports.ts';

/**
 * How the AWS vault names, tags and describes its secrets: `<prefix>/<issuerId>/<slot>`, the scheme the
 * infrastructure scopes IAM to (`secret:<prefix>/*`). The public half of each key rides in the secret's
 * Description as JSON, readable with DescribeSecret without decrypting anything.
 */

/** Returns `value` if it can be one segment of a secret name; the same rule as the local vault's names. */
export function assertSecretNameSegment(value: string, what: string): string {
  if (!isSafeName(value)) {
    throw new UnsafeNameError(
      'ERR_UNSAFE_NAME',
      `${what} ${JSON.stringify(value)} cannot name a Secrets Manager secret: use 1 to 128 lowercase letters, ` +
        `digits, '.', '-' or '_', starting with a letter or digit, without '..'`,
    );
  }
  return value;
}

/** Checks a prefix such as `keyturn` or `prod/keyturn`: safe segments joined by `/`. */
export function assertSecretNamePrefix(prefix: string): string {
  for (const segment of String(prefix).split('/')) assertSecretNameSegment(segment, 'secret name prefix');
  return prefix;
}

/** `<prefix>/<issuerId>/<slot>`, which is also the vault ref. */
export function secretNameOf(prefix: string, issuerId: string, slot: string): string {
  return `${prefix}/${assertSecretNameSegment(issuerId, 'issuer id')}/${assertSecretNameSegment(slot, 'slot')}`;
}

/** Splits a ref of this vault; refs of other vaults (a local `<issuerId>/<slot>`) are refused. */
export function parseSecretRef(prefix: string, ref: string): { issuerId: string; slot: string } {
  const rest = typeof ref === 'string' && ref.startsWith(`${prefix}/`) ? ref.slice(prefix.length + 1) : '';
  const [issuerId, slot, ...extra] = rest.split('/');
  if (issuerId !== undefined && slot !== undefined && extra.length === 0) {
    try {
      secretNameOf(prefix, issuerId, slot);
      return { issuerId, slot };
    } catch (error) {
      if (!(error instanceof UnsafeNameError)) throw error;
    }
  }
  throw new VaultError(
    'ERR_VAULT_REF',
    `${JSON.stringify(ref)} is not a ref of this AWS vault (${prefix}/<issuerId>/<slot>); was the key sealed by another vault?`,
  );
}

/**
 * The ClientRequestToken of the one CreateSecret a slot ever gets: SHA-256 of issuer and slot shaped as a
 * UUID (version 8, RFC 9562 §5.8). A create retried by the SDK or by the workflow is then the same create.
 */
export function clientRequestTokenOf(issuerId: string, slot: string): string {
  const hash = createHash('sha256').update(`keyturn-vault\n${issuerId}\n${slot}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x80;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The tags of a key's secret: who it belongs to, for cost reports and for finding it in the console. */
export function secretTagsOf(issuerId: string, slot: string, kid: string): Tag[] {
  return [
    { Key: 'keyturn:issuer', Value: issuerId },
    { Key: 'keyturn:kid', Value: kid },
    { Key: 'keyturn:slot', Value: slot },
  ];
}

/** The Description of a key's secret: `{"kid","bits","publicKeyPem"}` (public data only, under 2048 chars). */
export function secretDescriptionOf(key: Omit<VaultKey, 'ref'>): string {
  return JSON.stringify({ kid: key.kid, bits: key.bits, publicKeyPem: key.publicKeyPem });
}

/**
 * Reads the public record back from a secret's Description and checks that it is self-consistent (the
 * PEM's kid is the recorded kid). Anything else means the secret was made or edited outside keyturn.
 */
export function readSecretDescription(name: string, description: string | undefined): VaultKey {
  const tampered = () =>
    new VaultError(
      'ERR_VAULT_TAMPERED',
      `secret ${name} does not carry keyturn's public key record in its description; was it created or edited outside keyturn?`,
    );
  let record: unknown;
  try {
    record = JSON.parse(description ?? '');
  } catch {
    throw tampered();
  }
  if (!isJsonObject(record)) throw tampered();
  const { kid, bits, publicKeyPem } = record;
  if (typeof kid !== 'string' || typeof bits !== 'number' || typeof publicKeyPem !== 'string')
    throw tampered();
  if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) throw tampered();
  try {
    const publicKey = parsePublicKey(publicKeyPem, `description of secret ${name}`);
    if (publicKey.kid !== kid || publicKey.bits !== bits) throw tampered();
  } catch (error) {
    if (error instanceof VaultError) throw error;
    throw tampered();
  }
  return { kid, bits, publicKeyPem, ref: name };
}
