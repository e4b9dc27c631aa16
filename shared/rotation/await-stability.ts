import type { Rotation } from '../keyring/keyring.ts';
import { platformPolicy } from '../keyring/policy.ts';
import type { ClusterStability, RotationPorts } from '../ports.ts';
import { conditionKey, describeCondition } from './cluster-gate.ts';
import { ClusterUnstableError } from './errors.ts';
import { endWait, markStopped, startWait, waitedSeconds } from './rotation-waits.ts';
import { loadKeyring, requireRotation, type StepInput } from './step-context.ts';

/** Whether the cluster has been stable for the issuer's minimum period. */
export interface StabilityResult {
  readonly stable: boolean;
  /** Every unstable condition, described (`kube-apiserver Progressing=True (NodeInstaller: ...)`). */
  readonly unstable: readonly string[];
  /** Seconds the cluster has been stable, when it is. */
  readonly stableForSeconds?: number;
  readonly waitedSeconds: number;
  readonly timeoutSeconds: number;
}

/**
 * Waits (one poll at a time) for the cluster to be stable for `stablePeriodSeconds`, as
 * `oc adm wait-for-stable-cluster --minimum-stable-period` does: after the signer rollout, and again after
 * the reboots. An emergency disregards the conditions it started under. Writes only when the wait starts,
 * ends, or, past `stabilityTimeoutSeconds`, stops: it then fails safe, both keys published and the
 * rotation in flight, with ClusterUnstableError naming what is unstable and the commands that go on
 * (RECOVERABLE). A retried poll writes nothing new (RETRY-SAFE).
 */
export async function awaitStability(ports: RotationPorts, input: StepInput): Promise<StabilityResult> {
  let stored = await loadKeyring(ports, input.issuerId);
  const rotation = requireRotation(stored.keyring, input.rotationId);
  const policy = platformPolicy(stored.keyring.policy);
  const stability = await ports.cluster.readStability();
  const now = ports.clock.now();
  const unstable = relevantInstability(stability, rotation);
  const stableFor =
    stability.stableSince === undefined
      ? undefined
      : Math.max(0, Math.floor((now.getTime() - stability.stableSince.getTime()) / 1000));
  const stable =
    stability.operators > 0 &&
    unstable.length === 0 &&
    // Disregarded instability keeps the adapter from reporting stableSince: then conditions alone count.
    (stableFor === undefined || stableFor >= policy.stablePeriodSeconds);
  if (stable) {
    await endWait(ports, stored, rotation, 'await-stability', `the cluster is stable (${stableFor ?? 0} s)`);
  } else {
    stored = await startWait(ports, stored, rotation, 'await-stability');
  }
  const waited = waitedSeconds(stored.keyring.rotation ?? rotation, now);
  const result = {
    stable,
    unstable,
    ...(stableFor === undefined ? {} : { stableForSeconds: stableFor }),
    waitedSeconds: waited,
    timeoutSeconds: policy.stabilityTimeoutSeconds,
  };
  if (stable || waited < policy.stabilityTimeoutSeconds) return result;
  const what =
    stability.operators === 0
      ? 'no ClusterOperators listed'
      : unstable.length > 0
        ? unstable.join('; ')
        : `stable only for ${stableFor ?? 0} s of the ${policy.stablePeriodSeconds} s required`;
  const reason = `the cluster was not stable within ${policy.stabilityTimeoutSeconds} s ${phaseOf(rotation)}: ${what}`;
  await markStopped(ports, stored, rotation, 'await-stability', reason);
  throw new ClusterUnstableError(
    'ERR_CLUSTER_UNSTABLE',
    `issuer ${stored.keyring.issuerId}: ${reason}. Rotation ${rotation.id} stays in flight with both keys published (NO-ORPHAN-TOKENS). Make the cluster stable, then resume it with keyturn rotate --issuer ${stored.keyring.issuerId}, or end it with keyturn rotate --issuer ${stored.keyring.issuerId} --abort`,
  );
}

/** `after the rollout` or `after the reboots`: which of the two waits this is. */
function phaseOf(rotation: Rotation): string {
  return rotation.activatedAt === undefined ? 'after the signer rollout' : 'after the node reboots';
}

/** The unstable conditions that count: all of them, less those an emergency started under. */
function relevantInstability(stability: ClusterStability, rotation: Rotation): string[] {
  const tolerated = new Set(rotation.toleratedInstability ?? []);
  return stability.unstable
    .filter((condition) => !tolerated.has(conditionKey(condition)))
    .map(describeCondition);
}
