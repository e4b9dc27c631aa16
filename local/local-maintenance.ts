import type { TaskHandlerOptions } from '#functions/task-handlers.ts';
import type { RotationPorts } from '#shared/ports.ts';
import type { MaintainResult, MaintenanceOutcome } from '#shared/rotation/maintain.ts';
import {
  handlerOptionsFor,
  issuerIdsOf,
  type LocalClusterOptions,
  readIssuer,
  withLocalSession,
} from './local-session.ts';
import { createLocalWorkflowRunner, type WorkflowEvent } from './workflow/local-workflow-runner.ts';

export type { MaintenanceOutcome };

/**
 * Runs the maintenance workflow (infra/workflows/maintenance.asl.json) once for `issuerIds` with the
 * Lambda handlers bound to `ports`. A failed issuer does not stop the others: the workflow catches it per
 * item, and its outcome says `failed` with the cause.
 */
export async function runMaintenanceWorkflow(
  ports: RotationPorts,
  handlerOptions: TaskHandlerOptions,
  issuerIds: readonly string[],
  options: {
    readonly waitScale?: number;
    readonly onEvent?: (event: WorkflowEvent) => void;
    /** Repair drift: publish the key the cluster signs with (the workflow input's `publishDrift`). */
    readonly publishDrift?: boolean;
  } = {},
): Promise<MaintenanceOutcome[]> {
  const runner = createLocalWorkflowRunner({
    definition: 'maintenance',
    ports: () => ports,
    handlerOptions,
    waitScale: options.waitScale ?? 0.02,
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
  const output = (await runner.run({
    issuerIds: [...issuerIds],
    ...(options.publishDrift === true ? { publishDrift: true } : {}),
  })) as {
    results?: {
      issuerId?: string;
      maintain?: MaintainResult;
      failed?: boolean;
      error?: { Error?: string; Cause?: string };
    }[];
  };
  return (output.results ?? []).map((result, index) => {
    const issuerId = result.issuerId ?? issuerIds[index] ?? '?';
    if (result.failed === true || result.maintain === undefined) {
      return { issuerId, failed: true, error: result.error?.Error ?? 'Error', cause: result.error?.Cause };
    }
    return { issuerId, maintain: result.maintain };
  });
}

/** How to run the maintenance workflow once on a keyturn home. */
export interface LocalMaintenanceOptions extends LocalClusterOptions {
  /** The issuer to maintain. @default every issuer of the home */
  readonly issuerId?: string;
  /** Scales the workflow's retry intervals. @default 0.02 */
  readonly waitScale?: number;
  readonly onEvent?: (event: WorkflowEvent) => void;
  /** Show the handlers' structured logs and metrics on standard output. @default false */
  readonly verbose?: boolean;
  /** Repair drift: publish the key the cluster signs with although keys.json lacks it. @default false */
  readonly publishDrift?: boolean;
}

/**
 * The maintenance workflow once, on the local backends: for each issuer, serves it at its URL and starts
 * the simulated OpenShift control plane installed with its active key (or uses a kubeconfig), then runs
 * the very ASL file the scheduler runs on AWS. Each issuer has its own (simulated) cluster, and the
 * handlers take one cluster, so each issuer is one execution with one item.
 */
export async function runLocalMaintenance(options: LocalMaintenanceOptions): Promise<MaintenanceOutcome[]> {
  const handlerOptions = handlerOptionsFor(options.verbose === true);
  const outcomes: MaintenanceOutcome[] = [];
  for (const issuerId of await issuerIdsOf(options.home, options.issuerId)) {
    const keyring = await readIssuer(options.home, issuerId);
    const outcome = await withLocalSession(options, keyring, 'keyturn maintain --local', (ports) =>
      runMaintenanceWorkflow(ports, handlerOptions, [issuerId], {
        ...(options.waitScale === undefined ? {} : { waitScale: options.waitScale }),
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
        ...(options.publishDrift === true ? { publishDrift: true } : {}),
      }),
    );
    outcomes.push(...outcome);
  }
  return outcomes;
}
