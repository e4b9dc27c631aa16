import { buildDiscovery } from '../issuer/discovery.ts';
import { buildKeySet } from '../issuer/key-set.ts';
import { parsePublicKey } from '../keys/parse-public-key.ts';
import type { IssuerDocuments } from '../ports.ts';
import { InvariantViolationError } from './errors.ts';
import type { KeyRecord, Keyring, KeyState } from './keyring.ts';

/** States whose keys appear in keys.json: everything written out and not yet removed. */
const PUBLISHED_STATES: ReadonlySet<KeyState> = new Set([
  'published',
  'promoting',
  'active',
  'retired',
  'failed',
]);

/** The key the cluster signs with, per the keyring (at most one: ONE-SIGNER). */
export function activeKey(keyring: Keyring): KeyRecord | undefined {
  return keyring.keys.find((key) => key.state === 'active');
}

/** A key by kid. */
export function findKey(keyring: Keyring, kid: string | undefined): KeyRecord | undefined {
  return kid === undefined ? undefined : keyring.keys.find((key) => key.kid === kid);
}

/** Keys that belong in keys.json, oldest first (the order relying parties see during a rotation). */
export function publishedKeys(keyring: Keyring): KeyRecord[] {
  return keyring.keys.filter((key) => PUBLISHED_STATES.has(key.state));
}

/** The keyring's generation (keyring.ts): 0 for a keyring written before keyturn recorded one. */
export function keyringGeneration(keyring: Keyring): number {
  return keyring.generation ?? 0;
}

/** Returns a keyring with one key changed (keyrings are never mutated in place). */
export function withKey(keyring: Keyring, kid: string, change: Partial<KeyRecord>): Keyring {
  return { ...keyring, keys: keyring.keys.map((key) => (key.kid === kid ? { ...key, ...change } : key)) };
}

/**
 * keys.json and the discovery document for the keyring's published keys, checked against ALWAYS-VALID:
 * a valid JWKS with the active key, no duplicate kids, RSA ≥ 2048 only; with the keyring's generation,
 * which orders publications.
 */
export function buildIssuerDocuments(
  keyring: Keyring,
  keys: readonly KeyRecord[] = publishedKeys(keyring),
): IssuerDocuments {
  const active = activeKey(keyring);
  if (active !== undefined && !keys.some((key) => key.kid === active.kid)) {
    throw new InvariantViolationError(
      'ALWAYS-VALID',
      `keys.json would not contain the active key ${active.kid}`,
    );
  }
  if (keys.length === 0) {
    throw new InvariantViolationError('ALWAYS-VALID', 'keys.json would contain no key');
  }
  const keySet = buildKeySet(keys.map((key) => parsePublicKey(key.publicKeyPem, `keyring key ${key.kid}`)));
  return { keySet, discovery: buildDiscovery(keyring.issuerUrl), generation: keyringGeneration(keyring) };
}
