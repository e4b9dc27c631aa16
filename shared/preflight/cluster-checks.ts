import { normalizeIssuerUrl } from '../issuer/issuer-url.ts';
import type { Keyring } from '../keyring/keyring.ts';
import {
  type ClusterKeys,
  type ClusterStability,
  ROTATION_GUARD_CONFIGMAP,
  type RotationGuardHolder,
  type TokenLifetime,
} from '../ports.ts';
import { describeCondition } from '../rotation/cluster-gate.ts';
import { describeDrift, detectDrift, hasDrift } from '../rotation/drift.ts';
import { type CheckResult, checkOf, formatSeconds, reasonOf, type Settled } from './check-result.ts';
import { type AccessReview, describeAccessRule } from './preflight-reads.ts';

/**
 * The checks over what the cluster answered, one function each: pure, so each is tested with plain data.
 * A read that failed is a failed check whose reason is the read's error.
 */

/** (1) The cluster answers and accepts the kubeconfig's credential. */
export function checkReachable(server: string, version: Settled<string>): CheckResult {
  const base = { ...checkOf('cluster-reachable') } as const;
  return version.ok
    ? { ...base, outcome: 'pass', reason: `${server} answers (Kubernetes ${version.value})` }
    : { ...base, outcome: 'fail', reason: reasonOf(version.error) };
}

/** (2) Every call keyturn makes is allowed to the identity the kubeconfig names. */
export function checkAccess(reviews: Settled<readonly AccessReview[]>): CheckResult {
  const base = { ...checkOf('api-access') } as const;
  if (!reviews.ok) return { ...base, outcome: 'fail', reason: reasonOf(reviews.error) };
  const denied = reviews.value.filter((review) => !review.allowed);
  if (denied.length === 0) {
    return {
      ...base,
      outcome: 'pass',
      reason: `all ${reviews.value.length} calls keyturn makes are allowed (SelfSubjectAccessReview)`,
    };
  }
  return {
    ...base,
    outcome: 'fail',
    reason: `${denied.length} of ${reviews.value.length} calls are denied: apply docs/openshift-rbac.yaml and bind it to the identity keyturn runs as`,
    details: denied.map(
      (review) =>
        `denied: ${describeAccessRule(review.rule)}${review.reason === undefined ? '' : ` (${review.reason})`}`,
    ),
  };
}

/** The issuer the cluster uses when `spec.serviceAccountIssuer` is empty. */
const DEFAULT_CLUSTER_ISSUER = 'https://kubernetes.default.svc';

/** (3) The cluster's serviceAccountIssuer is the keyring's issuer URL: the `iss` STS will see. */
export function checkIssuerUrl(keyring: Keyring, configured: Settled<string | undefined>): CheckResult {
  const base = { ...checkOf('issuer-url') } as const;
  if (!configured.ok) return { ...base, outcome: 'fail', reason: reasonOf(configured.error) };
  const expected = normalizeIssuerUrl(keyring.issuerUrl);
  const actual = configured.value;
  if (actual !== undefined && sameIssuer(actual, expected)) {
    return { ...base, outcome: 'pass', reason: `spec.serviceAccountIssuer is ${expected}` };
  }
  const said = actual === undefined ? `empty (the default ${DEFAULT_CLUSTER_ISSUER})` : actual;
  return {
    ...base,
    outcome: 'fail',
    reason: `authentication.config.openshift.io/cluster spec.serviceAccountIssuer is ${said}, not ${expected}: tokens would carry an iss keys.json is not published for; set it to ${expected} (oc edit authentication cluster) or give the issuer of this cluster with --issuer`,
  };
}

function sameIssuer(actual: string, expected: string): boolean {
  try {
    return normalizeIssuerUrl(actual) === expected;
  } catch {
    return false;
  }
}

/**
 * (4) Every key the cluster signs with or trusts is in keys.json (the drift rule of maintenance):
 * keyturn's own removed keys the cluster still trusts are expected (OpenShift never drops a public key).
 */
export function checkClusterKeys(keyring: Keyring, cluster: Settled<ClusterKeys>): CheckResult {
  const base = { ...checkOf('cluster-keys'), invariant: 'ALWAYS-VALID' } as const;
  if (!cluster.ok) return { ...base, outcome: 'fail', reason: reasonOf(cluster.error) };
  const drift = detectDrift(keyring, cluster.value);
  const expected =
    drift.removedTrustedKids.length === 0
      ? ''
      : `; it still trusts ${drift.removedTrustedKids.join(', ')}, removed by keyturn (expected: OpenShift never drops a public key)`;
  if (hasDrift(drift)) {
    return {
      ...base,
      outcome: 'fail',
      reason: `${describeDrift(drift)}: publish the cluster's key with keyturn maintain --publish-drift (--local or --aws) before rotating${expected}`,
    };
  }
  const { signingKid, trustedKids } = cluster.value;
  const signs = signingKid === undefined ? 'the cluster' : `the cluster signs with ${signingKid} and`;
  return {
    ...base,
    outcome: 'pass',
    reason: `${signs} trusts ${trustedKids.length} key${trustedKids.length === 1 ? '' : 's'}, each published or removed by keyturn${expected}`,
  };
}

/** (7) No other rotator (ccoctl aws rotate-signing-key, another keyturn rotation) holds the cluster. */
export function checkRotationGuard(holder: Settled<RotationGuardHolder>, rotationId?: string): CheckResult {
  const base = { ...checkOf('rotation-guard'), invariant: 'ONE-SIGNER' } as const;
  if (!holder.ok) return { ...base, outcome: 'fail', reason: reasonOf(holder.error) };
  switch (holder.value.heldBy) {
    case 'nobody':
      return { ...base, outcome: 'pass', reason: 'nobody holds the signer rotation guard' };
    case 'us':
      return {
        ...base,
        outcome: 'pass',
        reason: `this issuer's rotation in flight (${rotationId ?? 'unknown'}) holds the guard: keyturn rotate resumes it`,
      };
    default:
      return {
        ...base,
        outcome: 'fail',
        reason: `operation ${holder.value.operationId ?? 'unknown'} holds the signer rotation guard (ConfigMap ${ROTATION_GUARD_CONFIGMAP}: ccoctl aws rotate-signing-key or another keyturn rotation); wait for it to finish`,
      };
  }
}

/** (8) Every ClusterOperator Available=True, Progressing=False, Degraded=False. */
export function checkStability(stability: Settled<ClusterStability>): CheckResult {
  const base = { ...checkOf('cluster-stable') } as const;
  if (!stability.ok) return { ...base, outcome: 'fail', reason: reasonOf(stability.error) };
  const { operators, unstable, stableSince } = stability.value;
  if (operators === 0) {
    return {
      ...base,
      outcome: 'fail',
      reason: 'no ClusterOperators listed: is this an OpenShift 4 cluster?',
    };
  }
  if (unstable.length === 0 && stableSince !== undefined) {
    return {
      ...base,
      outcome: 'pass',
      reason: `all ${operators} ClusterOperators Available, not Progressing, not Degraded since ${stableSince.toISOString()}`,
    };
  }
  if (unstable.length === 0) {
    return {
      ...base,
      outcome: 'pass',
      reason: `all ${operators} ClusterOperators Available, not Progressing, not Degraded`,
    };
  }
  const operatorsNamed = [...new Set(unstable.map((condition) => condition.operator))];
  return {
    ...base,
    outcome: 'fail',
    reason: `${operatorsNamed.join(', ')} not stable: wait until oc adm wait-for-stable-cluster returns`,
    details: unstable.map(describeCondition),
  };
}

/** (9) The policy's grace covers the longest token the cluster issues (service-account-max-token-expiration). */
export function checkTokenLifetime(keyring: Keyring, lifetime: Settled<TokenLifetime>): CheckResult {
  const base = { ...checkOf('token-lifetime'), invariant: 'NO-ORPHAN-TOKENS' } as const;
  if (!lifetime.ok) return { ...base, outcome: 'fail', reason: reasonOf(lifetime.error) };
  const grace = keyring.policy.graceSeconds;
  const { maxSeconds, source } = lifetime.value;
  if (maxSeconds === undefined) {
    return {
      ...base,
      outcome: 'pass',
      reason: `no service-account-max-token-expiration in ${source}, OpenShift's default; grace ${formatSeconds(grace)}`,
    };
  }
  if (grace >= maxSeconds) {
    return {
      ...base,
      outcome: 'pass',
      reason: `grace ${formatSeconds(grace)} covers the cluster's longest token, ${formatSeconds(maxSeconds)}, from ${source}`,
    };
  }
  return {
    ...base,
    outcome: 'fail',
    reason: `grace ${formatSeconds(grace)} is shorter than the cluster's longest token, ${formatSeconds(maxSeconds)}, from ${source}: a retired key could leave keys.json while its tokens are valid; raise the issuer's grace to at least ${maxSeconds} s`,
  };
}
