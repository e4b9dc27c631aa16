import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenShiftSimulator, startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { createOpenShiftClusterSigner } from '#shared/adapters/openshift/index.ts';
import {
  guardScopeId,
  keyturnOperationId,
  ROTATION_GUARD,
} from '#shared/adapters/openshift/rotation-guard.ts';
import { createFakeClock, type FakeClock, generateTestKeys, ISSUER } from '../cluster-fixtures.ts';
import { ocRebootConfig } from '../platform-fixtures.ts';

const hasKubectl = (process.env.PATH ?? '').split(delimiter).some((directory) => {
  try {
    accessSync(join(directory, 'kubectl'), constants.X_OK);
    return true;
  } catch {
    return false;
  }
});
if (!hasKubectl) {
  console.warn('kubectl is not on PATH: skipping the kubectl tests of the simulated platform objects');
}

describe.skipIf(!hasKubectl)(
  'kubectl against the simulated ClusterOperators, pools, nodes and workloads',
  () => {
    let directory: string;
    let sim: OpenShiftSimulator;
    let clock: FakeClock;

    const kubectl = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(
          'kubectl',
          args,
          {
            timeout: 60_000,
            env: { ...process.env, HOME: directory, KUBECONFIG: join(directory, 'kubeconfig') },
          },
          (error, stdout, stderr) => {
            const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
            resolve({ code, stdout, stderr });
          },
        );
      });

    beforeAll(async () => {
      const [initialKey] = await generateTestKeys();
      directory = await mkdtemp(join(tmpdir(), 'keyturn-kubectl-platform-'));
      clock = createFakeClock();
      sim = await startOpenShiftSimulator({
        issuerUrl: ISSUER,
        initialKey,
        clock,
        nodeRebootSeconds: 10,
        degradedOperators: ['cloud-credential'],
      });
      await writeFile(join(directory, 'kubeconfig'), sim.kubeconfig(), { mode: 0o600 });
    });
    afterAll(async () => {
      await sim?.close();
      await rm(directory, { recursive: true, force: true });
    });

    it('lists the ClusterOperators and waits on their conditions (kubectl wait lists, then watches)', async () => {
      // Act
      const list = await kubectl('get', 'clusteroperators', '-o', 'name');
      const stable = await kubectl(
        'wait',
        '--for=condition=Progressing=False',
        'co',
        '--all',
        '--timeout=10s',
      );
      const degraded = await kubectl(
        'wait',
        '--for=condition=Degraded=True',
        'co/cloud-credential',
        '--timeout=10s',
      );

      // Assess
      expect(list.stdout.split('\n').filter(Boolean)).toEqual([
        'clusteroperator.config.openshift.io/authentication',
        'clusteroperator.config.openshift.io/cloud-credential',
        'clusteroperator.config.openshift.io/kube-apiserver',
        'clusteroperator.config.openshift.io/machine-config',
      ]);
      expect(stable.code).toBe(0);
      expect(degraded).toMatchObject({
        code: 0,
        stdout: 'clusteroperator.config.openshift.io/cloud-credential condition met\n',
      });
    });

    it('shows the pools, the nodes with their MCO annotations, and the workload pods with their token kid', async () => {
      // Act
      const pools = await kubectl('get', 'mcp', '-o', 'jsonpath={.items[*].metadata.name}');
      const nodes = await kubectl(
        'get',
        'nodes',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}={.metadata.annotations.machineconfiguration\\.openshift\\.io/state}{"\\n"}{end}',
      );
      const pods = await kubectl(
        'get',
        'pods',
        '-n',
        'workloads',
        '-o',
        'jsonpath={range .items[*]}{.spec.nodeName} {.metadata.annotations.sim\\.keyturn\\.io/token-kid}{"\\n"}{end}',
      );

      // Assess
      expect(pools.stdout).toBe('master worker');
      expect(nodes.stdout.split('\n').filter(Boolean)).toEqual(
        ['master-0', 'master-1', 'master-2', 'worker-0', 'worker-1'].map((name) => `${name}=Done`),
      );
      const kids = pods.stdout.split('\n').filter(Boolean);
      expect(kids).toHaveLength(4);
      expect(kids[0]).toMatch(/^worker-0 [\w-]{43}$/);
    });

    it('applies a MachineConfig as oc does, and the worker pool starts updating', async () => {
      // Prepare
      const config = ocRebootConfig('worker', { 'machineconfiguration.openshift.io/role': 'worker' }, 1);
      await writeFile(join(directory, 'reboot.json'), JSON.stringify(config));

      // Act
      const applied = await kubectl('apply', '--validate=false', '-f', join(directory, 'reboot.json'));
      const updating = await kubectl('wait', '--for=condition=Updating=True', 'mcp/worker', '--timeout=10s');
      clock.advance(20);
      const updated = await kubectl('wait', '--for=condition=Updated=True', 'mcp/worker', '--timeout=10s');

      // Assess
      expect(applied).toMatchObject({ code: 0 });
      expect(updating.code).toBe(0);
      expect(updated.code).toBe(0);
    });

    it('applies a namespace and a configmap (kubectl apply sends JSON)', async () => {
      // Prepare
      const file = join(directory, 'objects.json');
      await writeFile(
        file,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [
            { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: 'settings', namespace: 'team-a' },
              data: { a: 'b' },
            },
          ],
        }),
      );

      // Act
      const applied = await kubectl('apply', '--validate=false', '-f', file);
      const read = await kubectl('get', 'configmap', 'settings', '-n', 'team-a', '-o', 'jsonpath={.data.a}');

      // Assess
      expect(applied.stdout).toBe('namespace/team-a created\nconfigmap/settings created\n');
      expect(read.stdout).toBe('b');
    });

    it("shows the guard keyturn holds, scoped by the ClusterVersion's clusterID, and sees one kubectl wrote as ccoctl does (ONE-SIGNER)", async () => {
      // Prepare
      const signer = createOpenShiftClusterSigner({ kubeconfig: { yaml: sim.kubeconfig() } });
      const ours = { issuerId: 'cluster-a', rotationId: 'r1' };
      const clusterId = await kubectl('get', 'clusterversion', 'version', '-o', 'jsonpath={.spec.clusterID}');
      const scope = guardScopeId(clusterId.stdout);
      const guard = ['-n', ROTATION_GUARD.namespace, ROTATION_GUARD.name];

      // Act: keyturn holds and releases; then ccoctl (here kubectl) creates the guard anew
      await signer.holdRotationGuard(ours);
      const held = await kubectl('get', 'configmap', ...guard, '-o', 'jsonpath={.data.state\\.json}');
      await signer.releaseRotationGuard(ours);
      await kubectl('delete', 'configmap', ...guard);
      const file = join(directory, 'guard.json');
      const ccoctlState = `{"schemaVersion":1,"scopeID":"${scope}","activeOperationID":"${'c'.repeat(64)}"}`;
      await writeFile(
        file,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: ROTATION_GUARD.name,
            namespace: ROTATION_GUARD.namespace,
            labels: ROTATION_GUARD.labels,
          },
          data: { 'state.json': ccoctlState },
        }),
      );
      const created = await kubectl('create', '--validate=false', '-f', file);

      // Assess
      const operationId = keyturnOperationId(clusterId.stdout, ours.issuerId, ours.rotationId);
      expect(held.stdout).toBe(
        `{"schemaVersion":1,"scopeID":"${scope}","activeOperationID":"${operationId}"}`,
      );
      expect(created).toMatchObject({ code: 0, stderr: '' });
      await expect(signer.readRotationGuard(ours)).resolves.toEqual({
        heldBy: 'other',
        operationId: 'c'.repeat(64),
      });
    });

    it('shows the kube-apiserver config keyturn reads the token lifetime from', async () => {
      const config = await kubectl(
        'get',
        'configmap',
        'config',
        '-n',
        'openshift-kube-apiserver',
        '-o',
        'jsonpath={.data.config\\.yaml}',
      );

      expect(JSON.parse(config.stdout)).toMatchObject({
        kind: 'KubeAPIServerConfig',
        apiServerArguments: {},
      });
    });
  },
);
