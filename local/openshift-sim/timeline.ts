import type { ClusterState } from './cluster-state.ts';
import { completeUpdates, nextUpdateCompletion } from './machine-config.ts';
import { settle } from './operator.ts';
import { completeRollout, nextRolloutCompletion } from './rollout.ts';
import { nextTokenRefresh, refreshDueTokens } from './workloads.ts';

/** One thing simulated time brings: an installer finishing, a node back from reboot, a token refresh. */
interface DueEvent {
  readonly atMs: number;
  readonly run: (at: Date) => void;
}

/**
 * Plays simulated time forward to `now`: every event due by then happens at its own instant, earliest
 * first (at equal instants: rollouts, then reboots, then token refreshes), and the controllers react at
 * that instant. Deterministic for a given sequence of calls, so a fake clock drives it exactly.
 */
export function advanceTo(state: ClusterState, now: Date): void {
  for (let event = nextEvent(state); event !== undefined && event.atMs <= now.getTime(); ) {
    event.run(new Date(event.atMs));
    event = nextEvent(state);
  }
  state.syncedAtMs = Math.max(state.syncedAtMs, now.getTime());
}

function nextEvent(state: ClusterState): DueEvent | undefined {
  const candidates: (DueEvent | undefined)[] = [
    due(nextRolloutCompletion(state), (at) => {
      completeRollout(state, at);
      settle(state, at);
    }),
    due(nextUpdateCompletion(state), (at) => completeUpdates(state, at)),
    due(nextTokenRefresh(state), (at) => refreshDueTokens(state, at)),
  ];
  let earliest: DueEvent | undefined;
  for (const candidate of candidates) {
    if (candidate !== undefined && (earliest === undefined || candidate.atMs < earliest.atMs)) {
      earliest = candidate;
    }
  }
  return earliest;
}

function due(atMs: number | undefined, run: (at: Date) => void): DueEvent | undefined {
  return atMs === undefined ? undefined : { atMs, run };
}
