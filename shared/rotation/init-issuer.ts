import { ISSUER_ID_MAX_LENGTH, ISSUER_ID_PATTERN } from '#shared/identifiers.ts';
import { isKeyturnError, KeyturnError } from '../errors.ts';
import { DISCOVERY_PATH, KEY_SET_PATH } from '../issuer/discovery.ts';
import { normalizeIssuerUrl } from '../issuer/issuer-url.ts';
import { IssuerExistsError } from '../keyring/errors.ts';
import {
  KEYRING_SCHEMA_VERSION,
  type Keyring,
  keyringSchema,
  type Policy,
  parseKeyring,
} from '../keyring/keyring.ts';
import { DEFAULT_POLICY } from '../keyring/policy.ts';
import type { PrivateSigningKey } from '../keys/signing-key.ts';
import type { RotationPorts, StoredKeyring, VaultKey } from '../ports.ts';
import { RotationRequestError } from './errors.ts';
import { assertLeadTimeFits } from './lead-time-bound.ts';
import { publishKeyring } from './publish-documents.ts';
import { nowIso, recordAudit } from './step-context.ts';

/**
 * An issuer's keyring was created, but its first documents could not be published (or the creation
 * audited). The issuer exists with its active key; `keyturn maintain` publishes the documents.
 */
export class InitIncompleteError extends KeyturnError<'ERR_INIT_INCOMPLETE'> {}

/** The vault slot of an issuer's first key. */
export const INITIAL_SLOT = 'initial';

/** What a new issuer needs. */
export interface InitIssuerInput {
  readonly issuerUrl: string;
  /** @default derived from the issuer URL ({@link issuerIdFromUrl}) */
  readonly issuerId?: string;
  /** Policy fields to change from {@link DEFAULT_POLICY}. */
  readonly policy?: Partial<Policy>;
  /** An existing cluster key (ccoctl's serviceaccount-signer.private) to adopt as the active key. */
  readonly adopt?: PrivateSigningKey;
  /**
   * Where the publisher puts an issuer's two documents (a directory or an object-key prefix, ending in
   * `/`), so that an issuer whose documents would replace another issuer's is refused before anything is
   * written. It may throw for a URL it cannot publish. @default the URL's path: one directory for the store
   */
  readonly publishedAt?: (issuerUrl: string) => string;
}

/** The new issuer. */
export interface InitIssuerResult {
  readonly issuerId: string;
  readonly issuerUrl: string;
  readonly kid: string;
  readonly adopted: boolean;
}

/**
 * Creates an issuer: its keyring, its first key (generated, or adopted from an existing cluster) as the
 * active key, and its published keys.json and discovery document. Never overwrites an existing issuer, nor
 * the documents of another issuer of the store (ERR_ISSUER_URL_TAKEN): both are checked before any write.
 */
export async function initIssuer(
  ports: Omit<RotationPorts, 'cluster'>,
  input: InitIssuerInput,
): Promise<InitIssuerResult> {
  const issuerUrl = normalizeIssuerUrl(input.issuerUrl);
  const issuerId = input.issuerId ?? issuerIdFromUrl(issuerUrl);
  // Everything that can be checked is checked before a key is sealed (RECOVERABLE: nothing to clean).
  assertIssuerId(issuerId);
  if ((await ports.store.read(issuerId)) !== undefined) {
    throw new IssuerExistsError(
      'ERR_ISSUER_EXISTS',
      `issuer ${issuerId} already exists; keyturn never overwrites an issuer (use another --home or issuer)`,
    );
  }
  await assertLocationFree(ports.store, issuerId, issuerUrl, input.publishedAt ?? urlPathOf);
  const policy: Policy = { ...DEFAULT_POLICY, ...input.policy };
  assertPolicy(issuerId, policy);
  assertLeadTimeFits(issuerId, policy.leadTimeSeconds, undefined, ports.shortLeadTime);
  const sealed =
    input.adopt === undefined
      ? await ports.vault.generate({ issuerId, slot: INITIAL_SLOT, bits: policy.keyBits })
      : await ports.vault.seal({ issuerId, slot: INITIAL_SLOT, privateKey: input.adopt });
  const adopted = input.adopt !== undefined;
  const created = await createKeyring(
    ports,
    sealed,
    initialKeyring(ports, sealed, { issuerId, issuerUrl, policy, adopted }),
  );
  try {
    await recordAudit(ports, issuerId, {
      step: 'init',
      kid: sealed.kid,
      outcome: 'ok',
      detail: adopted ? 'adopted an existing key' : `generated RSA ${sealed.bits}`,
    });
    await publishKeyring(ports, created.keyring);
  } catch (error) {
    throw new InitIncompleteError(
      'ERR_INIT_INCOMPLETE',
      `issuer ${issuerId} was created, but publishing its documents failed (${describe(error)}); ` +
        `fix the cause and publish them with keyturn maintain --issuer ${issuerId}, which republishes a keys.json it cannot read`,
      { cause: error },
    );
  }
  return { issuerId, issuerUrl, kid: sealed.kid, adopted };
}

/**
 * Creates the keyring of the sealed key. Until it exists nothing refers to that key, so when building
 * or writing it fails the key is destroyed again (RECOVERABLE: `init` can simply be run again), unless a
 * concurrent init of the same issuer created a keyring holding it (the vault's slots are idempotent).
 */
async function createKeyring(
  ports: Omit<RotationPorts, 'cluster'>,
  sealed: VaultKey,
  keyring: Keyring,
): Promise<StoredKeyring> {
  try {
    parseKeyring(JSON.stringify(keyring), `the keyring of issuer ${keyring.issuerId}`);
    return await ports.store.create(keyring);
  } catch (error) {
    const winner = await ports.store.read(keyring.issuerId).catch(() => undefined);
    if (!winner?.keyring.keys.some((key) => key.vaultRef === sealed.ref)) {
      await ports.vault.destroy(sealed.ref).catch(() => undefined);
    }
    throw error;
  }
}

/** The keyring of a new issuer: its one key, active from now. */
function initialKeyring(
  ports: Pick<RotationPorts, 'clock'>,
  sealed: VaultKey,
  issuer: { issuerId: string; issuerUrl: string; policy: Policy; adopted: boolean },
): Keyring {
  const { issuerId, issuerUrl, policy } = issuer;
  const now = nowIso(ports);
  return {
    schemaVersion: KEYRING_SCHEMA_VERSION,
    issuerId,
    issuerUrl,
    policy,
    keys: [
      {
        kid: sealed.kid,
        publicKeyPem: sealed.publicKeyPem,
        bits: sealed.bits,
        state: 'active',
        vaultRef: sealed.ref,
        origin: issuer.adopted ? 'adopted' : 'generated',
        rotationId: INITIAL_SLOT,
        generatedAt: now,
        publishedAt: now,
        activatedAt: now,
      },
    ],
    // Above any generation of a keyring this issuer had before (keyring.ts), so its documents replace those.
    generation: Date.parse(now),
  };
}

/** An issuer id the keyring schema accepts ({@link ISSUER_ID_PATTERN}), checked before anything is written. */
function assertIssuerId(issuerId: string): void {
  if (!ISSUER_ID_PATTERN.test(issuerId)) {
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `issuer id ${JSON.stringify(issuerId.slice(0, 80))} is not valid: use 1 to ${ISSUER_ID_MAX_LENGTH} lowercase letters, digits, '.' or '-', starting with a letter or digit; nothing was created`,
    );
  }
}

/** A policy the keyring schema accepts, checked before anything is written. */
function assertPolicy(issuerId: string, policy: Policy): void {
  const checked = keyringSchema.shape.policy.safeParse(policy);
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `issuer ${issuerId}: the policy is not valid (${problems.join('; ')}); nothing was created`,
    );
  }
}

function describe(error: unknown): string {
  if (isKeyturnError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The default location of an issuer's documents: its URL path (`/prod/a/`), as a directory publisher uses it. */
function urlPathOf(issuerUrl: string): string {
  return `${new URL(issuerUrl).pathname.replace(/\/+$/, '')}/`;
}

/**
 * Refuses an issuer whose documents would land where another issuer of the store publishes its own: the
 * same location, or one whose keys.json or discovery document the other's path runs through. Replacing
 * them would make every token of the other issuer fail at its relying parties.
 */
async function assertLocationFree(
  store: RotationPorts['store'],
  issuerId: string,
  issuerUrl: string,
  publishedAt: (issuerUrl: string) => string,
): Promise<void> {
  const location = publishedAt(issuerUrl);
  for (const otherId of await store.list()) {
    const other = otherId === issuerId ? undefined : (await store.read(otherId))?.keyring;
    if (other === undefined || !locationsCollide(location, publishedAt(other.issuerUrl))) continue;
    throw new IssuerExistsError(
      'ERR_ISSUER_URL_TAKEN',
      `issuer ${other.issuerId} already publishes ${other.issuerUrl} at ${publishedAt(other.issuerUrl)}; ` +
        `issuer ${issuerId} at ${issuerUrl} would replace its keys.json and discovery document, and its relying ` +
        'parties would reject every token it signs. Nothing was written: give this issuer another URL path ' +
        '(or another --home)',
    );
  }
}

/** Two locations collide when they are equal or one runs through a document of the other. */
function locationsCollide(a: string, b: string): boolean {
  const runsThrough = (inner: string, outer: string) =>
    [KEY_SET_PATH, DISCOVERY_PATH].some((document) => inner.startsWith(`${outer}${document}/`));
  return a === b || runsThrough(a, b) || runsThrough(b, a);
}

/**
 * A file- and execution-name-safe id for an issuer URL: its path (`https://host/prod/a` → `prod-a`), or
 * its host when it has no path.
 */
export function issuerIdFromUrl(issuerUrl: string): string {
  const url = new URL(issuerUrl);
  const base = url.pathname.replace(/^\/+|\/+$/g, '') || url.hostname;
  const id = base
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, ISSUER_ID_MAX_LENGTH);
  if (id === '') {
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `cannot derive an issuer id from ${issuerUrl}; give one`,
    );
  }
  return id;
}
