/**
 * The ports of the rotation engine: what the domain needs from the outside world, kept small so that the
 * local, in-memory, AWS and OpenShift adapters implement them without the domain changing. Every method
 * is safe to call again after a crash (RETRY-SAFE): writes are idempotent or conditional.
 */
import type { Keyring } from './keyring/keyring.ts';
import type { PrivateSigningKey } from './keys/signing-key.ts';
import type { TaskName } from './workflow-tasks.ts';

// The errors the ports may throw, so that a caller (and every adapter) finds them beside the ports.
export {
  InvalidDiscoveryError,
  InvalidKeySetError,
  IssuerFetchError,
  IssuerHeadersError,
} from './issuer/errors.ts';
export {
  IssuerExistsError,
  IssuerNotFoundError,
  KeyringConflictError,
  KeyringFormatError,
} from './keyring/errors.ts';
export {
  ClusterAnswerError,
  ClusterApiCallError,
  InvalidationTimeoutError,
  PublishConflictError,
  ROTATION_GUARD_CONFIGMAP,
  RotationGuardError,
  UnsafeNameError,
  VaultError,
} from './port-errors.ts';

/** A public key as the vault hands it out: never the private half. */
export interface VaultKey {
  /** kube-apiserver kid of the public key. */
  readonly kid: string;
  /** SPKI PEM of the public key. */
  readonly publicKeyPem: string;
  readonly bits: number;
  /** Opaque handle of the sealed private key, stored in the keyring (a file name, a secret ARN). */
  readonly ref: string;
}

/**
 * Holds private keys sealed (SEALED): plaintext exists only inside `generate`/`seal` and in what `open`
 * returns to the push step. `generate` and `seal` are idempotent per (issuer, slot): a retried call after
 * a crash returns the key sealed the first time instead of making another. Refusals are VaultError
 * (ERR_VAULT_NOT_FOUND, ERR_VAULT_REF, ERR_VAULT_SLOT_TAKEN, ERR_VAULT_TAMPERED) or UnsafeNameError for an
 * issuer id or slot that cannot name a key; their messages name refs and kids, never key material.
 */
export interface KeyVault {
  /** Generates an RSA key pair and seals the private key under `slot` (a rotation id); idempotent. */
  generate(request: {
    readonly issuerId: string;
    readonly slot: string;
    readonly bits: number;
  }): Promise<VaultKey>;
  /** Seals an existing private key (adoption of a ccoctl key) under `slot`; idempotent. */
  seal(request: {
    readonly issuerId: string;
    readonly slot: string;
    readonly privateKey: PrivateSigningKey;
  }): Promise<VaultKey>;
  /** Opens a sealed private key, for the push and rollback steps only. */
  open(ref: string): Promise<PrivateSigningKey>;
  /** Destroys (or schedules the deletion of) a sealed private key; idempotent, also for unknown refs. */
  destroy(ref: string): Promise<void>;
}

/** A keyring as stored, with the opaque revision a conditional write must name. */
export interface StoredKeyring {
  readonly keyring: Keyring;
  /** A version number, an ETag: whatever the store compares in compare-and-swap. */
  readonly revision: string;
}

/**
 * Keeps one keyring per issuer. Every change is a compare-and-swap: `update` fails with
 * KeyringConflictError when the stored revision is no longer `expectedRevision` (ONE-SIGNER, RETRY-SAFE).
 * A stored state that does not parse is KeyringFormatError.
 */
export interface KeyringStore {
  /** The keyring of an issuer, or undefined when there is none. Rejects a corrupt state file. */
  read(issuerId: string): Promise<StoredKeyring | undefined>;
  /** Creates the keyring of a new issuer; fails with IssuerExistsError when one exists. */
  create(keyring: Keyring): Promise<StoredKeyring>;
  /** Replaces the keyring if it is still at `expectedRevision`; IssuerNotFoundError when there is none. */
  update(keyring: Keyring, expectedRevision: string): Promise<StoredKeyring>;
  /** Ids of every issuer in the store, sorted. */
  list(): Promise<string[]>;
}

/** The two documents of an issuer, as text, and the keyring generation they were built from. */
export interface IssuerDocuments {
  /** keys.json (ALWAYS-VALID). */
  readonly keySet: string;
  /** .well-known/openid-configuration. */
  readonly discovery: string;
  /**
   * The generation of the keyring revision the documents were built from (Keyring.generation, 0 when it
   * has none). Publishers keep it beside the documents, never inside keys.json, which stays a plain JWKS.
   */
  readonly generation: number;
}

/**
 * What a publish did: `published` wrote the documents (or found them already there, RETRY-SAFE);
 * `superseded` wrote nothing because the documents in place were built from a higher generation.
 */
export type PublishOutcome = 'published' | 'superseded';

/** What a relying party sees at the issuer URL right now. */
export interface PublicView {
  /** kids in the published keys.json, in order. */
  readonly kids: readonly string[];
  /** The keys.json text as served. */
  readonly keySet: string;
}

/**
 * Publishes issuer documents where relying parties read them, and reads them back as they do. `publish`
 * refuses an invalid key set (InvalidKeySetError, ALWAYS-VALID) and fails with PublishConflictError when
 * another writer (a hand edit) got in between; it orders publications by generation, so documents built
 * from an older keyring revision never replace those of a newer one (a stale writer is `superseded`);
 * `invalidate` may fail with InvalidationTimeoutError; `readPublic` fails with IssuerFetchError
 * (unreachable, not a plain 200) or IssuerHeadersError (served-headers.ts).
 */
export interface IssuerPublisher {
  /**
   * Writes both documents under the issuer URL's path, unless the documents there carry a higher
   * generation; the same generation again is idempotent (RETRY-SAFE).
   */
  publish(issuerUrl: string, documents: IssuerDocuments): Promise<PublishOutcome>;
  /** Asks caches (CloudFront) to drop the two documents; idempotent. */
  invalidate(issuerUrl: string): Promise<void>;
  /** Reads keys.json at the public issuer URL, through the caches, exactly as a third party does. */
  readPublic(issuerUrl: string): Promise<PublicView>;
}

/** How far the cluster has come in trusting and signing with a key. */
export interface RolloutProgress {
  /** The cluster trusts the key (it is in the set of keys its API servers accept). */
  readonly trusted: boolean;
  /** Control-plane nodes running the latest revision. */
  readonly nodesUpdated: number;
  readonly nodesTotal: number;
  /** kid the cluster signs new tokens with now, if known. */
  readonly signingKid?: string;
}

/** What the cluster trusts and signs with, for drift checks. */
export interface ClusterKeys {
  /** kids of every public key the cluster accepts tokens from. */
  readonly trustedKids: readonly string[];
  /** Public keys (SPKI PEM) by kid, so a drifted key can be published. */
  readonly publicKeys: ReadonlyMap<string, string>;
  /** kid of the key the cluster signs with now, if known. */
  readonly signingKid?: string;
}

/** A ClusterOperator condition keyturn waits on (`oc adm wait-for-stable-cluster`). */
export type OperatorConditionType = 'Available' | 'Progressing' | 'Degraded';

/** One ClusterOperator condition that keeps the cluster from being stable. */
export interface UnstableCondition {
  /** ClusterOperator name (`kube-apiserver`). */
  readonly operator: string;
  readonly condition: OperatorConditionType;
  /** The condition's status (`True`, `False`, `Unknown`), or `missing` when the operator does not report it. */
  readonly status: string;
  readonly reason?: string;
  /** The operator's message, cut to one line of at most 200 characters. */
  readonly message?: string;
}

/**
 * What `oc adm wait-for-stable-cluster` looks at: every ClusterOperator Available=True, Progressing=False,
 * Degraded=False. An empty list of operators is unstable (as ccoctl decides; not a cluster that is up).
 */
export interface ClusterStability {
  /** ClusterOperators listed. */
  readonly operators: number;
  /** Every condition that is not as it should be; empty when stable. */
  readonly unstable: readonly UnstableCondition[];
  /**
   * When stable: the latest `lastTransitionTime` of any of the three conditions of any operator, so the
   * caller decides whether the cluster has been stable for its minimum period without polling state.
   */
  readonly stableSince?: Date;
}

/** The cluster's bound on service-account token lifetime, and where it was read (NO-ORPHAN-TOKENS). */
export interface TokenLifetime {
  /**
   * `service-account-max-token-expiration` in seconds, from ConfigMap `openshift-kube-apiserver/config`
   * key `config.yaml` (`apiServerArguments`); undefined when the cluster sets no maximum (OpenShift's default).
   */
  readonly maxSeconds?: number;
  /** `service-account-extend-token-expiration` (default true: kube-apiserver-audience tokens may live 1 y). */
  readonly extendExpiration: boolean;
  /** Where the figures come from, for messages and docs (`configmap openshift-kube-apiserver/config`). */
  readonly source: string;
}

/** A machine config pool keyturn reboots to refresh every projected token. */
export type PoolName = 'worker' | 'master';

/** The reboot number of a pool (`95-oc-initiated-reboot-<pool>`, as `oc adm reboot-machine-config-pool`). */
export interface PoolReboot {
  readonly pool: PoolName;
  /** The number in the pool's reboot MachineConfig now; 0 when there is none. */
  readonly rebootNumber: number;
}

/** How far nodes have come in rebooting to a pool's reboot number (`oc adm wait-for-node-reboot`). */
export interface RebootProgress {
  /** Nodes whose current rendered config carries at least the target number (a node gone counts as done). */
  readonly nodesRebooted: number;
  readonly nodesTotal: number;
  /** Names of the nodes still to reboot, in pool order (at most 20). */
  readonly pending: readonly string[];
}

/** Who holds the cluster's signer-rotation guard (ccoctl's ConfigMap `cco-signer-key-rotation-guard`). */
export interface RotationGuardHolder {
  /** Nobody, this operation, or another operation (named by its 64-hex operation id). */
  readonly heldBy: 'nobody' | 'us' | 'other';
  readonly operationId?: string;
}

/** One keyturn operation on a cluster, from which the adapter derives the guard's operation id. */
export interface GuardOperation {
  readonly issuerId: string;
  readonly rotationId: string;
}

/**
 * What OpenShift's documented rotation procedure works on around the signer (DESIGN.md §1): cluster
 * stability, token lifetimes, machine config pool reboots, and the one-rotator-at-a-time guard. Every
 * write is idempotent for the same arguments (RETRY-SAFE); errors are ClusterApiCallError (retried),
 * ClusterAnswerError (not the cluster's answer) or RotationGuardError (held by another, or not ccoctl's shape).
 */
export interface ClusterPlatform {
  /** Reads every ClusterOperator's Available/Progressing/Degraded. */
  readStability(): Promise<ClusterStability>;
  /** Reads the cluster's service-account token lifetime settings. */
  readTokenLifetime(): Promise<TokenLifetime>;
  /** Reads a pool's reboot number (0 when its reboot MachineConfig does not exist). */
  readPoolReboot(pool: PoolName): Promise<PoolReboot>;
  /**
   * Asks the Machine Config Operator to reboot the pool's nodes the way `oc adm reboot-machine-config-pool`
   * does: creates or updates MachineConfig `95-oc-initiated-reboot-<pool>` to carry `rebootNumber`. A pool
   * already at or past that number is left alone, so a retry never reboots twice.
   */
  requestPoolReboot(pool: PoolName, rebootNumber: number): Promise<void>;
  /** Reads how many of the pool's nodes run a config carrying at least `rebootNumber`. */
  rebootProgress(pool: PoolName, rebootNumber: number): Promise<RebootProgress>;
  /** Reads who holds the guard, from the point of view of `operation`. */
  readRotationGuard(operation: GuardOperation): Promise<RotationGuardHolder>;
  /**
   * Takes the guard for `operation` (creates the ConfigMap, or sets activeOperationID on a free one, at the
   * resourceVersion read); a no-op when it already holds it; RotationGuardError ERR_ROTATION_GUARD_HELD,
   * naming the holder, when another operation does.
   */
  holdRotationGuard(operation: GuardOperation): Promise<void>;
  /** Gives the guard back (activeOperationID cleared, the id appended to completedOperationIDs); a no-op when done. */
  releaseRotationGuard(operation: GuardOperation): Promise<void>;
}

/**
 * The cluster whose service-account signing key keyturn rotates. `push` hands the cluster a key pair
 * (OpenShift: the next-bound-service-account-signing-key secret); the cluster rolls it out on its own.
 * A failed API call is ClusterApiCallError (retried by the workflow), an answer that is not the
 * cluster's is ClusterAnswerError; neither carries key material (SEALED).
 */
export interface ClusterSigner extends ClusterPlatform {
  /** Gives the cluster this pair as its next signing key; idempotent for the same pair. */
  push(pair: PrivateSigningKey): Promise<void>;
  /** Reads rollout progress towards signing with `kid`. Never reads private material. */
  rolloutProgress(kid: string): Promise<RolloutProgress>;
  /** Issues a short-lived token for the probe service account (TokenRequest). */
  requestToken(audience: string): Promise<string>;
  /** Lists what the cluster trusts and signs with. */
  readKeys(): Promise<ClusterKeys>;
}

/** Time, injectable so tests freeze and advance it. */
export interface Clock {
  now(): Date;
}

/**
 * What an audit entry records: a workflow task's transition (watch-rollout only reads and maintain audits
 * its parts), the issuer's creation, or a part of maintenance: retiring or destroying a key, a public
 * keys.json it could not read, a drifted key it published.
 */
export type AuditStep =
  | Exclude<TaskName, 'watch-rollout' | 'maintain'>
  | 'init'
  | 'retire'
  | 'destroy'
  | 'read-public'
  | 'adopt-drift'
  | 'abort'
  /** `keyturn reseal`: a person checked a keyring whose MAC failed or was missing and sealed it again. */
  | 'reseal';

/** One line of the audit trail: a step's transition, never key material (SEALED). */
export interface AuditEntry {
  readonly time: string;
  readonly issuerId: string;
  readonly rotationId?: string;
  readonly step: AuditStep;
  readonly kid?: string;
  readonly actor: string;
  readonly outcome: 'ok' | 'skipped' | 'failed';
  readonly detail?: string;
}

/** Appends audit entries (a JSON-lines file, CloudWatch); appending never fails a step silently. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
}

/** Everything a rotation step needs, passed in by the caller (a Lambda handler, the local runner, a test). */
export interface RotationPorts {
  readonly vault: KeyVault;
  readonly store: KeyringStore;
  readonly publisher: IssuerPublisher;
  readonly cluster: ClusterSigner;
  readonly clock: Clock;
  readonly audit: AuditLog;
  /** Who acts, for the audit trail (`workflow`, `cli:alice`, `test`). */
  readonly actor: string;
  /**
   * A lead time shorter than keys.json's max-age outside an emergency: refused on AWS (CloudFront and STS
   * cache it), allowed on local runs, whose CLI warns (shared/rotation/lead-time-bound.ts). @default 'allow'
   */
  readonly shortLeadTime?: 'refuse' | 'allow';
}
