import { expect } from 'vitest';
import {
  type ClusterModel,
  type ClusterModelOptions,
  createClusterModel,
} from '#local/openshift-sim/cluster-model.ts';
import { createSimulatedClusterSigner } from '#local/openshift-sim/simulated-cluster-signer.ts';
import {
  createManualClock,
  createMemoryAuditLog,
  createMemoryKeyringStore,
  createMemoryPublisher,
  createMemoryVault,
  type ManualClock,
  type MemoryPublisher,
  type MemoryVault,
} from '#shared/adapters/memory/index.ts';
import { findInvariantViolations, type InvariantViolation } from '#shared/keyring/invariants.ts';
import type { Keyring, Policy, RotationMode, TokenRefresh } from '#shared/keyring/keyring.ts';
import { generateSigningKeyPair, type PrivateSigningKey } from '#shared/keys/index.ts';
import type { AuditEntry, KeyringStore, RotationPorts } from '#shared/ports.ts';
import { initIssuer, maintainIssuer } from '#shared/rotation/index.ts';
import type { RotationTask } from '#shared/workflow-tasks.ts';
import { callRotationStep, driveRotationTasks } from './drive-rotation.ts';

/** The issuer every world serves. */
export const ISSUER_URL = 'https://oidc.example.com/cluster-a';
export const ISSUER_ID = 'cluster-a';

/** A pool of RSA 2048 keys made once per test file, handed out in turn (key generation is slow). */
export interface KeyPool {
  take(): Promise<PrivateSigningKey>;
}

/** Generates `size` keys in parallel; `take()` cycles through them. */
export async function createKeyPool(size = 8): Promise<KeyPool> {
  const keys = await Promise.all(Array.from({ length: size }, () => generateSigningKeyPair(2048)));
  let next = 0;
  return {
    take: async () => {
      const key = keys[next % keys.length];
      next += 1;
      if (key === undefined) throw new Error('empty key pool');
      return key;
    },
  };
}

/** Options of a test world. */
export interface WorldOptions {
  readonly pool: KeyPool;
  readonly policy?: Partial<Policy>;
  readonly nodes?: number;
  readonly nodeRolloutSeconds?: number;
  /** CDN propagation delay of the publisher. @default 0 */
  readonly propagationMs?: number;
  /** Adopt this key at init instead of generating one. */
  readonly adopt?: PrivateSigningKey;
  /** More of the simulated cluster: workloads, worker nodes, reboot time, token lifetimes, a degraded operator. */
  readonly cluster?: Partial<Omit<ClusterModelOptions, 'issuerUrl' | 'initialKey' | 'clock'>>;
}

/** Everything a rotation test touches: the ports, the fakes behind them, and the simulated cluster. */
export interface World {
  readonly ports: RotationPorts;
  readonly clock: ManualClock;
  readonly vault: MemoryVault;
  readonly store: KeyringStore;
  readonly publisher: MemoryPublisher;
  readonly audit: AuditEntry[];
  readonly model: ClusterModel;
  /** kid → the last time any node signed with it (observed at every check). */
  readonly signedKids: Map<string, Date>;
  keyring(): Promise<Keyring>;
  /** Records what the cluster signs with now, then asserts every invariant of DESIGN.md §2. */
  check(): Promise<void>;
  /** The violations, without asserting. */
  violations(): Promise<InvariantViolation[]>;
}

/** Creates an issuer on in-memory backends and a 3-node simulated OpenShift installed with its key. */
export async function createWorld(options: WorldOptions): Promise<World> {
  const clock = createManualClock(new Date('2026-03-01T00:00:00.000Z'));
  const vault = createMemoryVault({ generate: () => options.pool.take() });
  const store = createMemoryKeyringStore();
  const publisher = createMemoryPublisher({ clock, propagationMs: options.propagationMs ?? 0 });
  const audit = createMemoryAuditLog();
  const base = { vault, store, publisher, clock, audit, actor: 'test' };
  // A 60 s stable period keeps the polls few; the model's clock moves one second per poll.
  const policy = {
    keyBits: 2048 as const,
    leadTimeSeconds: 600,
    graceSeconds: 3600,
    stablePeriodSeconds: 60,
    ...options.policy,
  };
  const init = await initIssuer(base, {
    issuerUrl: ISSUER_URL,
    policy,
    ...(options.adopt === undefined ? {} : { adopt: options.adopt }),
  });
  clock.advance(1000);
  const model = createClusterModel({
    issuerUrl: ISSUER_URL,
    initialKey: await vault.open(`${init.issuerId}/initial`),
    nodes: options.nodes ?? 3,
    nodeRolloutSeconds: options.nodeRolloutSeconds ?? 2,
    clock,
    generateKey: () => options.pool.take(),
    sleep: async () => undefined,
    ...options.cluster,
  });
  const ports: RotationPorts = { ...base, cluster: createSimulatedClusterSigner(model) };
  const signedKids = new Map<string, Date>();
  const keyring = async () => {
    const stored = await store.read(ISSUER_ID);
    if (stored === undefined) throw new Error('no keyring');
    return stored.keyring;
  };
  const violations = async () => {
    for (const node of model.describeNodes()) signedKids.set(node.signingKid, clock.now());
    const publicKids = await publisher
      .readPublic(ISSUER_URL)
      .then((view) => view.kids)
      .catch(() => undefined);
    return findInvariantViolations({
      keyring: await keyring(),
      ...(publicKids === undefined ? {} : { publicKids }),
      signedKids,
      now: clock.now(),
    });
  };
  return {
    ports,
    clock,
    vault,
    store,
    publisher,
    audit: audit.entries,
    model,
    signedKids,
    keyring,
    violations,
    check: async () => expect(await violations()).toEqual([]),
  };
}

/** How to drive one rotation. */
export interface DriveOptions {
  readonly rotationId: string;
  readonly mode?: RotationMode;
  readonly compromisedKid?: string;
  readonly leadTimeSeconds?: number;
  /** `wait` for an emergency told `--no-reboot`. @default the policy's (an emergency: reboot) */
  readonly tokenRefresh?: TokenRefresh;
  /**
   * Runs each step; the default calls it with the world's ports. Crash tests pass a runner that calls it
   * with crashing ports first and re-runs it with the world's ports after a simulated crash.
   */
  readonly run?: StepRunner;
  /** Called after every step and every move of the clock, after the invariants are checked (samplers). */
  readonly onProgress?: () => Promise<void>;
  /** Stop before this task (an interrupted rotation). @default run to the end */
  readonly stopBefore?: RotationTask;
  /** Start at once, without waiting for a stable cluster first (an emergency on a degraded one). */
  readonly unstable?: boolean;
}

/** Calls one rotation step with some ports. */
export type StepRunner = <T>(step: (ports: RotationPorts) => Promise<T>) => Promise<T>;

/** Upper bound on polling loops, so a broken rollout fails the test instead of hanging it. */
const MAX_POLLS = 2000;

/**
 * Runs a whole rotation through the steps the way the workflow does (drive-rotation.ts), and for an
 * emergency, maintenance at once. Checks every invariant after every step and every move of the clock.
 */
export async function driveRotation(world: World, options: DriveOptions): Promise<string> {
  const run: StepRunner = options.run ?? ((step) => step(world.ports));
  // As an operator would (`oc adm wait-for-stable-cluster`): a rollback just before may still be rolling out.
  if (options.unstable !== true) await waitUntilStable(world);
  const request = {
    issuerId: ISSUER_ID,
    rotationId: options.rotationId,
    mode: options.mode ?? 'manual',
    ...(options.compromisedKid === undefined ? {} : { compromisedKid: options.compromisedKid }),
    ...(options.leadTimeSeconds === undefined ? {} : { leadTimeSeconds: options.leadTimeSeconds }),
    ...(options.tokenRefresh === undefined ? {} : { tokenRefresh: options.tokenRefresh }),
  };
  const results = await driveRotationTasks({
    run: (task) => run((ports) => callRotationStep(task, ports, request)),
    clock: world.clock,
    maxPolls: MAX_POLLS,
    ...(options.stopBefore === undefined ? {} : { stopBefore: options.stopBefore }),
    onProgress: async () => {
      await world.check();
      await options.onProgress?.();
    },
  });
  if (options.mode === 'emergency' && options.stopBefore === undefined) {
    await run((ports) => maintainIssuer(ports, { issuerId: ISSUER_ID }));
    await world.check();
    await options.onProgress?.();
  }
  const kid =
    results.generate?.kid ?? (await world.keyring()).rotation?.newKid ?? results['finish-refresh']?.kid;
  if (kid === undefined) throw new Error('the rotation generated no key');
  return kid;
}

/** Moves the clock until every ClusterOperator of the simulated cluster is stable. */
export async function waitUntilStable(world: World): Promise<void> {
  await pollUntil(world, async () => (await world.ports.cluster.readStability()).stableSince);
}

/** Calls `poll` until it returns a value, advancing the clock one second between calls. */
export async function pollUntil<T>(world: World, poll: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < MAX_POLLS; attempt += 1) {
    const value = await poll();
    if (value !== undefined) {
      return value;
    }
    world.clock.advance(1000);
    await world.check();
  }
  throw new Error(`gave up after ${MAX_POLLS} polls`);
}
