import { KeyturnError } from '../errors.ts';
import { isJsonObject } from '../json.ts';
import type { KeyringStore, StoredKeyring } from '../ports.ts';
import { KEYRING_MAC_MEMBER, type Keyring, parseKeyring, serializeKeyring } from './keyring.ts';

/**
 * The key that authenticates stored keyrings: HMAC-SHA-256 under a key only keyturn's own code can use
 * (locally derived from master.key, on AWS a KMS HMAC key). Whoever can write the keyring file or object
 * but not use this key cannot make a keyring the stores accept.
 */
export interface KeyringMacKey {
  /** The HMAC-SHA-256 of `data`. */
  generate(data: Uint8Array): Promise<Uint8Array>;
  /** True when `mac` is the HMAC-SHA-256 of `data` under this key. */
  verify(data: Uint8Array, mac: Uint8Array): Promise<boolean>;
}

/** Why a stored keyring is refused although it is well formed. */
export type KeyringTamperedErrorCode =
  /** Its MAC does not match: it was changed by something other than keyturn, or sealed under another key. */
  | 'ERR_KEYRING_TAMPERED'
  /** It carries no MAC at all: written before keyturn sealed keyrings, or its MAC was stripped. */
  | 'ERR_KEYRING_UNSEALED';

/** A keyring that fails its tamper evidence; nothing acts on it until a person has checked it. */
export class KeyringTamperedError extends KeyturnError<KeyringTamperedErrorCode> {}

/** The one MAC scheme: HMAC-SHA-256, base64url, over a domain-separated canonical keyring. */
const MAC_PREFIX = 'hmac-sha256:';
const MAC_CONTEXT = 'keyturn-keyring-mac/1\n';

/** Options of {@link openSealedKeyring}. */
export interface OpenSealedKeyringOptions {
  /** Where the text was read (a path, an s3:// URL), for messages. */
  readonly source: string;
  /** The command that re-seals this keyring after a person has checked it (named in messages). */
  readonly resealCommand: string;
  /** Where the manual path is documented (named in messages). */
  readonly docs: string;
}

/**
 * The stored text of `keyring`: its canonical serialisation with a last member `mac` = HMAC-SHA-256 of
 * that serialisation. Validates first, so a bad keyring fails with KeyringFormatError.
 */
export async function sealKeyring(keyring: Keyring, key: KeyringMacKey, source: string): Promise<string> {
  const canonical = serializeKeyring(
    parseKeyring(JSON.stringify(keyring), `the keyring to write to ${source}`),
  );
  const mac = Buffer.from(await key.generate(macInput(canonical))).toString('base64url');
  const sealed = {
    ...(JSON.parse(canonical) as Record<string, unknown>),
    [KEYRING_MAC_MEMBER]: `${MAC_PREFIX}${mac}`,
  };
  return `${JSON.stringify(sealed, null, 2)}\n`;
}

/**
 * Reads stored keyring text: checks its shape (KeyringFormatError), then its MAC over the canonical
 * keyring. A keyring without one is ERR_KEYRING_UNSEALED, one whose MAC fails is ERR_KEYRING_TAMPERED;
 * both messages say how to go on.
 */
export async function openSealedKeyring(
  text: string,
  key: KeyringMacKey,
  options: OpenSealedKeyringOptions,
): Promise<Keyring> {
  const keyring = parseKeyring(text, options.source);
  const seal = await checkKeyringSeal(text, keyring, key);
  const where = `the keyring of ${keyring.issuerId} (${options.source})`;
  if (seal === 'unsealed') {
    throw new KeyringTamperedError(
      'ERR_KEYRING_UNSEALED',
      `${where} carries no MAC: it was written before keyturn sealed keyrings, or its MAC was removed. ` +
        `Nothing acts on it until it is checked: compare its keys with keys.json and your records (${options.docs}), ` +
        `then run ${options.resealCommand}`,
    );
  }
  if (seal === 'tampered') {
    throw new KeyringTamperedError(
      'ERR_KEYRING_TAMPERED',
      `${where} fails its MAC check: it was changed outside keyturn (or sealed under another key). ` +
        `Do not rotate or maintain this issuer; restore the last good copy (${options.docs}), or once every key ` +
        `in it is checked, run ${options.resealCommand}`,
    );
  }
  return keyring;
}

/** What a stored keyring's MAC says: made by this key, absent, or not this key's. */
export type KeyringSeal = 'sealed' | 'unsealed' | 'tampered';

/** What re-sealing a keyring found and left: the keyring as now stored, and what its MAC said before. */
export interface ResealOutcome {
  readonly stored: StoredKeyring;
  /** `sealed`: it was already sealed under this key, and nothing was written. */
  readonly before: KeyringSeal;
}

/** A keyring store that can re-seal a keyring a person has checked (`keyturn reseal`). */
export interface ResealableKeyringStore extends KeyringStore {
  /**
   * Seals the keyring of `issuerId` as it is stored now, whatever its MAC says; its shape is still
   * checked. IssuerNotFoundError when there is none; idempotent.
   */
  reseal(issuerId: string): Promise<ResealOutcome>;
}

/** Checks the MAC of stored `text`, whose parsed keyring is `keyring`. */
export async function checkKeyringSeal(
  text: string,
  keyring: Keyring,
  key: KeyringMacKey,
): Promise<KeyringSeal> {
  const stored = macOf(text);
  if (stored === undefined) return 'unsealed';
  return (await key.verify(macInput(serializeKeyring(keyring)), stored)) ? 'sealed' : 'tampered';
}

/**
 * The MAC bytes of stored text (already parsed once by parseKeyring); undefined without a `mac` member.
 * A malformed one yields no bytes, which no key verifies: tampering.
 */
function macOf(text: string): Uint8Array | undefined {
  const value: unknown = JSON.parse(text);
  const mac = isJsonObject(value) ? value[KEYRING_MAC_MEMBER] : undefined;
  if (mac === undefined) return undefined;
  if (typeof mac !== 'string' || !mac.startsWith(MAC_PREFIX)) return new Uint8Array();
  return Buffer.from(mac.slice(MAC_PREFIX.length), 'base64url');
}

function macInput(canonical: string): Uint8Array {
  return Buffer.from(`${MAC_CONTEXT}${canonical}`, 'utf8');
}
