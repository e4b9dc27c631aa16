import { describe, expect, it } from 'vitest';
import {
  createClusterPlatform,
  type PlatformApi,
  type WriteOutcome,
} from '#shared/adapters/openshift/cluster-platform.ts';
import {
  encodeGuardState,
  guardScopeId,
  keyturnOperationId,
  ROTATION_GUARD,
} from '#shared/adapters/openshift/rotation-guard.ts';

const CLUSTER_ID = '5f4b7c1e-9d2a-4e6b-8c3f-0a1b2c3d4e5f';
const SCOPE = guardScopeId(CLUSTER_ID);
const OPERATION = { issuerId: 'cluster-a', rotationId: 'r1' };
const OURS = keyturnOperationId(CLUSTER_ID, OPERATION.issuerId, OPERATION.rotationId);
const CCOCTL = 'c'.repeat(64);

/** A guard ConfigMap as the API serves it, holding `active` (or nobody). */
function guardObject(active: string | undefined, resourceVersion: string) {
  return {
    metadata: { name: ROTATION_GUARD.name, namespace: ROTATION_GUARD.namespace, resourceVersion },
    data: {
      [ROTATION_GUARD.dataKey]: encodeGuardState({
        schemaVersion: 1,
        scopeID: SCOPE,
        ...(active === undefined ? {} : { activeOperationID: active }),
      }),
    },
  };
}

/**
 * A scripted API: the guard reads answer `guards` in turn (the last one repeats), writes answer
 * `outcomes` in turn; every write's body is recorded. Anything else answers `answers`' entry.
 */
function scriptedApi(script: {
  guards?: unknown[];
  outcomes?: WriteOutcome[];
  answers?: Partial<Record<keyof PlatformApi, unknown>>;
}) {
  const writes: { call: string; body: unknown }[] = [];
  const guards = [...(script.guards ?? [undefined])];
  const outcomes = [...(script.outcomes ?? [])];
  const write = (call: string) => async (body: unknown) => {
    writes.push({ call, body });
    return outcomes.shift() ?? 'written';
  };
  const answer = (name: keyof PlatformApi) => async () => script.answers?.[name];
  const api: PlatformApi = {
    listClusterOperators: answer('listClusterOperators'),
    readApiServerConfig: answer('readApiServerConfig'),
    readClusterVersion: async () => ({ spec: { clusterID: CLUSTER_ID } }),
    readMachineConfigPool: answer('readMachineConfigPool'),
    readMachineConfig: answer('readMachineConfig'),
    createMachineConfig: write('createMachineConfig'),
    replaceMachineConfig: write('replaceMachineConfig'),
    listNodes: answer('listNodes'),
    readGuard: async () => (guards.length > 1 ? guards.shift() : guards[0]),
    createGuard: write('createGuard'),
    replaceGuard: write('replaceGuard'),
  };
  return { api, writes };
}

describe('createClusterPlatform: the rotation guard under concurrent writers', () => {
  it('re-reads once after losing the create race, and refuses the winner without stealing (ONE-SIGNER)', async () => {
    // Prepare: nobody holds it, then ccoctl created it between our read and our create
    const { api, writes } = scriptedApi({
      guards: [undefined, guardObject(CCOCTL, '7')],
      outcomes: ['conflict'],
    });

    // Act
    const error = await createClusterPlatform(api)
      .holdRotationGuard(OPERATION)
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({
      code: 'ERR_ROTATION_GUARD_HELD',
      message: expect.stringContaining(CCOCTL),
    });
    expect(writes.map((write) => write.call)).toEqual(['createGuard']);
  });

  it('takes a free guard at the resourceVersion read, keeping its labels and annotations (RETRY-SAFE)', async () => {
    // Prepare
    const free = guardObject(undefined, '12');
    const annotated = {
      ...free,
      metadata: { ...free.metadata, labels: { team: 'x' }, annotations: { note: 'kept' } },
    };
    const { api, writes } = scriptedApi({ guards: [annotated] });

    // Act
    await createClusterPlatform(api).holdRotationGuard(OPERATION);

    // Assess
    expect(writes).toEqual([
      {
        call: 'replaceGuard',
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: ROTATION_GUARD.name,
            namespace: ROTATION_GUARD.namespace,
            resourceVersion: '12',
            labels: { team: 'x' },
            annotations: { note: 'kept' },
          },
          data: { 'state.json': `{"schemaVersion":1,"scopeID":"${SCOPE}","activeOperationID":"${OURS}"}` },
        },
      },
    ]);
  });

  it('gives up with ERR_CLUSTER_CONFLICT after a second 409, for the workflow to retry (RETRY-SAFE)', async () => {
    const { api, writes } = scriptedApi({
      guards: [guardObject(OURS, '3')],
      outcomes: ['conflict', 'conflict'],
    });

    const error = await createClusterPlatform(api)
      .releaseRotationGuard(OPERATION)
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'ERR_CLUSTER_CONFLICT', status: 409 });
    expect(writes).toHaveLength(2);
  });

  it('stops after a lost update when the re-read shows the write is no longer needed (RETRY-SAFE)', async () => {
    // Prepare: our first update lost to a retry of our own that already took the guard
    const { api, writes } = scriptedApi({
      guards: [guardObject(undefined, '4'), guardObject(OURS, '5')],
      outcomes: ['conflict'],
    });

    // Act
    await createClusterPlatform(api).holdRotationGuard(OPERATION);

    // Assess
    expect(writes).toHaveLength(1);
  });
});

describe('createClusterPlatform: answers that are not what OpenShift sends', () => {
  it.each([
    ['a ClusterOperator list without items', { listClusterOperators: {} }, 'readStability', 'items'],
    [
      'an operator without a name',
      { listClusterOperators: { items: [{ metadata: {}, status: {} }] } },
      'readStability',
      'metadata.name',
    ],
    [
      'a condition time that is not RFC 3339',
      {
        listClusterOperators: {
          items: [
            {
              metadata: { name: 'dns' },
              status: { conditions: [{ type: 'Available', status: 'True', lastTransitionTime: 'soon' }] },
            },
          ],
        },
      },
      'readStability',
      'RFC 3339',
    ],
    [
      'a config without config.yaml',
      { readApiServerConfig: { data: {} } },
      'readTokenLifetime',
      'config.yaml',
    ],
    [
      'a max token expiration that is no duration',
      {
        readApiServerConfig: {
          data: {
            'config.yaml': '{"apiServerArguments":{"service-account-max-token-expiration":["a day"]}}',
          },
        },
      },
      'readTokenLifetime',
      'not a duration',
    ],
    [
      'a reboot file that holds no number',
      {
        readMachineConfig: {
          spec: {
            config: {
              storage: {
                files: [
                  {
                    path: '/etc/kubernetes/machine-config-operator-oc-initiated-reboot-number',
                    contents: { source: 'data:,many%0A' },
                  },
                ],
              },
            },
          },
        },
      },
      'readPoolReboot',
      'does not hold a reboot number',
    ],
  ] as const)('refuses %s with ERR_CLUSTER_INVALID_ANSWER', async (_case, answers, method, why) => {
    // Prepare
    const platform = createClusterPlatform(scriptedApi({ answers }).api);

    // Act
    const error = await (platform[method] as (pool: string) => Promise<unknown>)('worker').catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toMatchObject({
      code: 'ERR_CLUSTER_INVALID_ANSWER',
      message: expect.stringContaining(why),
    });
  });

  it('reads Go durations and repeated flags as kube-apiserver does (NO-ORPHAN-TOKENS)', async () => {
    const config = (args: object) => ({
      readApiServerConfig: { data: { 'config.yaml': JSON.stringify({ apiServerArguments: args }) } },
    });
    const read = (args: object) =>
      createClusterPlatform(scriptedApi({ answers: config(args) }).api).readTokenLifetime();

    await expect(read({ 'service-account-max-token-expiration': ['1h30m0s'] })).resolves.toMatchObject({
      maxSeconds: 5400,
    });
    await expect(
      read({
        'service-account-max-token-expiration': ['2h', '48h'],
        'service-account-extend-token-expiration': ['false'],
      }),
    ).resolves.toEqual({
      maxSeconds: 172_800,
      extendExpiration: false,
      source: 'configmap openshift-kube-apiserver/config (config.yaml apiServerArguments)',
    });
    await expect(read({ 'service-account-max-token-expiration': ['0s'] })).resolves.not.toHaveProperty(
      'maxSeconds',
    );
  });

  it('reads an empty ClusterOperator list as not stable, as ccoctl does', async () => {
    const platform = createClusterPlatform(
      scriptedApi({ answers: { listClusterOperators: { items: [] } } }).api,
    );

    await expect(platform.readStability()).resolves.toEqual({ operators: 0, unstable: [] });
  });

  it('reports a missing condition as unstable, with status missing', async () => {
    const list = { items: [{ metadata: { name: 'dns' }, status: { conditions: [] } }] };
    const platform = createClusterPlatform(scriptedApi({ answers: { listClusterOperators: list } }).api);

    const stability = await platform.readStability();

    expect(stability.unstable.map((item) => `${item.operator} ${item.condition} ${item.status}`)).toEqual([
      'dns Available missing',
      'dns Progressing missing',
      'dns Degraded missing',
    ]);
  });
});
