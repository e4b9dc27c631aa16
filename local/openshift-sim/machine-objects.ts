import { createHash } from 'node:crypto';
import { syncClusterOperators } from './cluster-operators.ts';
import type { ClusterState, MachineState } from './cluster-state.ts';
import { toKubeTime } from './objects.ts';
import {
  type MachineConfigPool,
  MCO_ANNOTATIONS,
  MCO_ROLE_LABEL,
  type Node,
  POOL_NAMES,
  type PoolName,
  withTransitions,
} from './platform-objects.ts';

/** The kubelet version the simulated nodes report (OpenShift 4.19). */
const KUBELET_VERSION = 'v1.32.5';

/** Writes the Node and MachineConfigPool objects from the machine states, then the ClusterOperators. */
export function writeMachineObjects(state: ClusterState, at: Date): void {
  for (const machine of state.machines) {
    writeNode(state, machine, at);
  }
  for (const pool of POOL_NAMES) {
    writePool(state, pool, at);
  }
  syncClusterOperators(state, at);
}

function writeNode(state: ClusterState, machine: MachineState, at: Date): void {
  const updating = machine.updatingSinceMs !== undefined;
  const previous = state.store.get('Node', undefined, machine.name);
  const roles: Record<string, string> =
    machine.pool === 'master'
      ? { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '' }
      : { 'node-role.kubernetes.io/worker': '' };
  const ready = updating
    ? ({
        type: 'Ready',
        status: 'False',
        reason: 'KubeletNotReady',
        message: 'the node is rebooting',
      } as const)
    : ({
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
      } as const);
  state.store.put<Node>(
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: machine.name,
        labels: { 'kubernetes.io/hostname': machine.name, 'kubernetes.io/os': 'linux', ...roles },
        annotations: {
          [MCO_ANNOTATIONS.currentConfig]: machine.currentConfig,
          [MCO_ANNOTATIONS.desiredConfig]: machine.desiredConfig,
          [MCO_ANNOTATIONS.state]: updating ? 'Working' : 'Done',
          [MCO_ANNOTATIONS.reason]: '',
        },
      },
      spec: updating ? { unschedulable: true } : {},
      status: {
        conditions: withTransitions(previous?.status.conditions, [ready], toKubeTime(at)),
        nodeInfo: {
          bootID: machine.bootId,
          machineID: machineIdOf(machine.name),
          systemUUID: machineIdOf(`uuid/${machine.name}`),
          kubeletVersion: KUBELET_VERSION,
          osImage: 'Red Hat Enterprise Linux CoreOS 9.6 (simulated)',
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    },
    at,
  );
}

function writePool(state: ClusterState, pool: PoolName, at: Date): void {
  const target = state.poolTargets.get(pool);
  const members = state.machines.filter((machine) => machine.pool === pool);
  const updated = members.filter(
    (machine) => machine.currentConfig === target?.name && machine.updatingSinceMs === undefined,
  ).length;
  const unavailable = members.filter((machine) => machine.updatingSinceMs !== undefined).length;
  const done = updated === members.length;
  const previous = state.store.get('MachineConfigPool', undefined, pool);
  const source = (target?.sources ?? []).map((name) => ({
    apiVersion: 'machineconfiguration.openshift.io/v1',
    kind: 'MachineConfig',
    name,
  }));
  // status.configuration names what every node runs, so it follows the target only once all are on it.
  const statusConfiguration =
    done || previous === undefined ? { name: target?.name ?? '', source } : previous.status.configuration;
  state.store.put<MachineConfigPool>(
    {
      apiVersion: 'machineconfiguration.openshift.io/v1',
      kind: 'MachineConfigPool',
      metadata: { name: pool, labels: { [`pools.operator.machineconfiguration.openshift.io/${pool}`]: '' } },
      spec: {
        machineConfigSelector: { matchLabels: { [MCO_ROLE_LABEL]: pool } },
        nodeSelector: { matchLabels: { [`node-role.kubernetes.io/${pool}`]: '' } },
        configuration: { name: target?.name ?? '' },
        paused: false,
        maxUnavailable: 1,
      },
      status: {
        observedGeneration: 1,
        configuration: statusConfiguration,
        machineCount: members.length,
        updatedMachineCount: updated,
        readyMachineCount: updated,
        unavailableMachineCount: unavailable,
        degradedMachineCount: 0,
        conditions: withTransitions(
          previous?.status.conditions,
          [
            done
              ? {
                  type: 'Updated',
                  status: 'True',
                  message: `All nodes are updated with MachineConfig ${target?.name ?? ''}`,
                }
              : { type: 'Updated', status: 'False' },
            done
              ? { type: 'Updating', status: 'False' }
              : {
                  type: 'Updating',
                  status: 'True',
                  message: `All nodes are updating to MachineConfig ${target?.name ?? ''}`,
                },
            { type: 'NodeDegraded', status: 'False' },
            { type: 'RenderDegraded', status: 'False' },
            { type: 'Degraded', status: 'False' },
          ],
          toKubeTime(at),
        ),
      },
    },
    at,
  );
}

/** A stable 32-hex machine id for a node name. */
function machineIdOf(seed: string): string {
  return createHash('sha256').update(`keyturn-sim/${seed}`).digest('hex').slice(0, 32);
}
