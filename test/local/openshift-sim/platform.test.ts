import { beforeAll, describe, expect, it } from 'vitest';
import type { ObjectBody, WritableKind } from '#local/openshift-sim/object-writes.ts';
import {
  MCO_ANNOTATIONS,
  TOKEN_EXPIRES_ANNOTATION,
  TOKEN_KID_ANNOTATION,
} from '#local/openshift-sim/platform-objects.ts';
import type { PrivateSigningKey } from '#shared/keys/index.ts';
import { readTokenHeader } from '#shared/tokens/index.ts';
import {
  createTestCluster,
  generateTestKeys,
  INSTALLED_AT,
  verifyWith,
  writeNextKey,
} from './cluster-fixtures.ts';
import { rebootNumberOf, rebootPoolLikeOc, statusesOf } from './platform-fixtures.ts';

let initialKey: PrivateSigningKey;
let newKey: PrivateSigningKey;

beforeAll(async () => {
  [initialKey, newKey] = await generateTestKeys();
});

const at = (seconds: number) =>
  `${new Date(INSTALLED_AT.getTime() + seconds * 1000).toISOString().slice(0, 19)}Z`;

describe('ClusterModel: ClusterOperators', () => {
  it('installs authentication, cloud-credential, kube-apiserver and machine-config stable', () => {
    // Act
    const { model } = createTestCluster(initialKey);

    // Assess
    const operators = model.list('ClusterOperator');
    expect(operators.map((operator) => operator.metadata.name)).toEqual([
      'authentication',
      'cloud-credential',
      'kube-apiserver',
      'machine-config',
    ]);
    for (const operator of operators) {
      expect(operator).toMatchObject({ apiVersion: 'config.openshift.io/v1', kind: 'ClusterOperator' });
      expect(statusesOf(operator.status.conditions)).toEqual({
        Available: 'True',
        Progressing: 'False',
        Degraded: 'False',
        Upgradeable: 'True',
      });
    }
  });

  it('holds kube-apiserver Progressing=True while a revision rolls out, with lastTransitionTime at each change', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initialKey);
    clock.advance(5);

    // Act: trust rollout (3 × 2 s), promotion, signer rollout (3 × 2 s).
    await writeNextKey(model, newKey);
    const rolling = model.get('ClusterOperator', undefined, 'kube-apiserver');
    clock.advance(7);
    const promoting = model.get('ClusterOperator', undefined, 'kube-apiserver');
    clock.advance(6);
    const done = model.get('ClusterOperator', undefined, 'kube-apiserver');

    // Assess
    const progressing = (operator: typeof done) =>
      operator?.status.conditions.find((condition) => condition.type === 'Progressing');
    expect(progressing(rolling)).toMatchObject({
      status: 'True',
      reason: 'NodeInstaller',
      lastTransitionTime: at(5),
      message: 'NodeInstallerProgressing: 3 nodes are at revision 1',
    });
    expect(progressing(promoting)).toMatchObject({ status: 'True', lastTransitionTime: at(5) });
    expect(progressing(done)).toMatchObject({
      status: 'False',
      lastTransitionTime: at(17),
      message: 'NodeInstallerProgressing: 3 nodes are at revision 3',
    });
  });

  it('holds a --degraded-operator Degraded=True until released', () => {
    // Prepare
    const { model } = createTestCluster(initialKey, { degradedOperators: ['authentication'] });
    const degraded = () =>
      statusesOf(model.get('ClusterOperator', undefined, 'authentication')?.status.conditions).Degraded;

    // Act
    const before = degraded();
    model.setOperatorDegraded('authentication', false);

    // Assess
    expect(before).toBe('True');
    expect(degraded()).toBe('False');
    expect(
      statusesOf(model.get('ClusterOperator', undefined, 'kube-apiserver')?.status.conditions).Degraded,
    ).toBe('False');
  });

  it('rejects an operator it does not simulate with a RangeError naming the ones it does', () => {
    // Act / Assess
    expect(() => createTestCluster(initialKey, { degradedOperators: ['etcd'] })).toThrow(
      /no ClusterOperator named etcd; the simulated operators are authentication, cloud-credential/,
    );
  });
});

describe('ClusterModel: machine config pools', () => {
  it('installs pools master and worker, 3 masters and 2 workers on their rendered config', () => {
    // Act
    const { model } = createTestCluster(initialKey);

    // Assess
    const nodes = model.list('Node');
    expect(nodes.map((node) => node.metadata.name)).toEqual([
      'master-0',
      'master-1',
      'master-2',
      'worker-0',
      'worker-1',
    ]);
    const worker = model.get('MachineConfigPool', undefined, 'worker');
    expect(worker?.spec.machineConfigSelector.matchLabels).toEqual({
      'machineconfiguration.openshift.io/role': 'worker',
    });
    expect(worker?.status).toMatchObject({ machineCount: 2, updatedMachineCount: 2, readyMachineCount: 2 });
    expect(statusesOf(worker?.status.conditions)).toMatchObject({ Updated: 'True', Updating: 'False' });
    const annotations = model.get('Node', undefined, 'worker-1')?.metadata.annotations ?? {};
    expect(annotations[MCO_ANNOTATIONS.currentConfig]).toBe(worker?.spec.configuration.name);
    expect(annotations[MCO_ANNOTATIONS.desiredConfig]).toBe(worker?.spec.configuration.name);
    expect(annotations[MCO_ANNOTATIONS.state]).toBe('Done');
    expect(model.get('Node', undefined, 'master-0')?.metadata.labels).toHaveProperty(
      'node-role.kubernetes.io/master',
    );
  });

  it('reboots a pool node by node when oc adm reboot-machine-config-pool writes its MachineConfig', () => {
    // Prepare
    const { model, clock } = createTestCluster(initialKey, { nodeRebootSeconds: 10 });
    const bootIds = Object.fromEntries(
      model.describeMachines().map((machine) => [machine.name, machine.bootId]),
    );
    const node = (name: string) => model.get('Node', undefined, name);
    const ready = (name: string) => statusesOf(node(name)?.status.conditions).Ready;

    // Act
    const count = rebootPoolLikeOc(model, 'worker');
    const pool = model.get('MachineConfigPool', undefined, 'worker');
    const target = pool?.spec.configuration.name ?? '';
    const first = { worker0: node('worker-0'), worker1: node('worker-1'), pool };
    clock.advance(10);
    const second = { worker0: node('worker-0'), worker1: node('worker-1') };
    const secondPool = model.get('MachineConfigPool', undefined, 'worker');
    clock.advance(10);

    // Assess: worker-0 first, worker-1 after it, the master pool untouched.
    expect(count).toBe(1);
    expect(first.worker0?.metadata.annotations).toMatchObject({
      [MCO_ANNOTATIONS.desiredConfig]: target,
      [MCO_ANNOTATIONS.state]: 'Working',
    });
    expect(first.worker0?.spec.unschedulable).toBe(true);
    expect(statusesOf(first.worker0?.status.conditions).Ready).toBe('False');
    expect(first.worker1?.metadata.annotations?.[MCO_ANNOTATIONS.state]).toBe('Done');
    expect(first.pool?.status).toMatchObject({ updatedMachineCount: 0, unavailableMachineCount: 1 });
    expect(statusesOf(first.pool?.status.conditions)).toMatchObject({ Updated: 'False', Updating: 'True' });
    expect(second.worker0?.metadata.annotations?.[MCO_ANNOTATIONS.currentConfig]).toBe(target);
    expect(second.worker0?.status.nodeInfo.bootID).not.toBe(bootIds['worker-0']);
    expect(second.worker1?.metadata.annotations?.[MCO_ANNOTATIONS.state]).toBe('Working');
    expect(secondPool?.status.updatedMachineCount).toBe(1);
    expect(ready('worker-0')).toBe('True');
    expect(ready('worker-1')).toBe('True');
    const finalPool = model.get('MachineConfigPool', undefined, 'worker');
    expect(finalPool?.status).toMatchObject({
      updatedMachineCount: 2,
      readyMachineCount: 2,
      configuration: { name: target },
    });
    expect(statusesOf(finalPool?.status.conditions)).toMatchObject({ Updated: 'True', Updating: 'False' });
    for (const machine of model.describeMachines()) {
      expect(machine.bootId === bootIds[machine.name]).toBe(machine.pool === 'master');
    }
    // oc adm wait-for-node-reboot's test: the reboot number of the node's current rendered config.
    expect(rebootNumberOf(model.get('MachineConfig', undefined, target))).toBe(1);
  });

  it('holds machine-config Progressing=True while a pool updates, and counts oc reboots up', () => {
    // Prepare
    const { model, clock } = createTestCluster(initialKey, { nodeRebootSeconds: 10 });
    const progressing = () =>
      statusesOf(model.get('ClusterOperator', undefined, 'machine-config')?.status.conditions).Progressing;

    // Act
    rebootPoolLikeOc(model, 'master');
    const during = progressing();
    clock.advance(30);
    const after = progressing();
    const again = rebootPoolLikeOc(model, 'master');

    // Assess
    expect(during).toBe('True');
    expect(after).toBe('False');
    expect(again).toBe(2);
    expect(
      model
        .describeMachines()
        .filter((machine) => machine.updating)
        .map((machine) => machine.name),
    ).toEqual(['master-0']);
  });
});

describe('ClusterModel: workload tokens', () => {
  it('runs 4 workload pods over the workers, each showing its token kid and expiry', async () => {
    // Act
    const { model } = createTestCluster(initialKey);
    const tokens = await model.workloadTokens();

    // Assess
    expect(tokens.map((token) => [token.pod, token.nodeName])).toEqual([
      ['workload-0', 'worker-0'],
      ['workload-1', 'worker-1'],
      ['workload-2', 'worker-0'],
      ['workload-3', 'worker-1'],
    ]);
    for (const token of tokens) {
      const verified = await verifyWith([initialKey], token.token, INSTALLED_AT);
      expect(verified).toMatchObject({ kid: initialKey.publicKey.kid });
      expect(token.expiresAt).toEqual(new Date(INSTALLED_AT.getTime() + 3600 * 1000));
      const pod = model.get('Pod', 'workloads', token.pod);
      expect(pod?.metadata.annotations).toEqual({
        [TOKEN_KID_ANNOTATION]: initialKey.publicKey.kid,
        [TOKEN_EXPIRES_ANNOTATION]: at(3600),
      });
    }
  });

  it('refreshes a token at 80 % of its lifetime, not before', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initialKey, { tokenTtlSeconds: 3600 });
    const first = await model.workloadTokens();

    // Act
    clock.advance(2879);
    const before = await model.workloadTokens();
    clock.advance(1);
    const after = await model.workloadTokens();

    // Assess
    expect(before.map((token) => token.token)).toEqual(first.map((token) => token.token));
    expect(after.every((token) => token.issuedAt.getTime() === INSTALLED_AT.getTime() + 2880 * 1000)).toBe(
      true,
    );
    expect(
      model.get('Pod', 'workloads', 'workload-0')?.metadata.annotations?.[TOKEN_EXPIRES_ANNOTATION],
    ).toBe(at(2880 + 3600));
  });

  it('refreshes a token after 24 h when 80 % of its lifetime is longer', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initialKey, { tokenTtlSeconds: 48 * 3600 });

    // Act
    clock.advance(24 * 3600);
    const tokens = await model.workloadTokens();

    // Assess
    expect(tokens[0]?.issuedAt).toEqual(new Date(INSTALLED_AT.getTime() + 24 * 3600 * 1000));
  });

  it('re-issues the tokens of pods whose node rebooted with the key the apiservers sign with then', async () => {
    // Prepare: rotate, so the kube-apiservers sign with the new key (trust, promote, signer rollouts).
    const { model, clock } = createTestCluster(initialKey, { nodeRebootSeconds: 10 });
    await writeNextKey(model, newKey);
    clock.advance(13);
    const beforeReboot = await model.workloadTokens();

    // Act
    rebootPoolLikeOc(model, 'worker');
    const duringReboot = await model.workloadTokens();
    clock.advance(20);
    const afterReboot = await model.workloadTokens();

    // Assess
    expect(beforeReboot.map((token) => token.kid)).toEqual(Array(4).fill(initialKey.publicKey.kid));
    expect(duringReboot.map((token) => token.pod)).toEqual(['workload-1', 'workload-3']);
    expect(afterReboot.map((token) => readTokenHeader(token.token).kid)).toEqual(
      Array(4).fill(newKey.publicKey.kid),
    );
    expect(model.get('Pod', 'workloads', 'workload-0')?.metadata.annotations?.[TOKEN_KID_ANNOTATION]).toBe(
      newKey.publicKey.kid,
    );
  });
});

describe('ClusterModel: namespaces and configmaps', () => {
  const guard = (data: Record<string, string>, resourceVersion?: string) => ({
    metadata: {
      name: 'cco-signer-key-rotation-guard',
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    data,
  });

  it('creates the guard configmap, refuses a stale update with ERR_SIM_CONFLICT and a second create with ERR_SIM_ALREADY_EXISTS', () => {
    // Prepare
    const { model } = createTestCluster(initialKey);
    const namespace = 'openshift-cloud-credential-operator';

    // Act
    const created = model.createObject('ConfigMap', namespace, guard({ 'state.json': '{}' }));
    const updated = model.replaceObject(
      'ConfigMap',
      namespace,
      'cco-signer-key-rotation-guard',
      guard({ 'state.json': '{"activeOperationID":"a"}' }, created.metadata.resourceVersion),
    );

    // Assess
    expect(updated.metadata.uid).toBe(created.metadata.uid);
    expect(() =>
      model.replaceObject(
        'ConfigMap',
        namespace,
        'cco-signer-key-rotation-guard',
        guard({ 'state.json': '{}' }, created.metadata.resourceVersion),
      ),
    ).toThrow(expect.objectContaining({ code: 'ERR_SIM_CONFLICT' }));
    expect(() => model.createObject('ConfigMap', namespace, guard({}))).toThrow(
      expect.objectContaining({ code: 'ERR_SIM_ALREADY_EXISTS' }),
    );
    expect(() =>
      model.deleteObject('ConfigMap', namespace, 'cco-signer-key-rotation-guard', {
        resourceVersion: created.metadata.resourceVersion,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_SIM_CONFLICT' }));
    model.deleteObject('ConfigMap', namespace, 'cco-signer-key-rotation-guard', {
      resourceVersion: updated.metadata.resourceVersion,
    });
    expect(model.get('ConfigMap', namespace, 'cco-signer-key-rotation-guard')).toBeUndefined();
  });

  const refusals: {
    what: string;
    kind: WritableKind;
    namespace?: string;
    body: ObjectBody;
    code: string;
  }[] = [
    {
      what: 'a configmap in a missing namespace',
      kind: 'ConfigMap',
      namespace: 'nope',
      body: { metadata: { name: 'x' } },
      code: 'ERR_SIM_NOT_FOUND',
    },
    {
      what: 'a revisioned trusted-keys configmap',
      kind: 'ConfigMap',
      namespace: 'openshift-kube-apiserver',
      body: { metadata: { name: 'bound-sa-token-signing-certs-9' } },
      code: 'ERR_SIM_FORBIDDEN',
    },
    {
      what: 'a rendered MachineConfig',
      kind: 'MachineConfig',
      body: { metadata: { name: 'rendered-worker-x' }, spec: { config: {} } },
      code: 'ERR_SIM_FORBIDDEN',
    },
    {
      what: 'a MachineConfig without an Ignition config',
      kind: 'MachineConfig',
      body: { metadata: { name: '99-x' } },
      code: 'ERR_SIM_INVALID',
    },
    {
      what: 'a namespace with an invalid name',
      kind: 'Namespace',
      body: { metadata: { name: 'Not_Valid' } },
      code: 'ERR_SIM_INVALID',
    },
  ];

  it.each(refusals)('refuses to create $what with $code', ({ kind, namespace, body, code }) => {
    // Prepare
    const { model } = createTestCluster(initialKey);

    // Act / Assess
    expect(() => model.createObject(kind, namespace, body)).toThrow(expect.objectContaining({ code }));
  });

  it('creates and deletes a namespace with its configmaps, and refuses to delete an installed one', () => {
    // Prepare
    const { model } = createTestCluster(initialKey);

    // Act
    model.createObject('Namespace', undefined, { metadata: { name: 'team-a' } });
    model.createObject('ConfigMap', 'team-a', { metadata: { name: 'settings' }, data: { a: 'b' } });
    const listed = model.list('ConfigMap', 'team-a').length;
    model.deleteObject('Namespace', undefined, 'team-a');

    // Assess
    expect(listed).toBe(1);
    expect(model.get('Namespace', undefined, 'team-a')).toBeUndefined();
    expect(model.list('ConfigMap', 'team-a')).toEqual([]);
    expect(() => model.deleteObject('Namespace', undefined, 'openshift-cloud-credential-operator')).toThrow(
      expect.objectContaining({ code: 'ERR_SIM_FORBIDDEN' }),
    );
  });
});
