import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  acquireGuard,
  decodeGuardState,
  encodeGuardState,
  guardScopeId,
  keyturnOperationId,
  ROTATION_GUARD,
  releaseGuard,
} from '#shared/adapters/openshift/rotation-guard.ts';

const CLUSTER_ID = '5f4b7c1e-9d2a-4e6b-8c3f-0a1b2c3d4e5f';
const SCOPE = guardScopeId(CLUSTER_ID);
const CCOCTL_OPERATION = 'a'.repeat(64);
const OURS = keyturnOperationId(CLUSTER_ID, 'demo', 'r1');
const data = (state: unknown) => ({ [ROTATION_GUARD.dataKey]: JSON.stringify(state) });

describe("ccoctl's signer rotation guard, as keyturn reads and writes it (ONE-SIGNER across tools)", () => {
  it('computes the scope as ccoctl does: sha256 of the domain and the cluster id, in that order', () => {
    const expected = createHash('sha256')
      .update(`{"domain":"signer-rotation-guard-scope-v1","clusterIdentity":"${CLUSTER_ID}"}`)
      .digest('hex');

    expect(SCOPE).toBe(expected);
    expect(OURS).toMatch(/^[0-9a-f]{64}$/);
    expect(keyturnOperationId(CLUSTER_ID, 'demo', 'r1')).toBe(OURS);
    expect(keyturnOperationId(CLUSTER_ID, 'demo', 'r2')).not.toBe(OURS);
    expect(() => guardScopeId('  ')).toThrow(/no ClusterVersion spec.clusterID/);
  });

  it('writes state.json exactly as Go json.Marshal does, omitting empty fields', () => {
    expect(encodeGuardState({ schemaVersion: 1, scopeID: SCOPE, activeOperationID: OURS })).toBe(
      `{"schemaVersion":1,"scopeID":"${SCOPE}","activeOperationID":"${OURS}"}`,
    );
    expect(encodeGuardState({ schemaVersion: 1, scopeID: SCOPE, completedOperationIDs: [OURS] })).toBe(
      `{"schemaVersion":1,"scopeID":"${SCOPE}","completedOperationIDs":["${OURS}"]}`,
    );
  });

  it('reads back what it writes and what ccoctl writes', () => {
    const ccoctl = { schemaVersion: 1 as const, scopeID: SCOPE, activeOperationID: CCOCTL_OPERATION };

    expect(decodeGuardState(data(ccoctl), SCOPE)).toEqual(ccoctl);
    const released = releaseGuard(ccoctl, CCOCTL_OPERATION).state;
    expect(decodeGuardState({ 'state.json': encodeGuardState(released ?? ccoctl) }, SCOPE)).toEqual(released);
  });

  it.each([
    [
      'a second data key',
      { ...data({ schemaVersion: 1, scopeID: SCOPE }), extra: 'x' },
      'exactly the data key',
    ],
    ['no data', undefined, 'exactly the data key'],
    ['text that is not JSON', { 'state.json': '{' }, 'is not JSON'],
    ['an unknown field', data({ schemaVersion: 1, scopeID: SCOPE, holder: 'me' }), 'unknown field holder'],
    ['schema version 2', data({ schemaVersion: 2, scopeID: SCOPE }), 'schemaVersion is not 1'],
    ['an upper-case id', data({ schemaVersion: 1, scopeID: SCOPE.toUpperCase() }), 'scopeID is not 64'],
    [
      'a repeated completed id',
      data({ schemaVersion: 1, scopeID: SCOPE, completedOperationIDs: [OURS, OURS] }),
      'repeats an id',
    ],
    [
      'an active id also completed',
      data({ schemaVersion: 1, scopeID: SCOPE, activeOperationID: OURS, completedOperationIDs: [OURS] }),
      'also listed as completed',
    ],
    [
      'the scope of another cluster',
      data({ schemaVersion: 1, scopeID: 'b'.repeat(64) }),
      "is not this cluster's",
    ],
  ])('refuses, as ccoctl does, a guard with %s', (_case, configMapData, why) => {
    expect(() => decodeGuardState(configMapData, SCOPE)).toThrow(why);
  });

  it('creates the guard when there is none, takes it when free, and keeps it on a re-run (RETRY-SAFE)', () => {
    const created = acquireGuard(undefined, SCOPE, OURS);
    const free = { schemaVersion: 1 as const, scopeID: SCOPE, completedOperationIDs: [CCOCTL_OPERATION] };

    expect(created).toEqual({
      write: 'create',
      state: { schemaVersion: 1, scopeID: SCOPE, activeOperationID: OURS },
    });
    expect(acquireGuard(free, SCOPE, OURS)).toEqual({
      write: 'update',
      state: { ...free, activeOperationID: OURS },
    });
    expect(acquireGuard(created.state, SCOPE, OURS).write).toBe('none');
  });

  it('refuses a guard ccoctl holds, naming its operation, and never takes it over (ONE-SIGNER)', () => {
    const held = { schemaVersion: 1 as const, scopeID: SCOPE, activeOperationID: CCOCTL_OPERATION };

    expect(() => acquireGuard(held, SCOPE, OURS)).toThrow(
      `another signer key rotation holds the cluster (ConfigMap openshift-cloud-credential-operator/cco-signer-key-rotation-guard, operation ${CCOCTL_OPERATION}`,
    );
    expect(() => releaseGuard(held, OURS)).toThrow(`operation ${CCOCTL_OPERATION} holds it`);
  });

  it('releases into the sorted completed ids, once', () => {
    const held = {
      schemaVersion: 1 as const,
      scopeID: SCOPE,
      activeOperationID: OURS,
      completedOperationIDs: ['f'.repeat(64)],
    };

    const released = releaseGuard(held, OURS);

    expect(released).toEqual({
      write: 'update',
      state: { schemaVersion: 1, scopeID: SCOPE, completedOperationIDs: [OURS, 'f'.repeat(64)].sort() },
    });
    expect(releaseGuard(released.state, OURS).write).toBe('none');
    expect(() => acquireGuard(released.state, SCOPE, OURS)).toThrow('lists this rotation');
  });
});
