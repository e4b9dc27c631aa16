import { Logger } from '@aws-lambda-powertools/logger';
import { createKeyturnMetrics, SERVICE_NAME } from '#functions/observability.ts';
import type { TaskHandlerOptions } from '#functions/task-handlers.ts';
import { createFileKeyringStore, createLocalPorts, createLocalVault } from '#shared/adapters/local/index.ts';
import { createOpenShiftClusterSigner } from '#shared/adapters/openshift/index.ts';
import { KeyturnError } from '#shared/errors.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import type { ClusterSigner, RotationPorts } from '#shared/ports.ts';
import { serveIssuerFor } from './home-server.ts';
import { assertIssuerFree, claimIssuer } from './issuer-claims.ts';
import { startOpenShiftSimulator } from './openshift-sim/http/index.ts';
import { servableIssuerOrigin } from './servable-issuer.ts';

/** Where a local run's cluster comes from. */
export interface LocalClusterOptions {
  readonly home: string;
  /** A real cluster's kubeconfig file; without one, the OpenShift simulator runs in-process. */
  readonly kubeconfig?: string;
  /** Seconds one simulated node takes to roll out a revision. @default 1 */
  readonly nodeRolloutSeconds?: number;
  /**
   * Scales the workflow's poll waits, and the cluster's stable period with them (a simulator reached
   * through a kubeconfig in tests). @default the in-process simulator's own scale; 1 (none) with a kubeconfig
   */
  readonly waitScale?: number;
}

/** A local run could not start (no issuer, several without --issuer): the message says what to do. */
export class LocalRotationError extends KeyturnError<'ERR_LOCAL_ROTATION'> {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_LOCAL_ROTATION', message, options);
  }
}

/**
 * Everything one local workflow run needs around an issuer, for the duration of `use`: the issuer claimed
 * for this run (a second run of it fails fast: ONE-SIGNER), served over HTTP at its own URL (by the home's
 * `keyturn serve` when one answers there, else by a server of the run's own), the cluster (the OpenShift
 * simulator installed with the active key, as an installer would, or a real cluster through a kubeconfig)
 * reached through the OpenShift adapter, and the local ports. The servers stop and the claim is released
 * when `use` settles.
 */
export async function withLocalSession<T>(
  options: LocalClusterOptions,
  keyring: Keyring,
  actor: string,
  use: (ports: RotationPorts) => Promise<T>,
): Promise<T> {
  // One rule for the URLs a local run can serve, checked before anything is claimed or started.
  servableIssuerOrigin(keyring.issuerUrl);
  const claim = await claimIssuer(options.home, keyring.issuerId, actor);
  try {
    return await withServedIssuer(options, keyring, actor, use);
  } finally {
    await claim.release();
  }
}

async function withServedIssuer<T>(
  options: LocalClusterOptions,
  keyring: Keyring,
  actor: string,
  use: (ports: RotationPorts) => Promise<T>,
): Promise<T> {
  const server = await serveIssuerFor(options.home, keyring, actor);
  try {
    const simulator = options.kubeconfig === undefined ? await startSimulator(options, keyring) : undefined;
    try {
      const signer = createOpenShiftClusterSigner({
        kubeconfig:
          options.kubeconfig === undefined
            ? { yaml: simulator?.kubeconfig() ?? '' }
            : { file: options.kubeconfig },
      });
      const scale = options.waitScale ?? (simulator === undefined ? 1 : SIMULATED_TIME_SCALE);
      const cluster = scale < 1 ? withScaledTime(signer, scale) : signer;
      return await use(createLocalPorts({ home: options.home, cluster, actor }));
    } finally {
      await simulator?.close();
    }
  } finally {
    await server.close();
  }
}

/** The issuer ids to act on: the one asked for, or every issuer of the home (at least one). */
export async function issuerIdsOf(home: string, issuerId: string | undefined): Promise<string[]> {
  const ids = issuerId === undefined ? await createFileKeyringStore({ home }).list() : [issuerId];
  if (ids.length === 0) {
    throw new LocalRotationError(
      `no issuer under ${home}: create one with keyturn init --local --issuer http://127.0.0.1:18080/demo`,
    );
  }
  return ids;
}

/**
 * The keyring of one issuer: the one asked for, or the home's only issuer. Fails fast when another process
 * runs a rotation or maintenance of it (see claimIssuer), before anything is planned from it.
 */
export async function readIssuer(home: string, issuerId: string | undefined): Promise<Keyring> {
  const ids = await issuerIdsOf(home, issuerId);
  if (ids.length > 1) {
    throw new LocalRotationError(
      `several issuers under ${home} (${ids.join(', ')}): choose one with --issuer`,
    );
  }
  const stored = await createFileKeyringStore({ home }).read(ids[0] ?? '');
  if (stored === undefined) {
    throw new LocalRotationError(`no issuer ${ids[0]} under ${home}`);
  }
  await assertIssuerFree(home, stored.keyring.issuerId);
  return stored.keyring;
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

/**
 * The simulator runs its cluster fast (a node rolls out or reboots in a second, not minutes), so its
 * ClusterOperators are stable for a period that long as many times faster: 300 s of policy is 3 s here.
 * A real cluster (a kubeconfig) is never scaled.
 */
const SIMULATED_TIME_SCALE = 0.01;

/** The cluster with `stableSince` moved back as its compressed time says (`scale` < 1). */
function withScaledTime(cluster: ClusterSigner, scale: number): ClusterSigner {
  return {
    ...cluster,
    async readStability() {
      const stability = await cluster.readStability();
      if (stability.stableSince === undefined) return stability;
      const now = Date.now();
      const stableMs = Math.max(0, now - stability.stableSince.getTime()) / scale;
      return { ...stability, stableSince: new Date(now - stableMs) };
    },
  };
}

async function startSimulator(options: LocalClusterOptions, keyring: Keyring) {
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
    nodeRebootSeconds: options.nodeRolloutSeconds ?? 1,
  });
}
