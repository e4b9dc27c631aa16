import type { ClusterState } from './cluster-state.ts';
import { toKubeTime } from './objects.ts';
import { type ClusterOperator, type Condition, POOL_NAMES, withTransitions } from './platform-objects.ts';

/** The ClusterOperators the simulator serves (a real cluster has some thirty more). */
export const SIMULATED_OPERATORS = [
  'authentication',
  'cloud-credential',
  'kube-apiserver',
  'machine-config',
] as const;

/** The OpenShift version every simulated operator reports. */
export const SIMULATED_OPENSHIFT_VERSION = '4.19.0';

type ConditionSpec = Omit<Condition, 'lastTransitionTime'>;

/**
 * Writes every ClusterOperator from the state, as each operator's status controller does:
 * `kube-apiserver` is Progressing while a node is behind the latest revision, `machine-config` while a
 * pool's nodes are being updated, the others are steady; an operator in `degradedOperators` is held
 * Degraded=True. `lastTransitionTime` moves only when a condition's status changes.
 */
export function syncClusterOperators(state: ClusterState, at: Date): void {
  const time = toKubeTime(at);
  for (const name of SIMULATED_OPERATORS) {
    const progressing = progressingOf(state, name);
    const degraded = state.degradedOperators.has(name);
    const previous = state.store.get('ClusterOperator', undefined, name)?.status.conditions;
    const conditions = withTransitions(
      previous,
      [
        { type: 'Available', status: 'True', reason: 'AsExpected', message: availableMessage(state, name) },
        progressing,
        degraded
          ? {
              type: 'Degraded',
              status: 'True',
              reason: 'SimulatedFault',
              message: 'held Degraded by the OpenShift simulator (--degraded-operator)',
            }
          : { type: 'Degraded', status: 'False', reason: 'AsExpected' },
        { type: 'Upgradeable', status: 'True', reason: 'AsExpected' },
      ],
      time,
    );
    state.store.put<ClusterOperator>(
      {
        apiVersion: 'config.openshift.io/v1',
        kind: 'ClusterOperator',
        metadata: { name },
        spec: {},
        status: {
          conditions,
          versions: [{ name: 'operator', version: SIMULATED_OPENSHIFT_VERSION }],
          relatedObjects: [
            { group: 'operator.openshift.io', resource: 'kubeapiservers', name: 'cluster' },
          ].filter(() => name === 'kube-apiserver'),
        },
      },
      at,
    );
  }
}

function progressingOf(state: ClusterState, name: string): ConditionSpec {
  if (name === 'kube-apiserver') {
    const latest = state.revisions.length;
    const message = `NodeInstallerProgressing: ${revisionSummary(state)}`;
    return state.nodes.some((node) => node.currentRevision < latest)
      ? { type: 'Progressing', status: 'True', reason: 'NodeInstaller', message }
      : { type: 'Progressing', status: 'False', reason: 'AsExpected', message };
  }
  if (name === 'machine-config') {
    const updating = POOL_NAMES.filter((pool) =>
      state.machines.some(
        (machine) => machine.pool === pool && machine.currentConfig !== state.poolTargets.get(pool)?.name,
      ),
    );
    return updating.length > 0
      ? {
          type: 'Progressing',
          status: 'True',
          reason: 'PoolUpdating',
          message: `Working towards the rendered config of pool ${updating.join(', ')}`,
        }
      : { type: 'Progressing', status: 'False', reason: 'AsExpected' };
  }
  return { type: 'Progressing', status: 'False', reason: 'AsExpected' };
}

function availableMessage(state: ClusterState, name: string): string | undefined {
  return name === 'kube-apiserver'
    ? `StaticPodsAvailable: ${state.nodes.length} nodes are active; ${revisionSummary(state)}`
    : undefined;
}

/** `1 node is at revision 2; 2 nodes are at revision 3`, as the static-pod operators word it. */
function revisionSummary(state: ClusterState): string {
  const counts = new Map<number, number>();
  for (const node of state.nodes) {
    counts.set(node.currentRevision, (counts.get(node.currentRevision) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([revision, count]) => `${count} ${count === 1 ? 'node is' : 'nodes are'} at revision ${revision}`)
    .join('; ');
}
