import { createTaskHandlers, type TaskHandlerOptions } from '#functions/task-handlers.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import type { RotationPorts } from '#shared/ports.ts';
import { type GoOnCommands, type PlannedRotation, planRotation } from '#shared/rotation/resume-plan.ts';
import type { VerifiedToken } from '#shared/tokens/index.ts';
import { type ClosingCheckOptions, checkAsThirdParty } from './closing-check.ts';
import { runMaintenanceWorkflow } from './local-maintenance.ts';
import { createStepGate, interruptedError, LOCAL_GO_ON } from './local-resume.ts';
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
  /** `wait` for `--no-reboot`: no reboots, the compromised key leaves keys.json once the new key is active. */
  readonly tokenRefresh?: 'wait' | 'reboot';
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
  /**
   * The rotation id of a new rotation. A rotation in flight is resumed with its own id instead, and a
   * different id fails fast (ONE-SIGNER). @default a new id, or the id of the rotation in flight
   */
  readonly rotationId?: string;
  /**
   * Ctrl-C: once it aborts, no workflow step starts any more; the step running finishes, the servers
   * close, and the run rejects with LocalRotationInterruptedError saying where it stopped and how to go on.
   */
  readonly signal?: AbortSignal;
  /** Told which rotation runs, before it does (`resumed` when it was in flight). */
  readonly onStart?: (start: PlannedRotation, keyring: Keyring) => void;
  /** The commands named when the run stops or a different rotation is in flight. @default LOCAL_GO_ON */
  readonly goOn?: GoOnCommands;
  /** How the closing third-party check retries transient failures. @default 4 tries, from 0.5 s apart */
  readonly closingCheck?: ClosingCheckOptions;
}

/** What a local rotation did and proved. */
export interface LocalRotationResult {
  readonly issuerId: string;
  readonly rotationId: string;
  /** True when the run resumed a rotation that was in flight. */
  readonly resumed: boolean;
  readonly previousKid: string | undefined;
  readonly keyring: Keyring;
  /**
   * A token freshly issued by the cluster, verified against keys.json fetched over HTTP; absent when that
   * closing check could not be completed (see `closingCheckProblem`).
   */
  readonly verified?: VerifiedToken;
  /**
   * Why the closing check could not be completed: transient failures (the cluster API, the issuer's URL)
   * outlasted its retries. The rotation itself succeeded; `keyturn verify-token` checks a token later.
   */
  readonly closingCheckProblem?: string;
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
  const goOn = options.goOn ?? LOCAL_GO_ON;
  const planned = planRotation(keyring, options, goOn, new Date());
  const { rotationId } = planned;
  options.onStart?.(planned, keyring);
  return withLocalSession(options, keyring, 'keyturn rotate --local', async (ports) => {
    const handlerOptions = handlerOptionsFor(options.verbose === true);
    const removedKids =
      options.maintainFirst === true ? await maintain(ports, handlerOptions, keyring.issuerId, options) : [];
    const steps = createStepGate(options.signal);
    let stoppedIn: string | undefined;
    const runner = createLocalWorkflowRunner({
      definition: 'rotation',
      handlers: steps.gate(createTaskHandlers(() => ports, handlerOptions)),
      waitScale: options.waitScale ?? defaultWaitScale(options.kubeconfig),
      onEvent: (event) => {
        if (event.type === 'state-entered') stoppedIn = event.state;
        options.onEvent?.(event);
      },
    });
    try {
      if (options.signal?.aborted === true) throw options.signal.reason;
      await runner.run(planned.input, options.signal === undefined ? {} : { signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted !== true) throw error;
      await steps.idle();
      throw interruptedError(await readIssuer(options.home, keyring.issuerId), stoppedIn, goOn);
    }
    const after = await readIssuer(options.home, keyring.issuerId);
    const closing = await checkAsThirdParty(ports, after, options.closingCheck);
    return {
      issuerId: keyring.issuerId,
      rotationId,
      resumed: planned.resumed,
      previousKid: planned.resumed ? keyring.rotation?.previousKid : activeKey(keyring)?.kid,
      keyring: after,
      ...(closing.verified === undefined
        ? { closingCheckProblem: closing.problem }
        : { verified: closing.verified }),
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
