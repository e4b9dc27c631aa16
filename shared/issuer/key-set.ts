import { isJsonObject } from '../json.ts';
import { type SigningJwk, toSigningJwk } from '../keys/encode.ts';
import { InvalidKeyError } from '../keys/errors.ts';
import { privateJwkMembers, publicKeyFromJwk } from '../keys/parse-public-key.ts';
import { type PublicSigningKey, toPublicSigningKey } from '../keys/signing-key.ts';
import { InvalidKeySetError } from './errors.ts';

/** A published JWKS never needs more than a handful of keys (previous, current, next); cap what we read. */
export const MAX_KEY_SET_KEYS = 100;

/** Largest keys.json accepted: 100 RSA-8192 entries fit in well under 256 KiB. */
export const MAX_KEY_SET_BYTES = 256 * 1024;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A validated JWKS: the keys in their published order, each imported and checked. */
export interface KeySet {
  readonly keys: readonly PublicSigningKey[];
  /**
   * Entries left out with {@link ParseKeySetOptions.skipUnusableKeys}, each with why (`key 2: kty is
   * "EC", not "RSA"`). Absent when none was.
   */
  readonly skipped?: readonly string[];
}

/** Options for {@link parseKeySet}. */
export interface ParseKeySetOptions {
  /**
   * Require every `kid` to be the kube-apiserver kid of its key. True for keys.json keyturn publishes;
   * false when verifying tokens from an issuer that names its keys another way.
   * @default true
   */
  readonly requireKubernetesKids?: boolean;
  /**
   * Leave out, with a note in {@link KeySet.skipped}, entries keyturn cannot verify RS256 tokens with
   * (another kty, RSA outside 2048 to 8192 bits, another alg or use, a malformed entry) instead of refusing
   * the whole set. For a third party's JWKS, which may carry EC keys for other relying parties; never for
   * keyturn's own keys.json, where such an entry is drift or tampering to report (ALWAYS-VALID). Private
   * members and duplicate kids are refused either way, and so is a set with no usable key.
   * @default false
   */
  readonly skipUnusableKeys?: boolean;
}

/**
 * keys.json text byte-compatible with ccoctl: `{"keys": [...]}` with entries in the order given, members
 * `use, kty, kid, alg, n, e`, 4-space indentation, no trailing newline (Go's json.MarshalIndent).
 * Refuses an empty set and duplicate kids (ALWAYS-VALID).
 */
export function buildKeySet(publicKeys: readonly PublicSigningKey[]): string {
  if (publicKeys.length === 0) {
    throw new InvalidKeySetError('ERR_KEYSET_INVALID', 'a key set needs at least one key');
  }
  assertUniqueKids(publicKeys.map((key) => key.kid));
  const keys: SigningJwk[] = publicKeys.map(toSigningJwk);
  return JSON.stringify({ keys }, null, 4);
}

/**
 * Validates a JWKS read from anywhere (a file, S3, a public URL) against ALWAYS-VALID: JSON
 * `{"keys": [...]}`, 1 to 100 RSA ≥ 2048 signing keys usable for RS256, no private members, no duplicate
 * kids, and (by default) kube-apiserver kids. A third party's set may instead have its unusable entries
 * skipped ({@link ParseKeySetOptions.skipUnusableKeys}).
 */
export function parseKeySet(text: string, options: ParseKeySetOptions = {}): KeySet {
  const entries = readEntries(text);
  const requireKubernetesKids = options.requireKubernetesKids ?? true;
  if (options.skipUnusableKeys !== true) {
    const keys = entries.map((entry, index) => parseEntry(entry, index, requireKubernetesKids));
    assertUniqueKids(keys.map((key) => key.kid));
    return { keys };
  }
  const keys: PublicSigningKey[] = [];
  const skipped: string[] = [];
  entries.forEach((entry, index) => {
    try {
      keys.push(parseEntry(entry, index, requireKubernetesKids));
    } catch (error) {
      if (!(error instanceof InvalidKeySetError) || error.code !== 'ERR_KEYSET_INVALID') throw error;
      skipped.push(error.message);
    }
  });
  if (keys.length === 0) {
    throw new InvalidKeySetError(
      'ERR_KEYSET_INVALID',
      `the key set has no RSA key usable for RS256: ${skipped.join('; ')}`,
    );
  }
  assertUniqueKids(keys.map((key) => key.kid));
  return skipped.length === 0 ? { keys } : { keys, skipped };
}

function readEntries(text: string): unknown[] {
  if (Buffer.byteLength(text) > MAX_KEY_SET_BYTES) {
    throw new InvalidKeySetError(
      'ERR_KEYSET_INVALID',
      `the key set is larger than ${MAX_KEY_SET_BYTES} bytes`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidKeySetError('ERR_KEYSET_INVALID', 'the key set is not JSON');
  }
  const keys = isJsonObject(value) ? value.keys : undefined;
  if (!Array.isArray(keys)) {
    throw new InvalidKeySetError('ERR_KEYSET_INVALID', 'the key set is not a JWKS: expected {"keys": [...]}');
  }
  if (keys.length === 0 || keys.length > MAX_KEY_SET_KEYS) {
    throw new InvalidKeySetError(
      'ERR_KEYSET_INVALID',
      `the key set has ${keys.length} keys; expected 1 to ${MAX_KEY_SET_KEYS}`,
    );
  }
  return keys;
}

function parseEntry(entry: unknown, index: number, requireKubernetesKid: boolean): PublicSigningKey {
  const where = `key ${index + 1}`;
  if (!isJsonObject(entry)) {
    throw new InvalidKeySetError('ERR_KEYSET_INVALID', `${where}: is not a JSON object`);
  }
  const leaked = privateJwkMembers(entry);
  if (leaked.length > 0) {
    throw new InvalidKeySetError(
      'ERR_KEYSET_PRIVATE_MEMBERS',
      `${where}: carries private key members (${leaked.join(', ')}); never publish it, and rotate that key`,
    );
  }
  assertMembers(entry, where);
  const key = importEntry(entry, where);
  if (requireKubernetesKid && entry.kid !== key.kid) {
    throw new InvalidKeySetError(
      'ERR_KEYSET_KID_MISMATCH',
      `${where}: kid ${String(entry.kid)} is not the kube-apiserver kid of its key (${key.kid}); tokens would not match it`,
    );
  }
  return requireKubernetesKid ? key : { ...key, kid: entry.kid as string };
}

function assertMembers(entry: Record<string, unknown>, where: string): void {
  if (entry.kty !== 'RSA') {
    // The other members of another key type are no problem of their own: name the type only.
    throw new InvalidKeySetError('ERR_KEYSET_INVALID', `${where}: kty is ${shown(entry.kty)}, not "RSA"`);
  }
  const problems: string[] = [];
  if (typeof entry.kid !== 'string' || entry.kid === '') problems.push('kid is missing');
  if (entry.use !== undefined && entry.use !== 'sig') problems.push(`use is ${shown(entry.use)}, not "sig"`);
  if (entry.alg !== undefined && entry.alg !== 'RS256')
    problems.push(`alg is ${shown(entry.alg)}, not "RS256"`);
  for (const member of ['n', 'e'] as const) {
    if (typeof entry[member] !== 'string' || !BASE64URL.test(entry[member])) {
      problems.push(`${member} is not base64url without padding (RFC 7518 §6.3.1)`);
    }
  }
  if (problems.length > 0) {
    throw new InvalidKeySetError('ERR_KEYSET_INVALID', `${where}: ${problems.join('; ')}`);
  }
}

/** A member's value as messages show it: JSON, cut short (the set may come from anyone). */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? 'missing';
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function importEntry(entry: Record<string, unknown>, where: string): PublicSigningKey {
  try {
    return toPublicSigningKey(publicKeyFromJwk(entry, where), where);
  } catch (error) {
    const reason = error instanceof InvalidKeyError ? error.message : `${where}: is not a valid RSA key`;
    throw new InvalidKeySetError('ERR_KEYSET_INVALID', reason, { cause: error });
  }
}

function assertUniqueKids(kids: readonly string[]): void {
  const seen = new Set<string>();
  for (const kid of kids) {
    if (seen.has(kid)) {
      throw new InvalidKeySetError(
        'ERR_KEYSET_DUPLICATE_KID',
        `kid ${kid} appears twice; each key may appear once`,
      );
    }
    seen.add(kid);
  }
}
