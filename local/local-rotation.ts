import type { TaskHandlerOptions } from '#functions/task-handlers.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import type { RotationPorts } from '#shared/ports.ts';
import { newRotationId } from '#shared/rotation/index.ts';
import { createTokenVerifier, loadKeySet, type VerifiedToken } from '#shared/tokens/index.ts';
import { runMaintenanceWorkflow } from './local-maintenance.ts';
import {
  defaultWaitScale,
  handlerOptionsFor,
  type LocalClusterOptions,
  LocalRotationError,
  readIssuer,
  withLocalSession,
} from './local-session.ts';
import { createLocalWorkflowRunner, type WorkflowEvent } from './workflow/local-workflow-runner.ts';

/** How to run one local rotation. */
export interface LocalRotationOptions extends LocalClusterOptions {
  /** The issuer to rotate. @default the only issuer of the home */
  readonly issuerId?: string;
  /** Overrides the policy's lead time for this rotation. */
  readonly leadTimeSeconds?: number;
  /** Runs an emergency rotation that removes this (active) kid. */
  readonly emergencyKid?: string;
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
  return withLocalSession(options, keyring, 'keyturn rotate --local', async (ports) => {
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
  });
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

/** A token the cluster issues now, checked against keys.json read over HTTP: discovery, JWKS, signature. */
async function verifyAsThirdParty(ports: RotationPorts, keyring: Keyring): Promise<VerifiedToken> {
  const token = await ports.cluster.requestToken(keyring.policy.audience);
  const { keySet, issuer } = await loadKeySet({ kind: 'issuer', issuerUrl: keyring.issuerUrl });
  return createTokenVerifier({ keySet, issuer, audience: keyring.policy.audience }).verify(token);
}
