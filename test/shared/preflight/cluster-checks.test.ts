import { describe, expect, it } from 'vitest';
import { ClusterApiCallError, RotationGuardError } from '#shared/ports.ts';
import type { Settled } from '#shared/preflight/check-result.ts';
import {
  checkAccess,
  checkClusterKeys,
  checkIssuerUrl,
  checkReachable,
  checkRotationGuard,
  checkStability,
  checkTokenLifetime,
} from '#shared/preflight/cluster-checks.ts';
import type { AccessRule } from '#shared/preflight/preflight-reads.ts';
import { KEYS, keyRecord, keyringWith } from '#test/shared/keyring/keyring-fixture.ts';

const ok = <T>(value: T): Settled<T> => ({ ok: true, value });
const failed = (error: unknown): Settled<never> => ({ ok: false, error });
const unavailable = new ClusterApiCallError('ERR_CLUSTER_UNAVAILABLE', 'GET x failed: ECONNREFUSED; retry', {
  method: 'GET',
  resource: 'x',
});

const RULE: AccessRule = {
  verb: 'get',
  group: '',
  resource: 'configmaps',
  namespace: 'openshift-kube-apiserver',
  name: 'config',
};
const keyring = keyringWith([keyRecord('old')]);
const trusted = (kids: string[], signingKid = kids[0]) =>
  ok({ trustedKids: kids, publicKeys: new Map(), signingKid });

describe('checkReachable', () => {
  it('passes with the server and its version, fails with the reason it could not be reached', () => {
    // Act
    const pass = checkReachable('https://api:6443', ok('v1.32.5'));
    const fail = checkReachable('https://api:6443', failed(unavailable));

    // Assess
    expect(pass).toMatchObject({ outcome: 'pass', reason: 'https://api:6443 answers (Kubernetes v1.32.5)' });
    expect(fail).toMatchObject({ outcome: 'fail', reason: expect.stringContaining('ECONNREFUSED') });
    expect(fail.reason).toContain('(ERR_CLUSTER_UNAVAILABLE)');
  });
});

describe('checkAccess', () => {
  it('passes when every call keyturn makes is allowed', () => {
    // Act
    const result = checkAccess(
      ok([
        { rule: RULE, allowed: true },
        { rule: { ...RULE, verb: 'list', name: undefined }, allowed: true },
      ]),
    );

    // Assess
    expect(result).toMatchObject({ outcome: 'pass', reason: expect.stringContaining('all 2 calls') });
  });

  it('fails naming each denied call with the authorizer’s reason, and how to grant them', () => {
    // Act
    const result = checkAccess(
      ok([
        { rule: RULE, allowed: false, reason: 'no RBAC policy matched' },
        {
          rule: { verb: 'list', group: 'config.openshift.io', resource: 'clusteroperators' },
          allowed: false,
        },
        { rule: { ...RULE, name: 'bound-sa-token-signing-certs' }, allowed: true },
      ]),
    );

    // Assess
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain('2 of 3 calls are denied: apply docs/openshift-rbac.yaml');
    expect(result.details).toEqual([
      'denied: get configmaps config in openshift-kube-apiserver (no RBAC policy matched)',
      'denied: list clusteroperators.config.openshift.io (cluster-wide)',
    ]);
  });

  it('fails when the reviews themselves cannot be made', () => {
    expect(checkAccess(failed(unavailable)).outcome).toBe('fail');
  });
});

describe('checkIssuerUrl', () => {
  it('passes when spec.serviceAccountIssuer is the keyring’s issuer URL (a trailing slash aside)', () => {
    expect(checkIssuerUrl(keyring, ok('https://oidc.example.com/cluster-a/')).outcome).toBe('pass');
  });

  it.each([
    ['another issuer', 'https://oidc.example.com/cluster-b', 'is https://oidc.example.com/cluster-b, not'],
    ['the default (empty)', undefined, 'is empty (the default https://kubernetes.default.svc)'],
    ['not a URL', 'not a url', 'is not a url, not'],
  ])('fails when it is %s, naming both', (_case, configured, said) => {
    // Act
    const result = checkIssuerUrl(keyring, ok(configured));

    // Assess
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain(said);
    expect(result.reason).toContain('https://oidc.example.com/cluster-a');
  });
});

describe('checkClusterKeys', () => {
  it('passes when the cluster signs with and trusts only published keys (ALWAYS-VALID)', () => {
    expect(checkClusterKeys(keyring, trusted([KEYS.old.kid]))).toMatchObject({
      outcome: 'pass',
      invariant: 'ALWAYS-VALID',
      reason: `the cluster signs with ${KEYS.old.kid} and trusts 1 key, each published or removed by keyturn`,
    });
  });

  it('passes when the cluster still trusts a key keyturn removed: expected, and said so (ALWAYS-VALID)', () => {
    // Prepare
    const rotated = keyringWith([
      keyRecord('old', { state: 'removed', removedAt: '2026-02-01T00:00:00.000Z' }),
      keyRecord('new'),
    ]);

    // Act
    const result = checkClusterKeys(rotated, trusted([KEYS.old.kid, KEYS.new.kid], KEYS.new.kid));

    // Assess
    expect(result.outcome).toBe('pass');
    expect(result.reason).toContain(`it still trusts ${KEYS.old.kid}, removed by keyturn (expected`);
  });

  it('fails when the cluster signs with a key keys.json lacks (ALWAYS-VALID)', () => {
    // Act
    const result = checkClusterKeys(keyring, trusted([KEYS.old.kid, KEYS.new.kid], KEYS.new.kid));

    // Assess
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain(`the cluster signs with ${KEYS.new.kid}, which keys.json lacks`);
    expect(result.reason).toContain('keyturn maintain --publish-drift');
  });

  it('fails when the cluster trusts a key keyturn never published (ALWAYS-VALID)', () => {
    // Act
    const result = checkClusterKeys(keyring, trusted([KEYS.old.kid, KEYS.new.kid], KEYS.old.kid));

    // Assess
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain(`it trusts ${KEYS.new.kid}, which keyturn never published`);
  });
});

describe('checkRotationGuard', () => {
  it('passes when nobody holds the guard, or this issuer’s own rotation in flight does (ONE-SIGNER)', () => {
    expect(checkRotationGuard(ok({ heldBy: 'nobody' }))).toMatchObject({
      outcome: 'pass',
      invariant: 'ONE-SIGNER',
    });
    expect(checkRotationGuard(ok({ heldBy: 'us', operationId: 'a'.repeat(64) }), 'r7')).toMatchObject({
      outcome: 'pass',
      reason: expect.stringContaining('rotation in flight (r7)'),
    });
  });

  it('fails naming the operation id when another rotator holds the cluster (ONE-SIGNER)', () => {
    // Act
    const result = checkRotationGuard(ok({ heldBy: 'other', operationId: 'b'.repeat(64) }));

    // Assess
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain(`operation ${'b'.repeat(64)} holds the signer rotation guard`);
    expect(result.reason).toContain('openshift-cloud-credential-operator/cco-signer-key-rotation-guard');
  });

  it('fails with the guard’s own error when it cannot be read (ONE-SIGNER)', () => {
    // Act
    const result = checkRotationGuard(
      failed(new RotationGuardError('ERR_ROTATION_GUARD_INVALID', 'ConfigMap x is not a guard')),
    );

    // Assess
    expect(result).toMatchObject({
      outcome: 'fail',
      reason: 'ConfigMap x is not a guard (ERR_ROTATION_GUARD_INVALID)',
    });
  });
});

describe('checkStability', () => {
  it('passes when every ClusterOperator is Available, not Progressing, not Degraded', () => {
    // Act
    const result = checkStability(
      ok({ operators: 4, unstable: [], stableSince: new Date('2026-01-01T00:00:00Z') }),
    );

    // Assess
    expect(result).toMatchObject({
      outcome: 'pass',
      reason: expect.stringContaining('all 4 ClusterOperators'),
    });
  });

  it('fails naming each unstable operator and condition', () => {
    // Act
    const result = checkStability(
      ok({
        operators: 4,
        unstable: [
          { operator: 'machine-config', condition: 'Degraded', status: 'True', reason: 'PoolFailed' },
          { operator: 'kube-apiserver', condition: 'Progressing', status: 'True', reason: 'NodeInstaller' },
          { operator: 'machine-config', condition: 'Available', status: 'missing' },
        ],
      }),
    );

    // Assess
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain('machine-config, kube-apiserver not stable');
    expect(result.details).toEqual([
      'machine-config Degraded=True (PoolFailed)',
      'kube-apiserver Progressing=True (NodeInstaller)',
      'machine-config Available=missing',
    ]);
  });

  it('fails when no ClusterOperator is listed (not an OpenShift 4 cluster)', () => {
    expect(checkStability(ok({ operators: 0, unstable: [] })).reason).toContain('no ClusterOperators listed');
  });
});

describe('checkTokenLifetime', () => {
  const source = 'configmap openshift-kube-apiserver/config';

  it('passes when the cluster sets no maximum, or a grace of at least the maximum (NO-ORPHAN-TOKENS)', () => {
    // Act
    const unset = checkTokenLifetime(keyring, ok({ extendExpiration: true, source }));
    const equal = checkTokenLifetime(keyring, ok({ maxSeconds: 3600, extendExpiration: true, source }));

    // Assess
    expect(unset).toMatchObject({ outcome: 'pass', invariant: 'NO-ORPHAN-TOKENS' });
    expect(unset.reason).toContain('no service-account-max-token-expiration');
    expect(equal).toMatchObject({ outcome: 'pass', reason: expect.stringContaining('grace 1h covers') });
  });

  it('fails when the grace is shorter than the longest token the cluster issues (NO-ORPHAN-TOKENS)', () => {
    // Act
    const result = checkTokenLifetime(keyring, ok({ maxSeconds: 86_400, extendExpiration: true, source }));

    // Assess
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain("grace 1h is shorter than the cluster's longest token, 1d");
    expect(result.reason).toContain('at least 86400 s');
  });
});
