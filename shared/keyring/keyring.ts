import { z } from 'zod';
import { ISSUER_ID_PATTERN, KID_PATTERN, ROTATION_ID_PATTERN } from '#shared/identifiers.ts';
import { isJsonObject } from '../json.ts';
import { KeyringFormatError } from './errors.ts';
import { MAX_REBOOT_TIMEOUT_SECONDS, MAX_STABILITY_TIMEOUT_SECONDS } from './policy.ts';

/** The member where the stores keep a keyring's MAC (keyring-mac.ts); parseKeyring sets it aside. */
export const KEYRING_MAC_MEMBER = 'mac';

/** The schema version this code reads and writes. */
export const KEYRING_SCHEMA_VERSION = 1;

/**
 * Key lifecycle (DESIGN.md §2): generated → published → promoting → active → retired → removed, or
 * failed (rolled back). `published` means written to keys.json; `visibleAt` records when it was
 * confirmed at the public URL.
 */
export const KEY_STATES = [
  'generated',
  'published',
  'promoting',
  'active',
  'retired',
  'removed',
  'failed',
] as const;

/** One state of {@link KEY_STATES}. */
export type KeyState = (typeof KEY_STATES)[number];

/** Rotation modes: scheduled (every policy interval), manual, emergency (the old key is compromised). */
export const ROTATION_MODES = ['scheduled', 'manual', 'emergency'] as const;

/** One of {@link ROTATION_MODES}. */
export type RotationMode = (typeof ROTATION_MODES)[number];

/**
 * How a rotation makes sure no workload still holds a token the old key signed (NO-ORPHAN-TOKENS):
 * `wait` keeps the old key published for the grace; `reboot` reboots the machine config pools so every
 * pod gets a fresh token, then lets the old key go (docs/openshift.md).
 */
export const TOKEN_REFRESH_POLICIES = ['wait', 'reboot'] as const;

/** One of {@link TOKEN_REFRESH_POLICIES}. */
export type TokenRefresh = (typeof TOKEN_REFRESH_POLICIES)[number];

const isoTime = z.iso.datetime({ offset: false });
const kid = z.string().regex(KID_PATTERN);
const rotationId = z.string().regex(ROTATION_ID_PATTERN);

const keyRecordSchema = z
  .object({
    kid,
    publicKeyPem: z.string().startsWith('-----BEGIN PUBLIC KEY-----'),
    bits: z.number().int().min(2048).max(8192),
    state: z.enum(KEY_STATES),
    /** Where the sealed private key is; absent for a key published from the cluster (drift). */
    vaultRef: z.string().min(1).optional(),
    origin: z.enum(['generated', 'adopted', 'cluster']),
    rotationId,
    generatedAt: isoTime,
    publishedAt: isoTime.optional(),
    visibleAt: isoTime.optional(),
    /** visibleAt + the rotation's lead time: the earliest the key may be pushed (PUBLISHED-BEFORE-SIGN). */
    pushNotBefore: isoTime.optional(),
    promotedAt: isoTime.optional(),
    activatedAt: isoTime.optional(),
    retiredAt: isoTime.optional(),
    removeAfter: isoTime.optional(),
    removedAt: isoTime.optional(),
    failedAt: isoTime.optional(),
    failure: z.string().optional(),
    /** Set by an emergency rotation: the key is removed at once, on purpose (NO-ORPHAN-TOKENS exception). */
    compromisedAt: isoTime.optional(),
    /** Every node rebooted after this key stopped signing: no pod holds a token it signed (NO-ORPHAN-TOKENS). */
    tokensRefreshedAt: isoTime.optional(),
    privateKeyDestroyedAt: isoTime.optional(),
  })
  .strict();

const policySchema = z
  .object({
    /** A new key is visible at the public URL at least this long before the cluster gets it. */
    leadTimeSeconds: z.number().int().min(0),
    /** A key stays published this long after it stopped signing (NO-ORPHAN-TOKENS). */
    graceSeconds: z.number().int().min(0),
    keyBits: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]),
    /** Scheduled rotations run this often. */
    rotationIntervalDays: z.number().int().min(1),
    /** Audience of the verification token. */
    audience: z.string().min(1),
    /** How workload tokens are refreshed after activation. @default 'wait' (an emergency reboots unless told not to) */
    tokenRefresh: z.enum(TOKEN_REFRESH_POLICIES).optional(),
    /** How long the cluster must have been stable (`oc adm wait-for-stable-cluster --minimum-stable-period`). @default 300 */
    stablePeriodSeconds: z.number().int().min(0).max(3600).optional(),
    /** How long a rotation waits for a stable cluster after the rollout and after the reboots. @default 3600 */
    stabilityTimeoutSeconds: z.number().int().min(60).max(MAX_STABILITY_TIMEOUT_SECONDS).optional(),
    /** How long a rotation waits for every node to reboot. @default 14400 */
    rebootTimeoutSeconds: z.number().int().min(60).max(MAX_REBOOT_TIMEOUT_SECONDS).optional(),
  })
  .strict();

const rotationSchema = z
  .object({
    id: rotationId,
    mode: z.enum(ROTATION_MODES),
    startedAt: isoTime,
    leadTimeSeconds: z.number().int().min(0),
    previousKid: kid.optional(),
    compromisedKid: kid.optional(),
    newKid: kid.optional(),
    verifiedAt: isoTime.optional(),
    /** Set when `--abort` could not end the rotation (the push back failed); re-running the abort retries. */
    abortFailedAt: isoTime.optional(),
    /** Why that abort failed, and what to do (never key material). */
    abortFailure: z.string().optional(),
    /** How this rotation refreshes workload tokens, fixed at prepare. @default 'wait' */
    tokenRefresh: z.enum(TOKEN_REFRESH_POLICIES).optional(),
    /** Instability an emergency started under (`monitoring Degraded`): the stability waits disregard it. */
    toleratedInstability: z.array(z.string().min(1)).max(100).optional(),
    /** Set when activation made the new key active and a token refresh phase follows (rotation still in flight). */
    activatedAt: isoTime.optional(),
    /** The reboot number each pool goes to, recorded before any reboot is requested (RETRY-SAFE). */
    rebootTargets: z
      .object({ worker: z.number().int().min(1), master: z.number().int().min(1) })
      .strict()
      .optional(),
    rebootsRequestedAt: isoTime.optional(),
    /** When the current wait (stability or reboots) began; each wait of the workflow starts it anew. */
    waitStartedAt: isoTime.optional(),
    /** Set when a wait passed its deadline and the workflow stopped (both keys published); resuming goes on. */
    stoppedAt: isoTime.optional(),
    /** Why it stopped: what is unstable or which nodes did not reboot (never key material). */
    stopReason: z.string().optional(),
  })
  .strict();

const lastRotationSchema = z
  .object({
    id: rotationId,
    mode: z.enum(ROTATION_MODES),
    outcome: z.enum(['succeeded', 'rolled-back', 'aborted']),
    finishedAt: isoTime,
    newKid: kid.optional(),
    reason: z.string().optional(),
  })
  .strict();

/** The keyring schema: what a state file must hold, nothing more (unknown fields are refused). */
export const keyringSchema = z
  .object({
    schemaVersion: z.literal(KEYRING_SCHEMA_VERSION),
    issuerId: z.string().regex(ISSUER_ID_PATTERN),
    issuerUrl: z.string().min(1),
    policy: policySchema,
    keys: z.array(keyRecordSchema).max(1000),
    rotation: rotationSchema.optional(),
    lastRotation: lastRotationSchema.optional(),
    /**
     * Orders the revisions of this keyring (the stores' revisions, hashes and ETags, do not): one more with
     * every commit (step-context.ts); a new keyring starts at its creation time in epoch milliseconds, so
     * one re-created for an issuer outranks the one it replaces. Published documents carry it and a
     * publisher never replaces documents of a higher generation (publish-documents.ts). Absent in
     * keyrings written before it existed: 0.
     */
    generation: z.number().int().min(0).optional(),
  })
  .strict();

/** The state of one issuer: its keys, the rotation in flight, its policy. */
export type Keyring = z.infer<typeof keyringSchema>;
/** One key of a keyring. Public material only; the private key is in the vault under `vaultRef`. */
export type KeyRecord = Keyring['keys'][number];
/** The rotation policy of an issuer. */
export type Policy = Keyring['policy'];
/** The rotation in flight (at most one per issuer: ONE-SIGNER). */
export type Rotation = NonNullable<Keyring['rotation']>;

/** Validates a keyring read from storage; a truncated, foreign or newer file is refused clearly. */
export function parseKeyring(text: string, source: string): Keyring {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new KeyringFormatError('ERR_KEYRING_FORMAT', `${source}: is not JSON (truncated or damaged?)`);
  }
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version !== KEYRING_SCHEMA_VERSION) {
    throw new KeyringFormatError(
      'ERR_KEYRING_FORMAT',
      `${source}: has schema version ${version}; this keyturn reads version ${KEYRING_SCHEMA_VERSION}`,
    );
  }
  const result = keyringSchema.safeParse(withoutMac(value));
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new KeyringFormatError('ERR_KEYRING_FORMAT', `${source}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** Stored text without its MAC member: the store that read it checks the MAC (keyring-mac.ts). */
function withoutMac(value: unknown): unknown {
  if (!isJsonObject(value)) return value;
  const { [KEYRING_MAC_MEMBER]: _mac, ...fields } = value;
  return fields;
}

/** Serialises a keyring for storage (stable, readable). */
export function serializeKeyring(keyring: Keyring): string {
  return `${JSON.stringify(keyringSchema.parse(keyring), null, 2)}\n`;
}
