import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterModel, ClusterModelOptions } from '#local/openshift-sim/cluster-model.ts';
import {
  guardScopeId,
  keyturnOperationId,
  ROTATION_GUARD,
} from '#shared/adapters/openshift/rotation-guard.ts';
import type { ClusterSigner, GuardOperation } from '#shared/ports.ts';
import { INSTALLED_AT } from '#test/local/openshift-sim/cluster-fixtures.ts';
import { rebootPoolLikeOc } from '#test/local/openshift-sim/platform-fixtures.ts';
import { readContractKeys } from './cluster-signer.contract.ts';

/** One ClusterSigner under test over a simulated cluster the test can reach into, as an operator would. */
export interface ClusterPlatformSubject {
  readonly signer: ClusterSigner;
  /** The simulated cluster: faults, operators held Degraded, objects written as ccoctl or oc would. */
  readonly model: ClusterModel;
  readonly advance: (seconds: number) => void;
  readonly dispose?: () => Promise<void> | void;
}

/** What a subject's cluster is installed with besides {@link readContractKeys}' current key. */
export type PlatformClusterOptions = Pick<ClusterModelOptions, 'maxTokenExpirationSeconds'>;

const OURS: GuardOperation = { issuerId: 'cluster-a', rotationId: 'r1' };
const SECOND: GuardOperation = { issuerId: 'cluster-a', rotationId: 'r2' };
/** An operation id as ccoctl makes them: 64 lowercase hex. */
const CCOCTL_OPERATION = 'c'.repeat(64);
const GUARD = [ROTATION_GUARD.namespace, ROTATION_GUARD.name] as const;
/** Nodes reboot in 10 simulated seconds each (the model's default), one at a time per pool. */
const REBOOT_SECONDS = 10;

/**
 * The ClusterPlatform behaviour every ClusterSigner shares (ports.ts): stability as `oc adm
 * wait-for-stable-cluster` judges it, the token lifetime from the kube-apiserver config, pool reboots as
 * `oc adm reboot-machine-config-pool` asks for them and `oc adm wait-for-node-reboot` follows them, and
 * ccoctl's signer rotation guard in its exact shape. The subject's cluster has 3 masters and 2 workers.
 */
export function describeClusterPlatformContract(
  name: string,
  makeSubject: (options: PlatformClusterOptions) => Promise<ClusterPlatformSubject> | ClusterPlatformSubject,
): void {
  describe(`ClusterPlatform contract: ${name}`, () => {
    const subjects: ClusterPlatformSubject[] = [];
    const start = async (options: PlatformClusterOptions = {}) => {
      const subject = await makeSubject(options);
      subjects.push(subject);
      return subject;
    };
    afterEach(async () => {
      await Promise.all(subjects.splice(0).map((subject) => subject.dispose?.()));
    });
    const clusterIdOf = (model: ClusterModel) =>
      model.get('ClusterVersion', undefined, 'version')?.spec.clusterID ?? '';
    const guardData = (model: ClusterModel) => model.get('ConfigMap', ...GUARD)?.data;

    describe('stability', () => {
      it('reads a fresh cluster as stable since its install, over every operator', async () => {
        const { signer } = await start();

        const stability = await signer.readStability();

        expect(stability).toEqual({ operators: 4, unstable: [], stableSince: INSTALLED_AT });
      });

      it('names a Degraded operator and has no stableSince until it recovers', async () => {
        // Prepare
        const { signer, model, advance } = await start();
        model.setOperatorDegraded('cloud-credential', true);

        // Act
        const degraded = await signer.readStability();
        advance(30);
        model.setOperatorDegraded('cloud-credential', false);
        const recovered = await signer.readStability();

        // Assess
        expect(degraded.stableSince).toBeUndefined();
        expect(degraded.unstable).toEqual([
          {
            operator: 'cloud-credential',
            condition: 'Degraded',
            status: 'True',
            reason: 'SimulatedFault',
            message: 'held Degraded by the OpenShift simulator (--degraded-operator)',
          },
        ]);
        expect(recovered).toEqual({
          operators: 4,
          unstable: [],
          stableSince: new Date(INSTALLED_AT.getTime() + 30_000),
        });
      });

      it('reads kube-apiserver Progressing while a pushed key rolls out (ONE-SIGNER)', async () => {
        const { signer } = await start();
        await signer.push(readContractKeys().next);

        const stability = await signer.readStability();

        expect(stability.unstable).toContainEqual(
          expect.objectContaining({ operator: 'kube-apiserver', condition: 'Progressing', status: 'True' }),
        );
      });
    });

    describe('token lifetime', () => {
      it('reads no maximum on a cluster that sets none, as OpenShift by default (NO-ORPHAN-TOKENS)', async () => {
        const { signer } = await start();

        await expect(signer.readTokenLifetime()).resolves.toEqual({
          extendExpiration: true,
          source: 'configmap openshift-kube-apiserver/config (config.yaml apiServerArguments)',
        });
      });

      it('reads the maximum the kube-apiserver config sets (NO-ORPHAN-TOKENS)', async () => {
        const { signer } = await start({ maxTokenExpirationSeconds: 86_400 });

        await expect(signer.readTokenLifetime()).resolves.toMatchObject({
          maxSeconds: 86_400,
          extendExpiration: true,
        });
      });
    });

    describe('pool reboots', () => {
      it("asks for a reboot with oc's MachineConfig, labelled as the pool selects its configs", async () => {
        // Prepare
        const { signer, model } = await start();
        const before = await signer.readPoolReboot('worker');

        // Act
        await signer.requestPoolReboot('worker', 1);

        // Assess
        expect(before).toEqual({ pool: 'worker', rebootNumber: 0 });
        await expect(signer.readPoolReboot('worker')).resolves.toEqual({ pool: 'worker', rebootNumber: 1 });
        const config = model.get('MachineConfig', undefined, '95-oc-initiated-reboot-worker');
        expect(config?.metadata.labels).toEqual({ 'machineconfiguration.openshift.io/role': 'worker' });
        expect(config?.spec).toEqual({
          config: {
            ignition: { version: '3.1.0' },
            storage: {
              files: [
                {
                  path: '/etc/kubernetes/machine-config-operator-oc-initiated-reboot-number',
                  mode: 420,
                  contents: { source: 'data:,1%0A' },
                },
              ],
            },
          },
        });
      });

      it('asks once for the same number and never below the current one (RETRY-SAFE)', async () => {
        // Prepare
        const { signer, model } = await start();
        await signer.requestPoolReboot('master', 2);
        const written = model.get('MachineConfig', undefined, '95-oc-initiated-reboot-master');

        // Act
        await signer.requestPoolReboot('master', 2);
        await signer.requestPoolReboot('master', 1);

        // Assess
        const after = model.get('MachineConfig', undefined, '95-oc-initiated-reboot-master');
        expect(after?.metadata.resourceVersion).toBe(written?.metadata.resourceVersion);
        await expect(signer.readPoolReboot('master')).resolves.toEqual({ pool: 'master', rebootNumber: 2 });
      });

      it('counts on from a reboot oc asked for, and oc counts on from keyturn’s (RETRY-SAFE)', async () => {
        // Prepare
        const { signer, model } = await start();
        rebootPoolLikeOc(model, 'worker');

        // Act
        const afterOc = await signer.readPoolReboot('worker');
        await signer.requestPoolReboot('worker', afterOc.rebootNumber + 1);

        // Assess
        expect(afterOc.rebootNumber).toBe(1);
        expect(rebootPoolLikeOc(model, 'worker')).toBe(3);
      });

      it('follows the nodes as they reboot until every one runs the number (NO-ORPHAN-TOKENS)', async () => {
        // Prepare
        const { signer, advance } = await start();
        await signer.requestPoolReboot('worker', 1);

        // Act
        const seen = [await signer.rebootProgress('worker', 1)];
        for (let step = 0; step < 3; step++) {
          advance(REBOOT_SECONDS);
          seen.push(await signer.rebootProgress('worker', 1));
        }

        // Assess
        expect(seen.map((progress) => progress.nodesRebooted)).toEqual([0, 1, 2, 2]);
        expect(seen[0]).toEqual({ nodesRebooted: 0, nodesTotal: 2, pending: ['worker-0', 'worker-1'] });
        expect(seen.at(-1)).toEqual({ nodesRebooted: 2, nodesTotal: 2, pending: [] });
        await expect(signer.rebootProgress('master', 1)).resolves.toMatchObject({
          nodesRebooted: 0,
          nodesTotal: 3,
        });
      });

      it('leaves the pool as it was when a call fails, and a retry asks once (RETRY-SAFE)', async () => {
        // Prepare
        const { signer, model } = await start();
        model.faults.failNextCalls(1);

        // Act
        const failed = await signer.requestPoolReboot('worker', 1).catch((error: unknown) => error);
        await signer.requestPoolReboot('worker', 1);
        await signer.requestPoolReboot('worker', 1);

        // Assess
        expect(failed).toMatchObject({ code: expect.stringMatching(/^ERR_/) });
        await expect(signer.readPoolReboot('worker')).resolves.toEqual({ pool: 'worker', rebootNumber: 1 });
      });
    });

    describe("ccoctl's rotation guard", () => {
      it("creates the guard in ccoctl's exact shape, and holding it again writes nothing (ONE-SIGNER, RETRY-SAFE)", async () => {
        // Prepare
        const { signer, model } = await start();
        const clusterId = clusterIdOf(model);
        const operationId = keyturnOperationId(clusterId, OURS.issuerId, OURS.rotationId);

        // Act
        await signer.holdRotationGuard(OURS);
        const created = model.get('ConfigMap', ...GUARD);
        await signer.holdRotationGuard(OURS);

        // Assess
        expect(created?.metadata.labels).toEqual({
          'app.kubernetes.io/managed-by': 'cloud-credential-operator',
        });
        expect(created?.data).toEqual({
          'state.json': `{"schemaVersion":1,"scopeID":"${guardScopeId(clusterId)}","activeOperationID":"${operationId}"}`,
        });
        expect(model.get('ConfigMap', ...GUARD)?.metadata.resourceVersion).toBe(
          created?.metadata.resourceVersion,
        );
        await expect(signer.readRotationGuard(OURS)).resolves.toEqual({ heldBy: 'us', operationId });
      });

      it('refuses a second rotation while one holds the guard, naming the holder (ONE-SIGNER)', async () => {
        // Prepare
        const { signer, model } = await start();
        await signer.holdRotationGuard(OURS);
        const holder = keyturnOperationId(clusterIdOf(model), OURS.issuerId, OURS.rotationId);
        const before = guardData(model);

        // Act
        const refused = await signer.holdRotationGuard(SECOND).catch((error: unknown) => error);

        // Assess
        expect(refused).toMatchObject({
          code: 'ERR_ROTATION_GUARD_HELD',
          message: expect.stringContaining(holder),
        });
        expect(guardData(model)).toEqual(before);
        await expect(signer.readRotationGuard(SECOND)).resolves.toEqual({
          heldBy: 'other',
          operationId: holder,
        });
      });

      it('releases into the sorted completed ids, once (RETRY-SAFE)', async () => {
        // Prepare
        const { signer, model } = await start();
        const scope = guardScopeId(clusterIdOf(model));
        const ids = [OURS, SECOND].map((operation) =>
          keyturnOperationId(clusterIdOf(model), operation.issuerId, operation.rotationId),
        );

        // Act
        await signer.holdRotationGuard(OURS);
        await signer.releaseRotationGuard(OURS);
        await signer.holdRotationGuard(SECOND);
        await signer.releaseRotationGuard(SECOND);
        const released = model.get('ConfigMap', ...GUARD)?.metadata.resourceVersion;
        await signer.releaseRotationGuard(SECOND);

        // Assess
        expect(guardData(model)).toEqual({
          'state.json': `{"schemaVersion":1,"scopeID":"${scope}","completedOperationIDs":${JSON.stringify([...ids].sort())}}`,
        });
        expect(model.get('ConfigMap', ...GUARD)?.metadata.resourceVersion).toBe(released);
        await expect(signer.readRotationGuard(OURS)).resolves.toEqual({ heldBy: 'nobody' });
      });

      it('sees a guard ccoctl holds as held by another, with its id, and leaves it alone (ONE-SIGNER)', async () => {
        // Prepare: the ConfigMap as ccoctl's AcquireRotationGuard creates it
        const { signer, model } = await start();
        const scope = guardScopeId(clusterIdOf(model));
        model.createObject('ConfigMap', ROTATION_GUARD.namespace, {
          metadata: {
            name: ROTATION_GUARD.name,
            labels: { 'app.kubernetes.io/managed-by': 'cloud-credential-operator' },
          },
          data: {
            'state.json': `{"schemaVersion":1,"scopeID":"${scope}","activeOperationID":"${CCOCTL_OPERATION}"}`,
          },
        });
        const before = guardData(model);

        // Act
        const holder = await signer.readRotationGuard(OURS);
        const refused = await signer.holdRotationGuard(OURS).catch((error: unknown) => error);
        const notOurs = await signer.releaseRotationGuard(OURS).catch((error: unknown) => error);

        // Assess
        expect(holder).toEqual({ heldBy: 'other', operationId: CCOCTL_OPERATION });
        expect(refused).toMatchObject({
          code: 'ERR_ROTATION_GUARD_HELD',
          message: expect.stringContaining(CCOCTL_OPERATION),
        });
        expect(notOurs).toMatchObject({ code: 'ERR_ROTATION_GUARD_HELD' });
        expect(guardData(model)).toEqual(before);
      });

      it('refuses a guard ccoctl would refuse, and writes nothing over it (ONE-SIGNER)', async () => {
        // Prepare: a second data key, which ccoctl's decoder rejects
        const { signer, model } = await start();
        const scope = guardScopeId(clusterIdOf(model));
        model.createObject('ConfigMap', ROTATION_GUARD.namespace, {
          metadata: { name: ROTATION_GUARD.name },
          data: { 'state.json': `{"schemaVersion":1,"scopeID":"${scope}"}`, owner: 'someone' },
        });
        const before = guardData(model);

        // Act
        const read = await signer.readRotationGuard(OURS).catch((error: unknown) => error);
        const held = await signer.holdRotationGuard(OURS).catch((error: unknown) => error);

        // Assess
        expect(read).toMatchObject({ code: 'ERR_ROTATION_GUARD_INVALID' });
        expect(held).toMatchObject({ code: 'ERR_ROTATION_GUARD_INVALID' });
        expect(guardData(model)).toEqual(before);
      });
    });
  });
}
