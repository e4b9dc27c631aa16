import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createTaskHandlers } from '#functions/task-handlers.ts';
import { type ClusterModel, createClusterModel } from '#local/openshift-sim/cluster-model.ts';
import { createSimulatedClusterSigner } from '#local/openshift-sim/simulated-cluster-signer.ts';
import {
  createLocalWorkflowRunner,
  type LocalWorkflowRunner,
  type WorkflowEvent,
  type WorkflowName,
} from '#local/workflow/local-workflow-runner.ts';
import {
  createMemoryAuditLog,
  createMemoryKeyringStore,
  createMemoryPublisher,
  createMemoryVault,
  type MemoryPublisher,
} from '#shared/adapters/memory/index.ts';
import { findInvariantViolations, type InvariantViolation } from '#shared/keyring/invariants.ts';
import type { Keyring, Policy } from '#shared/keyring/keyring.ts';
import type { AuditEntry, Clock, KeyringStore, RotationPorts } from '#shared/ports.ts';
import { initIssuer } from '#shared/rotation/index.ts';
import type { KeyPool } from '#test/shared/rotation/rotation-world.ts';

export const ISSUER_URL = 'https://oidc.example.com/cluster-a';
export const ISSUER_ID = 'cluster-a';

/** Poll waits 5 s → 5 ms, 10 s → 10 ms; the lead-time wait stays real. */
export const WAIT_SCALE = 0.001;

/** The rotation workflow's output: the input plus each step's result under its own key. */
export interface RotationOutput {
  readonly generate: { readonly kid: string };
  readonly confirm: { readonly visibleAt: string; readonly pushNotBefore: string };
  readonly activate: { readonly kid: string; readonly retiredKid?: string };
  readonly maintain?: { readonly removed: readonly string[]; readonly destroyed: readonly string[] };
}

/** A whole local deployment: in-memory backends, a simulated cluster on the system clock, both runners. */
export interface WorkflowWorld {
  readonly ports: RotationPorts;
  readonly clock: Clock;
  readonly store: KeyringStore;
  readonly publisher: MemoryPublisher;
  readonly audit: AuditEntry[];
  readonly model: ClusterModel;
  readonly events: WorkflowEvent[];
  readonly rotation: LocalWorkflowRunner;
  readonly maintenance: LocalWorkflowRunner;
  readonly signedKids: Map<string, Date>;
  keyring(issuerId?: string): Promise<Keyring>;
  publicKids(issuerUrl?: string): Promise<readonly string[]>;
  violations(): Promise<InvariantViolation[]>;
}

export interface WorkflowWorldOptions {
  readonly pool: KeyPool;
  readonly policy?: Partial<Policy>;
  readonly nodeRolloutSeconds?: number;
  /** Runs before the runners are built (e.g. to create more issuers). */
  readonly extraIssuers?: readonly string[];
}

/** Silent Powertools instances: the handlers are the production ones, only their output is muted. */
function quietHandlerOptions() {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  return {
    logger: new Logger({ serviceName: 'keyturn', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'keyturn', serviceName: 'keyturn' }),
  };
}

export async function createWorkflowWorld(options: WorkflowWorldOptions): Promise<WorkflowWorld> {
  // Wait states use real time, so the whole world runs on the system clock.
  const clock: Clock = { now: () => new Date() };
  const vault = createMemoryVault({ generate: () => options.pool.take() });
  const store = createMemoryKeyringStore();
  const publisher = createMemoryPublisher({ clock });
  const audit = createMemoryAuditLog();
  const base = { vault, store, publisher, clock, audit, actor: 'workflow' };
  // On the system clock: a stable period of 0 s, so the stability waits end once every operator is stable.
  const policy = {
    keyBits: 2048 as const,
    leadTimeSeconds: 1,
    graceSeconds: 3600,
    stablePeriodSeconds: 0,
    ...options.policy,
  };
  const init = await initIssuer(base, { issuerUrl: ISSUER_URL, policy });
  for (const url of options.extraIssuers ?? []) {
    await initIssuer(base, { issuerUrl: url, policy });
  }
  const model = createClusterModel({
    issuerUrl: ISSUER_URL,
    initialKey: await vault.open(`${init.issuerId}/initial`),
    nodes: 3,
    nodeRolloutSeconds: options.nodeRolloutSeconds ?? 0,
    nodeRebootSeconds: 0,
    clock,
    generateKey: () => options.pool.take(),
    sleep: async () => undefined,
  });
  const ports: RotationPorts = { ...base, cluster: createSimulatedClusterSigner(model) };
  const signedKids = new Map<string, Date>();
  const observeCluster = () => {
    for (const node of model.describeNodes()) signedKids.set(node.signingKid, clock.now());
  };
  const events: WorkflowEvent[] = [];
  const onEvent = (event: WorkflowEvent) => {
    events.push(event);
    if (event.type === 'state-exited') observeCluster();
  };
  const handlers = createTaskHandlers(() => ports, quietHandlerOptions());
  const runner = (definition: WorkflowName) =>
    createLocalWorkflowRunner({ definition, handlers, waitScale: WAIT_SCALE, onEvent });
  const keyring = async (issuerId = ISSUER_ID) => {
    const stored = await store.read(issuerId);
    if (stored === undefined) throw new Error(`no keyring ${issuerId}`);
    return stored.keyring;
  };
  const publicKids = async (issuerUrl = ISSUER_URL) => (await publisher.readPublic(issuerUrl)).kids;
  return {
    ports,
    clock,
    store,
    publisher,
    audit: audit.entries,
    model,
    events,
    rotation: runner('rotation'),
    maintenance: runner('maintenance'),
    signedKids,
    keyring,
    publicKids,
    violations: async () => {
      observeCluster();
      return findInvariantViolations({
        keyring: await keyring(),
        publicKids: await publicKids(),
        signedKids,
        now: clock.now(),
      });
    },
  };
}

/** The elapsed ms of the first exit of `state`. */
export function timeIn(events: readonly WorkflowEvent[], state: string): number | undefined {
  return events.find((event) => event.type === 'state-exited' && event.state === state)?.stateElapsedMs;
}
