import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { TaskHandlerOptions } from '#functions/task-handlers.ts';
import { type IssuerServer, startIssuerServer } from '#local/issuer-server.ts';
import { type OpenShiftSimulator, startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import {
  createLocalWorkflowRunner,
  type LocalWorkflowRunner,
  type LocalWorkflowRunnerOptions,
  type WorkflowEvent,
} from '#local/workflow/local-workflow-runner.ts';
import { createLocalHomePorts, createLocalPorts, keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import { createOpenShiftClusterSigner } from '#shared/adapters/openshift/index.ts';
import { findInvariantViolations, type InvariantViolation } from '#shared/keyring/invariants.ts';
import type { Keyring, Policy } from '#shared/keyring/keyring.ts';
import type { RotationPorts } from '#shared/ports.ts';
import { initIssuer } from '#shared/rotation/index.ts';

/** Poll waits 5 s → 50 ms, retry intervals 2 s → 20 ms; the lead-time wait stays real. */
export const HTTP_WAIT_SCALE = 0.01;

/**
 * The local deployment `keyturn rotate --local` builds, in a temp home: the issuer served over HTTP, the
 * HTTPS OpenShift simulator, the OpenShift adapter, the local ports (sealed vault, file store, directory
 * publisher, JSON-lines audit log) and the production task handlers.
 */
export interface HttpWorkflowWorld {
  readonly home: string;
  readonly issuerId: string;
  readonly issuerUrl: string;
  readonly initialKid: string;
  readonly ports: RotationPorts;
  readonly simulator: OpenShiftSimulator;
  readonly events: WorkflowEvent[];
  /** Every kid the simulated nodes signed with, and when last seen (NO-ORPHAN-TOKENS). */
  readonly signedKids: Map<string, Date>;
  /** A rotation runner on the production handlers; `options` override the defaults. */
  runner(options?: Partial<LocalWorkflowRunnerOptions>): LocalWorkflowRunner;
  /** Rotation input for this issuer. */
  input(rotationId: string, extra?: Record<string, unknown>): Record<string, unknown>;
  keyring(): Promise<Keyring>;
  /** kids of keys.json, fetched over HTTP as a third party would. */
  publicKids(): Promise<string[]>;
  violations(): Promise<InvariantViolation[]>;
  close(): Promise<void>;
}

export interface HttpWorkflowWorldOptions {
  readonly policy?: Partial<Policy>;
  /** @default 0 */
  readonly nodeRolloutSeconds?: number;
  readonly handlerOptions?: TaskHandlerOptions;
}

/** Silent Powertools instances: the handlers are the production ones, only their output is muted. */
export function quietHandlerOptions(): TaskHandlerOptions {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  return {
    logger: new Logger({ serviceName: 'keyturn', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'keyturn', serviceName: 'keyturn' }),
  };
}

export async function createHttpWorkflowWorld(
  options: HttpWorkflowWorldOptions = {},
): Promise<HttpWorkflowWorld> {
  const home = await mkdtemp(join(tmpdir(), 'keyturn-workflow-'));
  const server: IssuerServer = await startIssuerServer({ root: keyturnHomeLayout(home).publicDir });
  const issuerUrl = `${server.url}/demo`;
  const base = createLocalHomePorts({ home, actor: 'test' });
  // On the system clock: a stable period of 0 s, so the stability waits end once every operator is stable.
  const policy = {
    keyBits: 2048 as const,
    leadTimeSeconds: 1,
    graceSeconds: 3600,
    stablePeriodSeconds: 0,
    ...options.policy,
  };
  const init = await initIssuer(base, { issuerUrl, policy });
  const simulator = await startOpenShiftSimulator({
    issuerUrl,
    initialKey: await base.vault.open(`${init.issuerId}/initial`),
    nodes: 3,
    nodeRolloutSeconds: options.nodeRolloutSeconds ?? 0,
    nodeRebootSeconds: 0,
  });
  const cluster = createOpenShiftClusterSigner({
    kubeconfig: { yaml: simulator.kubeconfig() },
    requestTimeoutSeconds: 5,
    onWarning: () => undefined,
  });
  const ports = createLocalPorts({ home, cluster, actor: 'test' });
  const signedKids = new Map<string, Date>();
  const observeCluster = () => {
    for (const node of simulator.model.describeNodes()) signedKids.set(node.signingKid, new Date());
  };
  const events: WorkflowEvent[] = [];
  const handlerOptions = options.handlerOptions ?? quietHandlerOptions();
  const keyring = async () => {
    const stored = await ports.store.read(init.issuerId);
    if (stored === undefined) throw new Error(`no keyring ${init.issuerId}`);
    return stored.keyring;
  };
  const publicKids = async () => {
    const response = await fetch(`${issuerUrl}/keys.json`);
    const body = (await response.json()) as { keys: { kid: string }[] };
    return body.keys.map((key) => key.kid);
  };
  return {
    home,
    issuerId: init.issuerId,
    issuerUrl,
    initialKid: init.kid,
    ports,
    simulator,
    events,
    signedKids,
    runner: (overrides = {}) => {
      const { onEvent, ...rest } = overrides;
      return createLocalWorkflowRunner({
        definition: 'rotation',
        ports: () => ports,
        handlerOptions,
        waitScale: HTTP_WAIT_SCALE,
        ...rest,
        onEvent: (event) => {
          events.push(event);
          if (event.type === 'state-exited') observeCluster();
          onEvent?.(event);
        },
      });
    },
    input: (rotationId, extra = {}) => ({
      issuerId: init.issuerId,
      rotationId,
      mode: 'manual',
      leadTimeSeconds: 1,
      ...extra,
    }),
    keyring,
    publicKids,
    violations: async () => {
      observeCluster();
      return findInvariantViolations({
        keyring: await keyring(),
        publicKids: await publicKids(),
        signedKids,
        now: new Date(),
      });
    },
    close: async () => {
      await simulator.close();
      await server.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** The states entered, in order. */
export function statesEntered(events: readonly WorkflowEvent[]): string[] {
  return events.filter((event) => event.type === 'state-entered').map((event) => event.state ?? '');
}
