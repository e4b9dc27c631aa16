import { Logger } from '@aws-lambda-powertools/logger';
import { createKeyturnMetrics, SERVICE_NAME } from '#functions/observability.ts';
import type { TaskHandlerOptions } from '#functions/task-handlers.ts';
import {
  createFileKeyringStore,
  createLocalPorts,
  createLocalVault,
  keyturnHomeLayout,
} from '#shared/adapters/local/index.ts';
import { createOpenShiftClusterSigner } from '#shared/adapters/openshift/index.ts';
import { KeyturnError } from '#shared/errors.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import type { RotationPorts } from '#shared/ports.ts';
import { newRotationId } from '#shared/rotation/index.ts';
import { createTokenVerifier, loadKeySet, type VerifiedToken } from '#shared/tokens/index.ts';
import { type IssuerServer, startIssuerServer } from './issuer-server.ts';
import { runMaintenanceWorkflow } from './local-maintenance.ts';
import { type OpenShiftSimulator, startOpenShiftSimulator } from './openshift-sim/http/index.ts';
import { createLocalWorkflowRunner, type WorkflowEvent } from './workflow/local-workflow-runner.ts';

/** How to run one local rotation. */
export interface LocalRotationOptions {
  readonly home: string;
  /** The issuer to rotate. @default the only issuer of the home */
  readonly issuerId?: string;
  /** A real cluster's kubeconfig file; without one, the OpenShift simulator runs in-process. */
  readonly kubeconfig?: string;
  /** Overrides the policy's lead time for this rotation. */
  readonly leadTimeSeconds?: number;
  /** Runs an emergency rotation that removes this (active) kid. */
  readonly emergencyKid?: string;
  /** Seconds one simulated node takes to roll out a revision. @default 1 */
  readonly nodeRolloutSeconds?: number;
  /**
   * Scales the workflow's polling waits (not the lead time). The simulator rolls out in seconds, so its
   * polls are scaled down (a 10 s rollout poll becomes 0.2 s; the 180-poll deadline 36 s); a real
   * cluster's are not. @default 0.02 with the simulator, 1 with a kubeconfig
   */
  readonly waitScale?: number;
  /** Progress of the workflow, state by state. */
  readonly onEvent?: (event: WorkflowEvent) => void;
  /** Run the maintenance workflow first: retire keys whose grace has passed, destroy their private keys. */
  readonly maintainFirst?: boolean;
  /** Show the handlers' structured logs and metrics (as Lambda writes them) on standard output. @default false */
  readonly verbose?: boolean;
}

/** What a local rotation did and proved. */
export interface LocalRotationResult {
  readonly issuerId: string;
  readonly rotationId: string;
  readonly previousKid: string | undefined;
  readonly keyring: Keyring;
  /** A token freshly issued by the cluster, verified against keys.json fetched over HTTP. */
  readonly verified: VerifiedToken;
  readonly keySetUrl: string;
  readonly elapsedMs: number;
  /** kids the maintenance run removed from keys.json (with `maintainFirst`). */
  readonly removedKids: readonly string[];
}

/**
 * One rotation on the local backends, through the same ASL file and Lambda handlers as on AWS: serves the
 * issuer over HTTP at its URL, starts the simulated OpenShift control plane installed with the active key
 * (or uses a kubeconfig), runs the rotation workflow, then verifies a fresh cluster token against the
 * published keys.json exactly as a third party would.
 */
export async function runLocalRotation(options: LocalRotationOptions): Promise<LocalRotationResult> {
  const started = performance.now();
  const keyring = await readIssuer(options.home, options.issuerId);
  const server = await serveIssuer(options.home, keyring.issuerUrl);
  const simulator = options.kubeconfig === undefined ? await startSimulator(options, keyring) : undefined;
  try {
    const cluster = createOpenShiftClusterSigner({
      kubeconfig:
        options.kubeconfig === undefined
          ? { yaml: simulator?.kubeconfig() ?? '' }
          : { file: options.kubeconfig },
    });
    const ports = createLocalPorts({ home: options.home, cluster, actor: 'keyturn rotate --local' });
    const rotationId = newRotationId(new Date());
    const handlerOptions = handlerOptionsFor(options.verbose === true);
    const removedKids =
      options.maintainFirst === true ? await maintain(ports, handlerOptions, keyring.issuerId, options) : [];
    const runner = createLocalWorkflowRunner({
      definition: 'rotation',
      ports: () => ports,
      handlerOptions,
      waitScale: options.waitScale ?? defaultWaitScale(options.kubeconfig),
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    });
    await runner.run({
      issuerId: keyring.issuerId,
      rotationId,
      mode: options.emergencyKid === undefined ? 'manual' : 'emergency',
      ...(options.emergencyKid === undefined ? {} : { compromisedKid: options.emergencyKid }),
      ...(options.leadTimeSeconds === undefined ? {} : { leadTimeSeconds: options.leadTimeSeconds }),
    });
    const after = await readIssuer(options.home, keyring.issuerId);
    return {
      issuerId: keyring.issuerId,
      rotationId,
      previousKid: activeKey(keyring)?.kid,
      keyring: after,
      verified: await verifyAsThirdParty(ports, after),
      keySetUrl: `${after.issuerUrl}/keys.json`,
      elapsedMs: performance.now() - started,
      removedKids,
    };
  } finally {
    await simulator?.close();
    await server.close();
  }
}

/** Runs the maintenance workflow for one issuer and returns the kids it removed from keys.json. */
async function maintain(
  ports: RotationPorts,
  handlerOptions: TaskHandlerOptions,
  issuerId: string,
  options: LocalRotationOptions,
): Promise<string[]> {
  const [result] = await runMaintenanceWorkflow(ports, handlerOptions, [issuerId], {
    ...(options.waitScale === undefined ? {} : { waitScale: options.waitScale }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
  if (result?.failed === true) {
    throw new LocalRotationError(`maintenance of ${issuerId} failed: ${result.cause ?? 'unknown error'}`);
  }
  return [...(result?.maintain.removed ?? [])];
}

/** Poll waits scaled for the simulator (seconds-long rollouts), unscaled for a real cluster. */
export function defaultWaitScale(kubeconfig: string | undefined): number {
  return kubeconfig === undefined ? 0.02 : 1;
}

/**
 * The handlers log and emit metrics as in Lambda (JSON on standard output). A person at a terminal wants
 * the progress lines instead, so both are off unless asked for.
 */
export function handlerOptionsFor(verbose: boolean): TaskHandlerOptions {
  if (!verbose) {
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  }
  return {
    logger: new Logger({ serviceName: SERVICE_NAME, logLevel: verbose ? 'INFO' : 'SILENT' }),
    metrics: createKeyturnMetrics(),
  };
}

/** A token the cluster issues now, checked against keys.json read over HTTP: discovery, JWKS, signature. */
async function verifyAsThirdParty(ports: RotationPorts, keyring: Keyring): Promise<VerifiedToken> {
  const token = await ports.cluster.requestToken(keyring.policy.audience);
  const { keySet, issuer } = await loadKeySet({ kind: 'issuer', issuerUrl: keyring.issuerUrl });
  return createTokenVerifier({ keySet, issuer, audience: keyring.policy.audience }).verify(token);
}

export async function readIssuer(home: string, issuerId: string | undefined): Promise<Keyring> {
  const store = createFileKeyringStore({ home });
  const ids = issuerId === undefined ? await store.list() : [issuerId];
  if (ids.length !== 1) {
    throw new LocalRotationError(
      ids.length === 0
        ? `no issuer under ${home}: create one with keyturn init --local --issuer http://127.0.0.1:18080/demo`
        : `several issuers under ${home} (${ids.join(', ')}): choose one with --issuer`,
    );
  }
  const stored = await store.read(ids[0] ?? '');
  if (stored === undefined) {
    throw new LocalRotationError(`no issuer ${ids[0]} under ${home}`);
  }
  return stored.keyring;
}

/** Serves the home's published documents at the issuer URL's own host and port (it must be loopback). */
export async function serveIssuer(home: string, issuerUrl: string): Promise<IssuerServer> {
  const url = new URL(issuerUrl);
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') {
    throw new LocalRotationError(
      `issuer ${issuerUrl} is not served locally; a local rotation needs an http://127.0.0.1:PORT issuer`,
    );
  }
  try {
    return await startIssuerServer({ root: keyturnHomeLayout(home).publicDir, port: Number(url.port || 80) });
  } catch (error) {
    throw new LocalRotationError(
      `cannot serve ${issuerUrl}: port ${url.port} is busy or not allowed (is keyturn serve running? stop it first)`,
      { cause: error },
    );
  }
}

export async function startSimulator(
  options: Pick<LocalRotationOptions, 'home' | 'nodeRolloutSeconds'>,
  keyring: Keyring,
): Promise<OpenShiftSimulator> {
  const active = activeKey(keyring);
  if (active?.vaultRef === undefined) {
    throw new LocalRotationError(
      `issuer ${keyring.issuerId} has no active key in the vault to install in the cluster`,
    );
  }
  return startOpenShiftSimulator({
    issuerUrl: keyring.issuerUrl,
    initialKey: await createLocalVault({ home: options.home }).open(active.vaultRef),
    nodes: 3,
    nodeRolloutSeconds: options.nodeRolloutSeconds ?? 1,
  });
}

/** A local rotation could not start (no issuer, a busy port): the message says what to do. */
export class LocalRotationError extends KeyturnError<'ERR_LOCAL_ROTATION'> {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_LOCAL_ROTATION', message, options);
  }
}
