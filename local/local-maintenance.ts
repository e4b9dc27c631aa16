import type { TaskHandlerOptions } from '#functions/task-handlers.ts';
import { createFileKeyringStore, createLocalPorts } from '#shared/adapters/local/index.ts';
import { createOpenShiftClusterSigner } from '#shared/adapters/openshift/index.ts';
import type { RotationPorts } from '#shared/ports.ts';
import type { MaintainResult } from '#shared/rotation/maintain.ts';
import {
  handlerOptionsFor,
  LocalRotationError,
  readIssuer,
  serveIssuer,
  startSimulator,
} from './local-rotation.ts';
import { createLocalWorkflowRunner, type WorkflowEvent } from './workflow/local-workflow-runner.ts';

/** One issuer's outcome in the maintenance workflow's output (`$.results[*]`). */
export type MaintenanceOutcome =
  | { readonly issuerId: string; readonly failed?: false; readonly maintain: MaintainResult }
  | {
      readonly issuerId: string;
      readonly failed: true;
      /** The ASL error name (e.g. KeyringNotFoundError). */
      readonly error: string;
      readonly cause: string | undefined;
    };

/**
 * Runs the maintenance workflow (infra/workflows/maintenance.asl.json) once for `issuerIds` with the
 * Lambda handlers bound to `ports`. A failed issuer does not stop the others: the workflow catches it per
 * item, and its outcome says `failed` with the cause.
 */
export async function runMaintenanceWorkflow(
  ports: RotationPorts,
  handlerOptions: TaskHandlerOptions,
  issuerIds: readonly string[],
  options: { readonly waitScale?: number; readonly onEvent?: (event: WorkflowEvent) => void } = {},
): Promise<MaintenanceOutcome[]> {
  const runner = createLocalWorkflowRunner({
    definition: 'maintenance',
    ports: () => ports,
    handlerOptions,
    waitScale: options.waitScale ?? 0.02,
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
  const output = (await runner.run({ issuerIds: [...issuerIds] })) as {
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
export interface LocalMaintenanceOptions {
  readonly home: string;
  /** The issuer to maintain. @default every issuer of the home */
  readonly issuerId?: string;
  /** A real cluster's kubeconfig; without one, each issuer gets the OpenShift simulator in-process. */
  readonly kubeconfig?: string;
  /** Seconds one simulated node takes to roll out a revision. @default 1 */
  readonly nodeRolloutSeconds?: number;
  /** Scales the workflow's retry intervals. @default 0.02 */
  readonly waitScale?: number;
  readonly onEvent?: (event: WorkflowEvent) => void;
  /** Show the handlers' structured logs and metrics on standard output. @default false */
  readonly verbose?: boolean;
}

/**
 * The maintenance workflow once, on the local backends: for each issuer, serves it at its URL and starts
 * the simulated OpenShift control plane installed with its active key (or uses a kubeconfig), then runs
 * the very ASL file the scheduler runs on AWS. Each issuer has its own (simulated) cluster, and the
 * handlers take one cluster, so each issuer is one execution with one item.
 */
export async function runLocalMaintenance(options: LocalMaintenanceOptions): Promise<MaintenanceOutcome[]> {
  const issuerIds =
    options.issuerId === undefined
      ? await createFileKeyringStore({ home: options.home }).list()
      : [options.issuerId];
  if (issuerIds.length === 0) {
    throw new LocalRotationError(
      `no issuer under ${options.home}: create one with keyturn init --local --issuer http://127.0.0.1:18080/demo`,
    );
  }
  const handlerOptions = handlerOptionsFor(options.verbose === true);
  const outcomes: MaintenanceOutcome[] = [];
  for (const issuerId of issuerIds) {
    const keyring = await readIssuer(options.home, issuerId);
    const server = await serveIssuer(options.home, keyring.issuerUrl);
    try {
      const simulator = options.kubeconfig === undefined ? await startSimulator(options, keyring) : undefined;
      try {
        const cluster = createOpenShiftClusterSigner({
          kubeconfig:
            options.kubeconfig === undefined
              ? { yaml: simulator?.kubeconfig() ?? '' }
              : { file: options.kubeconfig },
        });
        const ports = createLocalPorts({ home: options.home, cluster, actor: 'keyturn maintain --local' });
        outcomes.push(
          ...(await runMaintenanceWorkflow(ports, handlerOptions, [issuerId], {
            ...(options.waitScale === undefined ? {} : { waitScale: options.waitScale }),
            ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
          })),
        );
      } finally {
        await simulator?.close();
      }
    } finally {
      await server.close();
    }
  }
  return outcomes;
}
