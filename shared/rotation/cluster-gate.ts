import type { Keyring, RotationMode } from '../keyring/keyring.ts';
import {
  type ClusterStability,
  type GuardOperation,
  ROTATION_GUARD_CONFIGMAP,
  RotationGuardError,
  type RotationPorts,
  type UnstableCondition,
} from '../ports.ts';
import { ClusterUnstableError, GraceBelowTokenLifetimeError } from './errors.ts';

/** What the gate let through: for an emergency on an unstable cluster, the instability it disregards. */
export interface GateOutcome {
  /** `monitoring Degraded`: conditions the stability waits of this rotation disregard (emergency only). */
  readonly tolerated: readonly string[];
  /** Said to the operator and recorded in the audit trail when an emergency starts on an unstable cluster. */
  readonly warning?: string;
}

/** `kube-apiserver Degraded=True (NodeInstallerDegraded: 1 node is failing)`. */
export function describeCondition(condition: UnstableCondition): string {
  const why = [condition.reason, condition.message].filter((part) => part !== undefined && part !== '');
  const detail = why.length === 0 ? '' : ` (${why.join(': ')})`;
  return `${condition.operator} ${condition.condition}=${condition.status}${detail}`;
}

/** `monitoring Degraded`: one condition as the rotation records it, without its changing message. */
export function conditionKey(condition: UnstableCondition): string {
  return `${condition.operator} ${condition.condition}`;
}

/** Every unstable condition, one after the other; `no ClusterOperators listed` when there are none. */
export function describeInstability(stability: ClusterStability): string {
  if (stability.operators === 0) return 'no ClusterOperators listed';
  return stability.unstable.map(describeCondition).join('; ');
}

/**
 * Refuses to start a rotation while another operation holds the cluster's signer-rotation guard
 * (ccoctl's `cco-signer-key-rotation-guard`): one rotator at a time. Nothing is written.
 */
export async function assertGuardFree(ports: RotationPorts, operation: GuardOperation): Promise<void> {
  const holder = await ports.cluster.readRotationGuard(operation);
  if (holder.heldBy !== 'other') return;
  throw new RotationGuardError(
    'ERR_ROTATION_GUARD_HELD',
    `issuer ${operation.issuerId}: another signer key rotation holds the cluster (ConfigMap ${ROTATION_GUARD_CONFIGMAP}, operation ${holder.operationId ?? 'unknown'}: ccoctl aws rotate-signing-key or another keyturn rotation); nothing was changed. Wait for it to finish, then run the rotation again`,
  );
}

/**
 * NO-ORPHAN-TOKENS from the cluster's own settings: a grace shorter than the longest token the cluster
 * may issue (service-account-max-token-expiration) could drop a key whose tokens are still valid.
 */
export async function assertGraceCoversTokens(ports: RotationPorts, keyring: Keyring): Promise<void> {
  const lifetime = await ports.cluster.readTokenLifetime();
  const { graceSeconds } = keyring.policy;
  if (lifetime.maxSeconds === undefined || graceSeconds >= lifetime.maxSeconds) return;
  throw new GraceBelowTokenLifetimeError(
    'ERR_GRACE_BELOW_TOKEN_LIFETIME',
    `issuer ${keyring.issuerId}: the grace of ${graceSeconds} s is shorter than the longest service-account token the cluster issues (service-account-max-token-expiration ${lifetime.maxSeconds} s, from ${lifetime.source}); a retired key could leave keys.json while its tokens are still valid (NO-ORPHAN-TOKENS). Nothing was changed. Raise the issuer's grace to at least ${lifetime.maxSeconds} s`,
  );
}

/**
 * The stability gate (`oc adm wait-for-stable-cluster` before the procedure): a scheduled or manual
 * rotation refuses to start unless every ClusterOperator is Available=True, Progressing=False,
 * Degraded=False, naming each condition that is not. An emergency is never blocked by it: a degraded
 * operator that has nothing to do with the signer must not keep a compromised key signing, so it goes on
 * with a warning naming the instability, and its stability waits disregard exactly those conditions.
 */
export async function passStabilityGate(
  ports: RotationPorts,
  keyring: Keyring,
  mode: RotationMode,
): Promise<GateOutcome> {
  const stability = await ports.cluster.readStability();
  if (stability.operators > 0 && stability.unstable.length === 0) return { tolerated: [] };
  const what = describeInstability(stability);
  if (mode === 'emergency') {
    return {
      tolerated: [...new Set(stability.unstable.map(conditionKey))],
      warning: `the cluster is not stable (${what}); the emergency rotation goes on, and its stability waits disregard these conditions`,
    };
  }
  throw new ClusterUnstableError(
    'ERR_CLUSTER_UNSTABLE',
    `issuer ${keyring.issuerId}: the cluster is not stable: ${what}; nothing was changed. Wait until every ClusterOperator is Available=True, Progressing=False, Degraded=False (oc adm wait-for-stable-cluster), then run the rotation again`,
  );
}
