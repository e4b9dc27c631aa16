import { type ClusterState, latestRevision, type NodeState, writeNodeObjects } from './cluster-state.ts';

/**
 * Starts the next node's installer when none runs: the first node (in node order) behind the latest
 * revision rolls to it. One node at a time, as the static-pod installer controller does.
 */
export function startNextRollout(state: ClusterState, at: Date): void {
  if (state.nodes.some((node) => node.targetRevision !== undefined)) {
    return;
  }
  const latest = latestRevision(state).revision;
  const behind = state.nodes.find((node) => node.currentRevision < latest);
  if (behind === undefined) {
    return;
  }
  behind.targetRevision = latest;
  behind.rollingSinceMs = at.getTime();
  writeNodeObjects(state, at);
}

/** When the running installer finishes (ms), or undefined when none runs or its node is stuck. */
export function nextRolloutCompletion(state: ClusterState): number | undefined {
  const rolling = rollingNode(state);
  if (rolling === undefined || rolling.stuck || rolling.rollingSinceMs === undefined) {
    return undefined;
  }
  return rolling.rollingSinceMs + state.rolloutMs;
}

/** Finishes the running installer: its node now runs (signs and trusts as) the target revision. */
export function completeRollout(state: ClusterState, at: Date): void {
  const rolling = rollingNode(state);
  if (rolling?.targetRevision === undefined) {
    return;
  }
  rolling.currentRevision = rolling.targetRevision;
  rolling.targetRevision = undefined;
  rolling.rollingSinceMs = undefined;
  writeNodeObjects(state, at);
}

/** Marks a node stuck or frees it; a freed node's running installer starts its full duration again. */
export function setNodeStuck(state: ClusterState, nodeName: string, stuck: boolean, at: Date): void {
  const node = state.nodes.find((candidate) => candidate.name === nodeName);
  if (node === undefined) {
    const names = state.nodes.map((candidate) => candidate.name).join(', ');
    throw new RangeError(`no control-plane node named ${nodeName}; the nodes are ${names}`);
  }
  if (node.stuck && !stuck && node.targetRevision !== undefined) {
    node.rollingSinceMs = at.getTime();
  }
  node.stuck = stuck;
}

function rollingNode(state: ClusterState): NodeState | undefined {
  return state.nodes.find((node) => node.targetRevision !== undefined);
}
