import { ISSUER_ID_MAX_LENGTH } from '#shared/identifiers.ts';
import { normalizeIssuerUrl } from '../issuer/issuer-url.ts';
import { IssuerExistsError } from '../keyring/errors.ts';
import { KEYRING_SCHEMA_VERSION, type Keyring, type Policy } from '../keyring/keyring.ts';
import { DEFAULT_POLICY } from '../keyring/policy.ts';
import type { PrivateSigningKey } from '../keys/signing-key.ts';
import type { RotationPorts } from '../ports.ts';
import { RotationRequestError } from './errors.ts';
import { publishKeyring } from './publish-documents.ts';
import { nowIso, recordAudit } from './step-context.ts';

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
 * active key, and its published keys.json and discovery document. Never overwrites an existing issuer.
 */
export async function initIssuer(
  ports: Omit<RotationPorts, 'cluster'>,
  input: InitIssuerInput,
): Promise<InitIssuerResult> {
  const issuerUrl = normalizeIssuerUrl(input.issuerUrl);
  const issuerId = input.issuerId ?? issuerIdFromUrl(issuerUrl);
  if ((await ports.store.read(issuerId)) !== undefined) {
    throw new IssuerExistsError(
      'ERR_ISSUER_EXISTS',
      `issuer ${issuerId} already exists; keyturn never overwrites an issuer (use another --home or issuer)`,
    );
  }
  const policy: Policy = { ...DEFAULT_POLICY, ...input.policy };
  const sealed =
    input.adopt === undefined
      ? await ports.vault.generate({ issuerId, slot: INITIAL_SLOT, bits: policy.keyBits })
      : await ports.vault.seal({ issuerId, slot: INITIAL_SLOT, privateKey: input.adopt });
  const now = nowIso(ports);
  const keyring: Keyring = {
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
        origin: input.adopt === undefined ? 'generated' : 'adopted',
        rotationId: INITIAL_SLOT,
        generatedAt: now,
        publishedAt: now,
        activatedAt: now,
      },
    ],
  };
  const created = await ports.store.create(keyring);
  await recordAudit(ports, issuerId, {
    step: 'init',
    kid: sealed.kid,
    outcome: 'ok',
    detail: input.adopt === undefined ? `generated RSA ${sealed.bits}` : 'adopted an existing key',
  });
  await publishKeyring(ports, created.keyring);
  return { issuerId, issuerUrl, kid: sealed.kid, adopted: input.adopt !== undefined };
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
