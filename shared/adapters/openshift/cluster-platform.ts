import { type ClusterApiCallDetails, ClusterApiCallError } from '../../port-errors.ts';
import type {
  ClusterPlatform,
  GuardOperation,
  PoolName,
  RebootProgress,
  RotationGuardHolder,
} from '../../ports.ts';
import { fieldOf, requiredString } from './answer-fields.ts';
import { CLUSTER_VERSION_RESOURCE, rebootConfigName } from './names.ts';
import { type GuardConfigMapBody, guardConfigMapBody, PLATFORM_RESOURCES } from './platform-requests.ts';
import {
  type RebootConfigBody,
  readNodeConfigs,
  readPoolSelector,
  readRebootNumber,
  rebootConfigBody,
} from './reboot-config.ts';
import {
  acquireGuard,
  decodeGuardConfigMap,
  guardScopeId,
  keyturnOperationId,
  type RotationGuardState,
  releaseGuard,
} from './rotation-guard.ts';
import { readStability } from './stability-answer.ts';
import { readTokenLifetime } from './token-lifetime-answer.ts';

/** How a write came out: done, or refused with 409 (AlreadyExists on create, Conflict on update). */
export type WriteOutcome = 'written' | 'conflict';

/**
 * The requests behind {@link ClusterPlatform}, one per API call, answering as the API server did (the
 * caller validates). Reads of objects that may be missing answer undefined on 404; writes answer
 * `conflict` on 409; every other failure is the implementation's (ClusterApiCallError for the adapter).
 */
export interface PlatformApi {
  /** LIST clusteroperators.config.openshift.io. */
  listClusterOperators(): Promise<unknown>;
  /** GET configmap openshift-kube-apiserver/config. */
  readApiServerConfig(): Promise<unknown>;
  /** GET clusterversions.config.openshift.io version. */
  readClusterVersion(): Promise<unknown>;
  /** GET machineconfigpools.machineconfiguration.openshift.io `pool`. */
  readMachineConfigPool(pool: PoolName): Promise<unknown>;
  /** GET machineconfigs.machineconfiguration.openshift.io `name`, or undefined. */
  readMachineConfig(name: string): Promise<unknown>;
  /** POST a MachineConfig. */
  createMachineConfig(body: RebootConfigBody): Promise<WriteOutcome>;
  /** PUT a MachineConfig at the resourceVersion in its body. */
  replaceMachineConfig(body: RebootConfigBody): Promise<WriteOutcome>;
  /** LIST nodes. */
  listNodes(): Promise<unknown>;
  /** GET the guard configmap, or undefined. */
  readGuard(): Promise<unknown>;
  /** POST the guard configmap. */
  createGuard(body: GuardConfigMapBody): Promise<WriteOutcome>;
  /** PUT the guard configmap at the resourceVersion in its body. */
  replaceGuard(body: GuardConfigMapBody): Promise<WriteOutcome>;
}

/** At most this many pending node names are reported. */
const MAX_PENDING = 20;

/**
 * The ClusterPlatform half of a ClusterSigner over `api`: every answer validated (ClusterAnswerError
 * otherwise), every write idempotent (RETRY-SAFE), a write that meets a 409 re-reads once and decides
 * again; a second 409 is ERR_CLUSTER_CONFLICT for the workflow to retry. The guard is never taken from
 * another operation (ONE-SIGNER): ccoctl aborts a run whose guard changed under it.
 */
export function createClusterPlatform(api: PlatformApi): ClusterPlatform {
  let clusterId: string | undefined;
  const readClusterId = async (): Promise<string> => {
    if (clusterId === undefined) {
      const version = await api.readClusterVersion();
      const where = `${CLUSTER_VERSION_RESOURCE.plural} ${CLUSTER_VERSION_RESOURCE.name}`;
      clusterId = requiredString(
        fieldOf(fieldOf(version, 'spec', where), 'clusterID', `${where} spec`),
        `${where} spec.clusterID`,
      );
    }
    return clusterId;
  };
  const readGuardState = async (): Promise<{
    state?: RotationGuardState;
    current?: unknown;
    scope: string;
  }> => {
    const scope = guardScopeId(await readClusterId());
    const current = await api.readGuard();
    return current === undefined
      ? { scope }
      : { state: decodeGuardConfigMap(current, scope), current, scope };
  };
  const operationIdOf = async (operation: GuardOperation) =>
    keyturnOperationId(await readClusterId(), operation.issuerId, operation.rotationId);

  const readPoolReboot = async (pool: PoolName) => {
    const name = rebootConfigName(pool);
    const config = await api.readMachineConfig(name);
    return { config, rebootNumber: config === undefined ? 0 : readRebootNumber(config, name) };
  };

  return {
    readStability: async () => readStability(await api.listClusterOperators()),

    readTokenLifetime: async () => readTokenLifetime(await api.readApiServerConfig()),

    readPoolReboot: async (pool) => ({ pool, rebootNumber: (await readPoolReboot(pool)).rebootNumber }),

    async requestPoolReboot(pool, rebootNumber) {
      assertRebootNumber(rebootNumber);
      await retryOnConflict(PLATFORM_RESOURCES.machineConfig(rebootConfigName(pool)), async () => {
        const { config, rebootNumber: current } = await readPoolReboot(pool);
        if (current >= rebootNumber) return 'written';
        const labels = readPoolSelector(await api.readMachineConfigPool(pool), pool);
        if (config === undefined) {
          return api.createMachineConfig(rebootConfigBody(pool, rebootNumber, labels));
        }
        const version = resourceVersionOf(config, `machineconfig ${rebootConfigName(pool)}`);
        return api.replaceMachineConfig(rebootConfigBody(pool, rebootNumber, labels, version));
      });
    },

    async rebootProgress(pool, rebootNumber): Promise<RebootProgress> {
      const nodes = readNodeConfigs(await api.listNodes()).filter((node) => node.pool === pool);
      const numbers = new Map<string, number>();
      const pending: string[] = [];
      for (const node of nodes) {
        const config = node.currentConfig;
        if (config !== undefined && !numbers.has(config)) {
          const rendered = await api.readMachineConfig(config);
          numbers.set(config, rendered === undefined ? 0 : readRebootNumber(rendered, config));
        }
        if ((config === undefined ? 0 : (numbers.get(config) ?? 0)) < rebootNumber) pending.push(node.name);
      }
      return {
        nodesRebooted: nodes.length - pending.length,
        nodesTotal: nodes.length,
        pending: pending.slice(0, MAX_PENDING),
      };
    },

    async readRotationGuard(operation): Promise<RotationGuardHolder> {
      const operationId = await operationIdOf(operation);
      const active = (await readGuardState()).state?.activeOperationID;
      if (active === undefined) return { heldBy: 'nobody' };
      return active === operationId
        ? { heldBy: 'us', operationId }
        : { heldBy: 'other', operationId: active };
    },

    async holdRotationGuard(operation) {
      const operationId = await operationIdOf(operation);
      await retryOnConflict(PLATFORM_RESOURCES.guard, async () => {
        const { state, current, scope } = await readGuardState();
        const decision = acquireGuard(state, scope, operationId);
        if (decision.write === 'none') return 'written';
        return decision.write === 'create'
          ? api.createGuard(guardConfigMapBody(decision.state))
          : api.replaceGuard(guardConfigMapBody(decision.state, current));
      });
    },

    async releaseRotationGuard(operation) {
      const operationId = await operationIdOf(operation);
      await retryOnConflict(PLATFORM_RESOURCES.guard, async () => {
        const { state, current } = await readGuardState();
        const decision = releaseGuard(state, operationId);
        if (decision.write === 'none' || decision.state === undefined) return 'written';
        return api.replaceGuard(guardConfigMapBody(decision.state, current));
      });
    },
  };
}

/** Reads and decides again once after a 409; a second one is ERR_CLUSTER_CONFLICT (retried by the workflow). */
async function retryOnConflict(resource: string, attempt: () => Promise<WriteOutcome>): Promise<void> {
  if ((await attempt()) === 'written' || (await attempt()) === 'written') return;
  const details: ClusterApiCallDetails = { method: 'PUT', resource, status: 409, reason: 'Conflict' };
  throw new ClusterApiCallError(
    'ERR_CLUSTER_CONFLICT',
    `${resource} changed twice while keyturn wrote it (HTTP 409 Conflict); another writer is at work: retry`,
    details,
  );
}

function resourceVersionOf(object: unknown, where: string): string {
  return requiredString(
    fieldOf(fieldOf(object, 'metadata', where), 'resourceVersion', `${where} metadata`),
    `${where} metadata.resourceVersion`,
  );
}

/** Reboot numbers are whole and at least 1, as oc counts them. */
function assertRebootNumber(value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 999_999_999) {
    throw new RangeError(`a reboot number is a whole number from 1, got ${value}`);
  }
}
