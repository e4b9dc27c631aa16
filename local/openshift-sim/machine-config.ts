import { createHash, randomUUID } from 'node:crypto';
import type { ClusterState } from './cluster-state.ts';
import { writeMachineObjects } from './machine-objects.ts';
import {
  type IgnitionFile,
  type MachineConfig,
  MCO_ROLE_LABEL,
  POOL_NAMES,
  RENDERED_PREFIX,
} from './platform-objects.ts';
import { startWorkloadsOn, stopWorkloadsOn } from './workloads.ts';

/**
 * The Machine Config Operator's render controller: for each pool, merges the MachineConfigs its
 * `machineConfigSelector` (`machineconfiguration.openshift.io/role=<pool>`) selects, in name order (a
 * later file of the same path wins), into `rendered-<pool>-<hash of the sources>`, and makes that the
 * pool's target. A new target is what starts the node controller updating the pool's nodes.
 */
export function renderPools(state: ClusterState, at: Date): void {
  for (const pool of POOL_NAMES) {
    const sources = state.store
      .list('MachineConfig', undefined, { [MCO_ROLE_LABEL]: pool })
      .filter((config) => !config.metadata.name.startsWith(RENDERED_PREFIX));
    const files = new Map<string, IgnitionFile>();
    for (const source of sources) {
      for (const file of source.spec.config.storage?.files ?? []) {
        files.set(file.path, file);
      }
    }
    const hash = createHash('sha256')
      .update(JSON.stringify(sources.map((source) => [source.metadata.name, source.spec])))
      .digest('hex')
      .slice(0, 32);
    const name = `${RENDERED_PREFIX}${pool}-${hash}`;
    if (state.store.get('MachineConfig', undefined, name) === undefined) {
      state.store.put<MachineConfig>(
        {
          apiVersion: 'machineconfiguration.openshift.io/v1',
          kind: 'MachineConfig',
          metadata: {
            name,
            annotations: {
              'machineconfiguration.openshift.io/generated-by-controller-version': 'keyturn-sim',
            },
          },
          spec: { config: { ignition: { version: '3.4.0' }, storage: { files: [...files.values()] } } },
        },
        at,
      );
    }
    state.poolTargets.set(pool, { name, sources: sources.map((source) => source.metadata.name) });
  }
}

/**
 * The node controller with `maxUnavailable: 1`: in each pool whose nodes are all up, the first node not
 * on the pool's target gets it as `desiredConfig`, and its Machine Config Daemon starts to cordon, drain
 * and reboot it (its workload pods stop). Pools update independently of each other, as on a cluster.
 */
export function startNextUpdates(state: ClusterState, at: Date): void {
  for (const pool of POOL_NAMES) {
    const members = state.machines.filter((machine) => machine.pool === pool);
    const target = state.poolTargets.get(pool)?.name;
    if (target === undefined || members.some((machine) => machine.updatingSinceMs !== undefined)) {
      continue;
    }
    const behind = members.find((machine) => machine.currentConfig !== target);
    if (behind !== undefined) {
      behind.desiredConfig = target;
      behind.updatingSinceMs = at.getTime();
      stopWorkloadsOn(state, behind.name, at);
    }
  }
  writeMachineObjects(state, at);
}

/** When the next node finishes its reboot (ms), or undefined when none is being updated. */
export function nextUpdateCompletion(state: ClusterState): number | undefined {
  const due = state.machines
    .filter((machine) => machine.updatingSinceMs !== undefined)
    .map((machine) => (machine.updatingSinceMs ?? 0) + state.rebootMs);
  return due.length === 0 ? undefined : Math.min(...due);
}

/**
 * Finishes every reboot due by `at`: the node is back with a new boot id, runs its desired config
 * (`currentConfig` = `desiredConfig`, state Done), is Ready and schedulable again, and its workload pods
 * restart with freshly issued tokens. Then the next node of each pool starts.
 */
export function completeUpdates(state: ClusterState, at: Date): void {
  for (const machine of state.machines) {
    if (machine.updatingSinceMs !== undefined && machine.updatingSinceMs + state.rebootMs <= at.getTime()) {
      machine.updatingSinceMs = undefined;
      machine.currentConfig = machine.desiredConfig;
      machine.bootId = randomUUID();
      startWorkloadsOn(state, machine.name, at);
    }
  }
  startNextUpdates(state, at);
}
