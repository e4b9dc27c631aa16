import { randomUUID } from 'node:crypto';
import { generateSigningKeyPair, type PrivateSigningKey } from '#shared/keys/index.ts';
import type { Clock } from '#shared/ports.ts';
import { SIMULATED_OPERATORS } from './cluster-operators.ts';
import { type ClusterState, revisionOf } from './cluster-state.ts';
import { type ApiFaults, createApiFaults, type Sleep } from './faults.ts';
import { installCluster } from './install.ts';
import { writeMachineObjects } from './machine-objects.ts';
import {
  createObject,
  type DeletePreconditions,
  deleteObject,
  type ObjectBody,
  patchObject,
  replaceObject,
  type WritableKind,
} from './object-writes.ts';
import {
  NEXT_SECRET_NAME,
  type ObjectKind,
  type ObjectKinds,
  OPERATOR_NAMESPACE,
  type Secret,
} from './objects.ts';
import { needsOperatorKey, writeOperatorKey } from './operator.ts';
import type { PoolName } from './platform-objects.ts';
import { setNodeStuck } from './rollout.ts';
import { createSecret, deleteSecret, patchSecret, replaceSecret, type SecretBody } from './secret-writes.ts';
import { advanceTo } from './timeline.ts';
import { type IssuedToken, issueToken, type TokenRequest } from './tokens.ts';
import { readWorkloadTokens, type WorkloadTokenView } from './workloads.ts';

/** Default lifetime of the workload pods' projected STS tokens (s); see docs/simulator.md. */
export const DEFAULT_WORKLOAD_TOKEN_TTL_SECONDS = 3600;

/** How to build a simulated OpenShift control plane. */
export interface ClusterModelOptions {
  /** The cluster's service-account issuer: the `iss` of its tokens. */
  readonly issuerUrl: string;
  /** The installer's signing key: bound, next, and the only trusted key (`service-account-001.pub`). */
  readonly initialKey: PrivateSigningKey;
  /** Control-plane nodes. @default 3 */
  readonly nodes?: number;
  /** Simulated seconds one node's installer takes to roll it to a new revision. @default 2 */
  readonly nodeRolloutSeconds?: number;
  /** The only source of time: the model plays the rollout forward to `clock.now()` on every call. */
  readonly clock: Clock;
  /** How the operator generates its own key when the next secret is deleted or emptied. @default RSA 2048 */
  readonly generateKey?: () => Promise<PrivateSigningKey>;
  /** How API delays (`faults.setApiDelay`) are awaited. @default a real timer */
  readonly sleep?: Sleep;
  /** Worker nodes (`worker-0` ...), the `worker` pool. @default 2 */
  readonly workerNodes?: number;
  /** Simulated seconds one node's drain and reboot takes when its pool updates. @default 10 */
  readonly nodeRebootSeconds?: number;
  /** Workload pods in namespace `workloads`, spread over the worker nodes. @default 4 */
  readonly workloads?: number;
  /** Lifetime (s) of the workload pods' projected STS tokens. @default 3600 */
  readonly tokenTtlSeconds?: number;
  /** ClusterOperators held Degraded=True from the start (`--degraded-operator`). @default none */
  readonly degradedOperators?: readonly string[];
  /** ClusterVersion `version` `spec.clusterID`, the scope of ccoctl's rotation guard. @default a random UUID */
  readonly clusterId?: string;
  /**
   * `service-account-max-token-expiration` (s) in ConfigMap `openshift-kube-apiserver/config`
   * (`--max-token-expiration`); at least 3600, as kube-apiserver requires. @default unset, as on OpenShift
   */
  readonly maxTokenExpirationSeconds?: number;
}

/** A node as the Machine Config Operator sees it (for tests). */
export interface MachineView {
  readonly name: string;
  readonly pool: PoolName;
  readonly bootId: string;
  readonly currentConfig: string;
  readonly desiredConfig: string;
  /** True while it drains and reboots. */
  readonly updating: boolean;
}

/** One control-plane node, as the simulation sees it (for tests and the simulator's own status page). */
export interface NodeView {
  readonly name: string;
  readonly currentRevision: number;
  readonly targetRevision?: number;
  readonly stuck: boolean;
  /** kid of the key this node's kube-apiserver signs with now. */
  readonly signingKid: string;
  /** kids of the keys this node's kube-apiserver accepts now. */
  readonly trustedKids: readonly string[];
}

/**
 * An in-memory OpenShift control plane's service-account signing-key machinery (DESIGN.md §1, §4): the
 * objects an API server would serve, the operator's promotion algorithm, node-by-node rollouts and
 * per-node token signing; and around it what the documented rotation procedure works on: ClusterOperators,
 * MachineConfigPools whose nodes reboot when a MachineConfig changes, and workload pods whose projected
 * STS tokens kubelet refreshes. Reads are synchronous; writes are async because the operator may generate a
 * key in reaction. Every call first plays simulated time forward to `clock.now()`.
 */
export interface ClusterModel {
  readonly issuerUrl: string;
  /** API-level faults; the HTTP layer and the in-process signer consult `faults.admitApiCall` per request. */
  readonly faults: ApiFaults;
  /** GET: a stored object, deep-frozen, or undefined. Cluster-scoped kinds take namespace undefined. */
  get<K extends ObjectKind>(kind: K, namespace: string | undefined, name: string): ObjectKinds[K] | undefined;
  /** LIST: objects of a kind (in one namespace or all) whose labels include `labels`. */
  list<K extends ObjectKind>(
    kind: K,
    namespace?: string,
    labels?: Readonly<Record<string, string>>,
  ): ObjectKinds[K][];
  /** The latest resourceVersion, for list metadata. */
  readonly resourceVersion: string;
  /** POST a Secret (only the next secret is writable; key PEMs are validated: ERR_SIM_INVALID). */
  createSecret(namespace: string, body: SecretBody): Promise<Secret>;
  /** PUT a Secret; `metadata.resourceVersion`, when given, must be current (ERR_SIM_CONFLICT). */
  replaceSecret(namespace: string, name: string, body: SecretBody): Promise<Secret>;
  /** PATCH a Secret with a JSON merge patch; JSON Patch callers GET, apply, and PUT with resourceVersion. */
  patchSecret(namespace: string, name: string, patch: Readonly<Record<string, unknown>>): Promise<Secret>;
  /** DELETE a Secret; resolves once the operator has generated its replacement key. */
  deleteSecret(namespace: string, name: string): Promise<Secret>;
  /** TokenRequest: signs with the round-robin node's current revision key. */
  issueToken(request: TokenRequest): Promise<IssuedToken>;
  /** Makes a node's installer hang (fault): it never finishes rolling, blocking every later node. */
  stickNode(nodeName: string): void;
  /** Frees a stuck node; an installer it was running starts its full duration again. */
  unstickNode(nodeName: string): void;
  /** The nodes' revisions and keys, after playing time forward. */
  describeNodes(): NodeView[];
  /** POST a ConfigMap, Namespace or MachineConfig (namespace undefined for cluster-scoped kinds). */
  createObject(
    kind: WritableKind,
    namespace: string | undefined,
    body: ObjectBody,
  ): ObjectKinds[WritableKind];
  /** PUT one; `metadata.resourceVersion`, when given, must be current (ERR_SIM_CONFLICT). */
  replaceObject(
    kind: WritableKind,
    namespace: string | undefined,
    name: string,
    body: ObjectBody,
  ): ObjectKinds[WritableKind];
  /** PATCH one with a JSON merge patch. */
  patchObject(
    kind: WritableKind,
    namespace: string | undefined,
    name: string,
    patch: Readonly<Record<string, unknown>>,
  ): ObjectKinds[WritableKind];
  /** DELETE one, if its preconditions hold (ERR_SIM_CONFLICT otherwise). */
  deleteObject(
    kind: WritableKind,
    namespace: string | undefined,
    name: string,
    preconditions?: DeletePreconditions,
  ): ObjectKinds[WritableKind];
  /** Holds a ClusterOperator Degraded=True (fault), or releases it. */
  setOperatorDegraded(name: string, degraded: boolean): void;
  /** Every node's machine-config state, after playing time forward. */
  describeMachines(): MachineView[];
  /** Every running workload pod's current projected token, signed, after playing time forward. */
  workloadTokens(): Promise<WorkloadTokenView[]>;
}

/** Installs a simulated cluster at `clock.now()` (see {@link ClusterModelOptions}). */
export function createClusterModel(options: ClusterModelOptions): ClusterModel {
  const { clock } = options;
  const generateKey = options.generateKey ?? (() => generateSigningKeyPair(2048));
  const state = installCluster({
    issuerUrl: assertIssuerUrl(options.issuerUrl),
    initialKey: options.initialKey,
    nodes: assertWhole(options.nodes ?? 3, 1, 'nodes'),
    nodeRolloutSeconds: assertWhole(options.nodeRolloutSeconds ?? 2, 0, 'nodeRolloutSeconds'),
    workerNodes: assertWhole(options.workerNodes ?? 2, 0, 'workerNodes'),
    nodeRebootSeconds: assertWhole(options.nodeRebootSeconds ?? 10, 0, 'nodeRebootSeconds'),
    workloads: assertWhole(options.workloads ?? 4, 0, 'workloads'),
    tokenTtlSeconds: assertWhole(
      options.tokenTtlSeconds ?? DEFAULT_WORKLOAD_TOKEN_TTL_SECONDS,
      600,
      'tokenTtlSeconds',
    ),
    degradedOperators: (options.degradedOperators ?? []).map(assertOperator),
    clusterId: options.clusterId ?? randomUUID(),
    ...(options.maxTokenExpirationSeconds === undefined
      ? {}
      : {
          maxTokenExpirationSeconds: assertWhole(
            options.maxTokenExpirationSeconds,
            3600,
            'maxTokenExpirationSeconds',
          ),
        }),
    at: clock.now(),
  });
  const catchUp = (): Date => {
    advanceTo(state, clock.now());
    return new Date(state.syncedAtMs);
  };
  const generateIfNeeded = async <T>(result: T): Promise<T> => {
    await generateOperatorKeyIfNeeded(state, generateKey, catchUp);
    return result;
  };
  return {
    issuerUrl: state.issuerUrl,
    faults: createApiFaults(options.sleep),
    get(kind, namespace, name) {
      catchUp();
      return state.store.get(kind, namespace, name);
    },
    list(kind, namespace, labels) {
      catchUp();
      return state.store.list(kind, namespace, labels);
    },
    get resourceVersion() {
      catchUp();
      return state.store.resourceVersion;
    },
    createSecret: async (namespace, body) =>
      generateIfNeeded(createSecret(state, namespace, body, catchUp())),
    replaceSecret: async (namespace, name, body) =>
      generateIfNeeded(replaceSecret(state, namespace, name, body, catchUp())),
    patchSecret: async (namespace, name, patch) =>
      generateIfNeeded(patchSecret(state, namespace, name, patch, catchUp())),
    deleteSecret: async (namespace, name) =>
      generateIfNeeded(deleteSecret(state, namespace, name, catchUp())),
    issueToken: async (request) => {
      catchUp();
      return issueToken(state, request, clock.now());
    },
    stickNode: (nodeName) => setNodeStuck(state, nodeName, true, catchUp()),
    unstickNode: (nodeName) => setNodeStuck(state, nodeName, false, catchUp()),
    describeNodes() {
      catchUp();
      return describeNodes(state);
    },
    createObject: (kind, namespace, body) =>
      createObject(state, kind, namespace, body, catchUp()) as ObjectKinds[WritableKind],
    replaceObject: (kind, namespace, name, body) =>
      replaceObject(state, kind, namespace, name, body, catchUp()) as ObjectKinds[WritableKind],
    patchObject: (kind, namespace, name, patch) =>
      patchObject(state, kind, namespace, name, patch, catchUp()) as ObjectKinds[WritableKind],
    deleteObject: (kind, namespace, name, preconditions = {}) =>
      deleteObject(state, kind, namespace, name, preconditions, catchUp()) as ObjectKinds[WritableKind],
    setOperatorDegraded(name, degraded) {
      const at = catchUp();
      assertOperator(name);
      if (degraded) {
        state.degradedOperators.add(name);
      } else {
        state.degradedOperators.delete(name);
      }
      writeMachineObjects(state, at);
    },
    describeMachines() {
      catchUp();
      return state.machines.map((machine) => ({
        name: machine.name,
        pool: machine.pool,
        bootId: machine.bootId,
        currentConfig: machine.currentConfig,
        desiredConfig: machine.desiredConfig,
        updating: machine.updatingSinceMs !== undefined,
      }));
    },
    workloadTokens: () => {
      catchUp();
      return readWorkloadTokens(state);
    },
  };
}

/**
 * The operator's reaction to a missing or emptied next secret: generate a key, then write it only if
 * nobody wrote the secret meanwhile (a conditional update, as a controller does).
 */
async function generateOperatorKeyIfNeeded(
  state: ClusterState,
  generateKey: () => Promise<PrivateSigningKey>,
  catchUp: () => Date,
): Promise<void> {
  if (!needsOperatorKey(state)) {
    return;
  }
  const versionOf = () =>
    state.store.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME)?.metadata.resourceVersion;
  const seen = versionOf();
  const pair = await generateKey();
  const at = catchUp();
  if (versionOf() === seen && needsOperatorKey(state)) {
    writeOperatorKey(state, pair, at);
  }
}

function describeNodes(state: ClusterState): NodeView[] {
  return state.nodes.map((node) => {
    const revision = revisionOf(state, node);
    return {
      name: node.name,
      currentRevision: node.currentRevision,
      ...(node.targetRevision === undefined ? {} : { targetRevision: node.targetRevision }),
      stuck: node.stuck,
      signingKid: revision.signer.publicKey.kid,
      trustedKids: [...revision.trusted.keys()],
    };
  });
}

function assertOperator(name: string): string {
  if (!(SIMULATED_OPERATORS as readonly string[]).includes(name)) {
    throw new RangeError(
      `no ClusterOperator named ${name}; the simulated operators are ${SIMULATED_OPERATORS.join(', ')}`,
    );
  }
  return name;
}

function assertIssuerUrl(issuerUrl: string): string {
  if (!URL.canParse(issuerUrl)) {
    throw new RangeError(`issuerUrl must be an absolute URL, got ${JSON.stringify(issuerUrl)}`);
  }
  return issuerUrl;
}

function assertWhole(value: number, min: number, name: string): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be a whole number ≥ ${min}, got ${value}`);
  }
  return value;
}
