import type { Rotation } from '../keyring/keyring.ts';
import { platformPolicy } from '../keyring/policy.ts';
import type { PoolName, RebootProgress, RotationPorts, StoredKeyring } from '../ports.ts';
import { NodesNotRebootedError, StepNotReadyError } from './errors.ts';
import { endWait, markStopped, startWait, waitedSeconds } from './rotation-waits.ts';
import { commit, loadKeyring, nowIso, requireRotation, type StepInput } from './step-context.ts';

/**
 * The pools, in the order `oc adm reboot-machine-config-pool mcp/worker mcp/master` asks for them: the
 * workloads' nodes first, the control plane (whose kube-apiservers now all sign with the new key) last.
 */
export const REBOOT_POOLS: readonly PoolName[] = ['worker', 'master'];

/** How far one pool has come. */
export interface PoolRefresh extends RebootProgress {
  readonly pool: PoolName;
  readonly rebootNumber: number;
}

/** Where the token refresh phase stands. */
export interface RefreshResult {
  /** True when every node of every pool has rebooted (or no reboot is asked: tokenRefresh `wait`). */
  readonly done: boolean;
  /** `worker 1/2 rebooted, master 0/3 rebooted`. */
  readonly progress: string;
  readonly pools: readonly PoolRefresh[];
}

/**
 * The token refresh phase after activation (tokenRefresh `reboot`), one poll at a time: reboots every
 * node so that every pod restarts with a token the new key signed, then follows the nodes as
 * `oc adm wait-for-node-reboot` does. RETRY-SAFE: each pool's target reboot number (the number it has
 * now + 1) is recorded on the rotation before anything is requested, and a retry requests the same
 * numbers, which the cluster leaves alone once reached, so no node ever reboots twice for one rotation.
 * Past `rebootTimeoutSeconds` it records why and fails safe with NodesNotRebootedError: both keys stay
 * published (the old one keeps its grace) and the rotation stays in flight (RECOVERABLE).
 */
export async function refreshTokens(ports: RotationPorts, input: StepInput): Promise<RefreshResult> {
  let stored = await loadKeyring(ports, input.issuerId);
  const rotation = requireRotation(stored.keyring, input.rotationId);
  if (rotation.activatedAt === undefined) {
    throw new StepNotReadyError('ERR_STEP_NOT_READY', `rotation ${rotation.id} is not activated yet`);
  }
  if (rotation.tokenRefresh !== 'reboot') {
    return { done: true, progress: 'no reboot: the old key keeps its grace (tokenRefresh wait)', pools: [] };
  }
  stored = await recordTargets(ports, stored, currentRotation(stored, rotation));
  stored = await requestReboots(ports, stored, currentRotation(stored, rotation));
  const targets = currentRotation(stored, rotation).rebootTargets ?? { worker: 1, master: 1 };
  const pools: PoolRefresh[] = [];
  for (const pool of REBOOT_POOLS) {
    const rebootNumber = targets[pool];
    pools.push({ pool, rebootNumber, ...(await ports.cluster.rebootProgress(pool, rebootNumber)) });
  }
  const done = pools.every((pool) => pool.nodesRebooted >= pool.nodesTotal);
  const progress = describeRefresh(pools);
  if (done) {
    const detail = `every node rebooted (${progress})`;
    await endWait(ports, stored, currentRotation(stored, rotation), 'refresh-tokens', detail);
    return { done, progress, pools };
  }
  stored = await startWait(ports, stored, currentRotation(stored, rotation), 'refresh-tokens');
  const { rebootTimeoutSeconds } = platformPolicy(stored.keyring.policy);
  if (waitedSeconds(currentRotation(stored, rotation), ports.clock.now()) < rebootTimeoutSeconds) {
    return { done, progress, pools };
  }
  const pending = pools.flatMap((pool) => pool.pending);
  const reason = `not every node rebooted within ${rebootTimeoutSeconds} s (${progress}; still to reboot: ${pending.join(', ') || 'unknown'})`;
  await markStopped(ports, stored, rotation, 'refresh-tokens', reason);
  throw new NodesNotRebootedError(
    'ERR_NODES_NOT_REBOOTED',
    `issuer ${stored.keyring.issuerId}: ${reason}. The new key is active; the old key ${rotation.previousKid ?? ''} stays published for its grace (NO-ORPHAN-TOKENS). Check the machine config pools (oc get mcp), then resume with keyturn rotate --issuer ${stored.keyring.issuerId}, or end the rotation with keyturn rotate --issuer ${stored.keyring.issuerId} --abort (the old key then leaves after its grace)`,
  );
}

/** `worker 1/2 rebooted, master 0/3 rebooted`. */
export function describeRefresh(
  pools: readonly Pick<PoolRefresh, 'pool' | 'nodesRebooted' | 'nodesTotal'>[],
) {
  return pools.map((pool) => `${pool.pool} ${pool.nodesRebooted}/${pool.nodesTotal} rebooted`).join(', ');
}

function currentRotation(stored: StoredKeyring, fallback: Rotation): Rotation {
  return stored.keyring.rotation ?? fallback;
}

/** Reads each pool's reboot number and records number + 1 as its target, once (before any request). */
async function recordTargets(
  ports: RotationPorts,
  stored: StoredKeyring,
  rotation: Rotation,
): Promise<StoredKeyring> {
  if (rotation.rebootTargets !== undefined) return stored;
  const worker = (await ports.cluster.readPoolReboot('worker')).rebootNumber + 1;
  const master = (await ports.cluster.readPoolReboot('master')).rebootNumber + 1;
  return commit(
    ports,
    stored,
    { ...stored.keyring, rotation: { ...rotation, rebootTargets: { worker, master } } },
    {
      rotationId: rotation.id,
      step: 'refresh-tokens',
      outcome: 'ok',
      detail: `rebooting pools worker (reboot ${worker}) and master (reboot ${master}) so that every pod gets a token signed by the new key`,
    },
  );
}

/** Asks for the recorded reboots, worker then master; recorded once asked (a retry asks again: harmless). */
async function requestReboots(
  ports: RotationPorts,
  stored: StoredKeyring,
  rotation: Rotation,
): Promise<StoredKeyring> {
  const targets = rotation.rebootTargets;
  if (targets === undefined || rotation.rebootsRequestedAt !== undefined) return stored;
  for (const pool of REBOOT_POOLS) await ports.cluster.requestPoolReboot(pool, targets[pool]);
  return commit(
    ports,
    stored,
    { ...stored.keyring, rotation: { ...rotation, rebootsRequestedAt: nowIso(ports) } },
    { rotationId: rotation.id, step: 'refresh-tokens', outcome: 'ok', detail: 'reboots requested' },
  );
}
