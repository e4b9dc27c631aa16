import type { Fetch } from '../issuer/read-public-issuer.ts';
import type { Keyring } from '../keyring/keyring.ts';
import type { ClusterSigner } from '../ports.ts';
import {
  type CheckResult,
  checkOf,
  PREFLIGHT_CHECKS,
  type PreflightCheckId,
  settle,
} from './check-result.ts';
import {
  checkAccess,
  checkClusterKeys,
  checkIssuerUrl,
  checkReachable,
  checkRotationGuard,
  checkStability,
  checkTokenLifetime,
} from './cluster-checks.ts';
import { checkIssuerServed, checkLeadTime, readServedIssuer } from './issuer-checks.ts';
import type { ClusterPreflightReads } from './preflight-reads.ts';

/** What a preflight reads: the issuer's keyring, the cluster, and how to fetch the public issuer. */
export interface PreflightSources {
  readonly keyring: Keyring;
  /** Only reads: a preflight never writes to the cluster. */
  readonly cluster: Pick<
    ClusterSigner,
    'readKeys' | 'readStability' | 'readTokenLifetime' | 'readRotationGuard'
  >;
  readonly reads: ClusterPreflightReads;
  /** @default globalThis.fetch */
  readonly fetch?: Fetch;
}

/** Every check's result, in {@link PREFLIGHT_CHECKS} order. */
export interface PreflightReport {
  readonly issuerId: string;
  readonly issuerUrl: string;
  /** The cluster's API server URL. */
  readonly server: string;
  readonly checks: readonly CheckResult[];
  /** True when no check failed or could not run. */
  readonly passed: boolean;
}

/**
 * Runs every check before a first rotation, reading only (RETRY-SAFE: it changes nothing anywhere). The
 * checks run independently: a failed read fails its own check, never another. When the cluster does not
 * answer at all, the checks that need it say "not run: cluster unreachable"; the issuer's are run anyway.
 */
export async function runPreflight(sources: PreflightSources): Promise<PreflightReport> {
  const { keyring, cluster, reads } = sources;
  const issuerRead = settle(() => readServedIssuer(keyring.issuerUrl, { fetch: sources.fetch }));
  const version = await settle(() => reads.readServerVersion());
  const results = new Map<PreflightCheckId, CheckResult>([
    ['cluster-reachable', checkReachable(reads.server, version)],
  ]);
  if (version.ok) {
    const operation = { issuerId: keyring.issuerId, rotationId: keyring.rotation?.id ?? 'preflight' };
    const [access, issuer, keys, guard, stability, lifetime] = await Promise.all([
      settle(() => reads.reviewAccess()),
      settle(() => reads.readServiceAccountIssuer()),
      settle(() => cluster.readKeys()),
      settle(() => cluster.readRotationGuard(operation)),
      settle(() => cluster.readStability()),
      settle(() => cluster.readTokenLifetime()),
    ]);
    results.set('api-access', checkAccess(access));
    results.set('issuer-url', checkIssuerUrl(keyring, issuer));
    results.set('cluster-keys', checkClusterKeys(keyring, keys));
    results.set('rotation-guard', checkRotationGuard(guard, keyring.rotation?.id));
    results.set('cluster-stable', checkStability(stability));
    results.set('token-lifetime', checkTokenLifetime(keyring, lifetime));
  }
  const served = await issuerRead;
  results.set('issuer-served', checkIssuerServed(keyring, served));
  results.set('lead-time', checkLeadTime(keyring, served));
  const why =
    !version.ok && codeOf(version.error) === 'ERR_CLUSTER_UNAUTHORIZED'
      ? 'the cluster refused the credential'
      : 'cluster unreachable';
  const checks = PREFLIGHT_CHECKS.map((id) => results.get(id) ?? notRun(id, why));
  return {
    issuerId: keyring.issuerId,
    issuerUrl: keyring.issuerUrl,
    server: reads.server,
    checks,
    passed: checks.every((check) => check.outcome === 'pass'),
  };
}

/** A check that needs the cluster, when the cluster did not answer (or refused the credential). */
function notRun(id: PreflightCheckId, why: string): CheckResult {
  return { ...checkOf(id), outcome: 'not-run', reason: `not run: ${why}` };
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}
