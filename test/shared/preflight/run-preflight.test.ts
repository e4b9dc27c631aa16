import { describe, expect, it } from 'vitest';
import { buildDiscovery, buildKeySet } from '#shared/issuer/index.ts';
import { ClusterApiCallError } from '#shared/ports.ts';
import { PREFLIGHT_CHECKS } from '#shared/preflight/check-result.ts';
import type { ClusterPreflightReads } from '#shared/preflight/preflight-reads.ts';
import { type PreflightSources, runPreflight } from '#shared/preflight/run-preflight.ts';
import { KEYS, keyRecord, keyringWith } from '#test/shared/keyring/keyring-fixture.ts';

const keyring = keyringWith([keyRecord('old')]);
const refused = () =>
  Promise.reject(
    new ClusterApiCallError('ERR_CLUSTER_UNAVAILABLE', 'GET /version failed: ECONNREFUSED; retry', {
      method: 'GET',
      resource: '/version',
    }),
  );
const never = () => Promise.reject(new Error('a preflight never writes'));

/** A cluster set up for the issuer, every read answering; `change` replaces some of them. */
function sources(
  change: { cluster?: object; reads?: Partial<ClusterPreflightReads> } = {},
): PreflightSources {
  const reads: ClusterPreflightReads = {
    server: 'https://api.example.com:6443',
    readServerVersion: async () => 'v1.32.5',
    reviewAccess: async () => [{ rule: { verb: 'list', group: '', resource: 'nodes' }, allowed: true }],
    readServiceAccountIssuer: async () => keyring.issuerUrl,
    ...change.reads,
  };
  const cluster = {
    readKeys: async () => ({ trustedKids: [KEYS.old.kid], publicKeys: new Map(), signingKid: KEYS.old.kid }),
    readStability: async () => ({ operators: 3, unstable: [], stableSince: new Date(0) }),
    readTokenLifetime: async () => ({ extendExpiration: true, source: 'configmap' }),
    readRotationGuard: async () => ({ heldBy: 'nobody' as const }),
    // Writes a preflight must never make.
    push: never,
    holdRotationGuard: never,
    requestPoolReboot: never,
    ...change.cluster,
  };
  const fetch = async (url: string) =>
    new Response(url.endsWith('keys.json') ? buildKeySet([KEYS.old]) : buildDiscovery(keyring.issuerUrl), {
      headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
    });
  return { keyring, cluster, reads, fetch };
}

describe('runPreflight', () => {
  it('runs every check in order and passes a cluster set up for the issuer, reading only', async () => {
    // Act
    const report = await runPreflight(sources());

    // Assess
    expect(report.checks.map((check) => check.id)).toEqual([...PREFLIGHT_CHECKS]);
    expect(report.checks.filter((check) => check.outcome !== 'pass')).toEqual([]);
    expect(report).toMatchObject({
      passed: true,
      issuerId: 'cluster-a',
      server: 'https://api.example.com:6443',
    });
  });

  it('fails only the check whose read failed: one failing check never hides the others (ONE-SIGNER)', async () => {
    // Act
    const report = await runPreflight(
      sources({
        cluster: {
          readRotationGuard: async () => ({ heldBy: 'other', operationId: 'c'.repeat(64) }),
          readStability: () => Promise.reject(new Error('stability read failed')),
        },
      }),
    );

    // Assess
    const outcomes = Object.fromEntries(report.checks.map((check) => [check.id, check.outcome]));
    expect(outcomes).toMatchObject({ 'rotation-guard': 'fail', 'cluster-stable': 'fail' });
    expect(report.checks.filter((check) => check.outcome === 'pass')).toHaveLength(7);
    expect(report.passed).toBe(false);
  });

  it('says "not run: cluster unreachable" for every cluster check, and still checks the issuer', async () => {
    // Act
    const report = await runPreflight(sources({ reads: { readServerVersion: refused } }));

    // Assess
    const byOutcome = (outcome: string) =>
      report.checks.filter((check) => check.outcome === outcome).map((check) => check.id);
    expect(byOutcome('fail')).toEqual(['cluster-reachable']);
    expect(byOutcome('pass')).toEqual(['issuer-served', 'lead-time']);
    expect(byOutcome('not-run')).toHaveLength(6);
    expect(report.checks.find((check) => check.outcome === 'not-run')?.reason).toBe(
      'not run: cluster unreachable',
    );
    expect(report.passed).toBe(false);
  });

  it('says "not run: the cluster refused the credential" when /version answers 401', async () => {
    // Prepare
    const expired = () =>
      Promise.reject(
        new ClusterApiCallError(
          'ERR_CLUSTER_UNAUTHORIZED',
          'GET /version failed with HTTP 401; log in again',
          {
            method: 'GET',
            resource: '/version',
          },
        ),
      );

    // Act
    const report = await runPreflight(sources({ reads: { readServerVersion: expired } }));

    // Assess
    expect(report.checks.find((check) => check.id === 'api-access')?.reason).toBe(
      'not run: the cluster refused the credential',
    );
  });
});
