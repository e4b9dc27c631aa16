import { beforeAll, describe, expect, it } from 'vitest';
import { encodeGuardState, guardScopeId, ROTATION_GUARD } from '#shared/adapters/openshift/rotation-guard.ts';
import { abortRotation, prepareRotation, rollbackRotation } from '#shared/rotation/index.ts';
import {
  createKeyPool,
  createWorld,
  driveRotation,
  ISSUER_ID,
  ISSUER_URL,
  type KeyPool,
  type World,
} from './rotation-world.ts';

const CLUSTER_ID = '0f6c5e0e-6b7c-4c7e-9d3e-3f1f1c2b9a10';
const CCOCTL_OPERATION = 'c'.repeat(64);
const OPERATION = { issuerId: ISSUER_ID, rotationId: 'r1' };

let pool: KeyPool;

beforeAll(async () => {
  pool = await createKeyPool(6);
});

/** What a refused prepare must leave untouched: the keyring, the audit trail, keys.json. */
async function snapshot(world: World) {
  return {
    keyring: await world.keyring(),
    audit: world.audit.length,
    kids: (await world.publisher.readPublic(ISSUER_URL)).kids,
  };
}

/** ccoctl aws rotate-signing-key holding the cluster: its guard ConfigMap with an active operation. */
function holdGuardAsCcoctl(world: World): void {
  const state = {
    schemaVersion: 1 as const,
    scopeID: guardScopeId(CLUSTER_ID),
    activeOperationID: CCOCTL_OPERATION,
  };
  world.model.createObject('ConfigMap', ROTATION_GUARD.namespace, {
    metadata: { name: ROTATION_GUARD.name, labels: { ...ROTATION_GUARD.labels } },
    data: { [ROTATION_GUARD.dataKey]: encodeGuardState(state) },
  });
}

describe('the stability gate of prepare', () => {
  it('refuses a rotation on an unstable cluster, naming each operator and condition, and publishes nothing (ERR_CLUSTER_UNSTABLE)', async () => {
    // Prepare
    const world = await createWorld({ pool, cluster: { degradedOperators: ['authentication'] } });
    const before = await snapshot(world);

    // Act
    const start = prepareRotation(world.ports, { ...OPERATION, mode: 'scheduled' });

    // Assess
    await expect(start).rejects.toMatchObject({
      code: 'ERR_CLUSTER_UNSTABLE',
      message: expect.stringMatching(/authentication Degraded=True \(.+\).*nothing was changed/),
    });
    expect(await snapshot(world)).toEqual(before);
  });

  it('lets an emergency start on an unstable cluster with a warning, and its waits disregard that instability (ONE-SIGNER, NO-ORPHAN-TOKENS)', async () => {
    // Prepare
    const world = await createWorld({ pool, cluster: { degradedOperators: ['authentication'] } });
    const compromisedKid = (await world.keyring()).keys[0]?.kid ?? '';

    // Act
    const prepared = await prepareRotation(world.ports, { ...OPERATION, mode: 'emergency', compromisedKid });
    await driveRotation(world, { rotationId: 'r1', mode: 'emergency', compromisedKid, unstable: true });

    // Assess
    expect(prepared.warning).toMatch(/authentication Degraded=True .*goes on/);
    expect(prepared.tokenRefresh).toBe('reboot');
    expect(world.audit.find((entry) => entry.step === 'prepare')?.detail).toContain(
      'authentication Degraded=True',
    );
    expect((await world.keyring()).lastRotation).toMatchObject({ id: 'r1', outcome: 'succeeded' });
    expect((await world.publisher.readPublic(ISSUER_URL)).kids).not.toContain(compromisedKid);
  });

  it('refuses while ccoctl holds the signer-rotation guard, naming its operation, and publishes nothing (ERR_ROTATION_GUARD_HELD)', async () => {
    // Prepare
    const world = await createWorld({ pool, cluster: { clusterId: CLUSTER_ID } });
    holdGuardAsCcoctl(world);
    const before = await snapshot(world);

    // Act
    const start = prepareRotation(world.ports, { ...OPERATION, mode: 'manual' });

    // Assess
    await expect(start).rejects.toMatchObject({
      code: 'ERR_ROTATION_GUARD_HELD',
      message: expect.stringMatching(
        new RegExp(`operation ${CCOCTL_OPERATION}: ccoctl aws rotate-signing-key`),
      ),
    });
    expect(await snapshot(world)).toEqual(before);
  });

  it('refuses a grace shorter than the cluster’s longest token lifetime, naming where it was read (ERR_GRACE_BELOW_TOKEN_LIFETIME, NO-ORPHAN-TOKENS)', async () => {
    // Prepare: a 1 h grace; the cluster issues tokens of up to 2 h.
    const world = await createWorld({ pool, cluster: { maxTokenExpirationSeconds: 7200 } });
    const before = await snapshot(world);

    // Act
    const start = prepareRotation(world.ports, { ...OPERATION, mode: 'manual' });

    // Assess
    await expect(start).rejects.toMatchObject({
      code: 'ERR_GRACE_BELOW_TOKEN_LIFETIME',
      message: expect.stringContaining('7200 s, from configmap openshift-kube-apiserver/config'),
    });
    expect(await snapshot(world)).toEqual(before);
  });
});

describe("the cluster's signer-rotation guard", () => {
  it('is held from the push to the end of the rotation and given back after it (ONE-SIGNER)', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const ccoctlView = { issuerId: ISSUER_ID, rotationId: 'someone-else' };

    // Act
    await driveRotation(world, { rotationId: 'r1', stopBefore: 'watch-rollout' });
    const during = await world.ports.cluster.readRotationGuard(ccoctlView);
    await driveRotation(world, { rotationId: 'r1' });

    // Assess
    expect(during.heldBy).toBe('other');
    expect(await world.ports.cluster.readRotationGuard(OPERATION)).toEqual({ heldBy: 'nobody' });
  });

  it.each(['rollback', 'abort'] as const)(
    'is given back when the rotation ends by %s after its push (RECOVERABLE, RETRY-SAFE)',
    async (ending) => {
      // Prepare
      const world = await createWorld({ pool });
      await driveRotation(world, { rotationId: 'r1', stopBefore: 'verify' });
      expect((await world.ports.cluster.readRotationGuard(OPERATION)).heldBy).toBe('us');

      // Act: twice, as a retried task would.
      for (let run = 0; run < 2; run += 1) {
        if (ending === 'rollback') {
          await rollbackRotation(world.ports, { ...OPERATION, reason: 'test' });
        } else {
          await abortRotation(world.ports, { issuerId: ISSUER_ID, rotationId: 'r1' });
        }
      }

      // Assess
      expect((await world.ports.cluster.readRotationGuard(OPERATION)).heldBy).toBe('nobody');
      await driveRotation(world, { rotationId: 'r2' });
      expect((await world.keyring()).lastRotation).toMatchObject({ id: 'r2', outcome: 'succeeded' });
    },
  );

  it('is given back when the token refresh phase is aborted; the new key stays active, the old one keeps its grace (RECOVERABLE, NO-ORPHAN-TOKENS)', async () => {
    // Prepare
    const world = await createWorld({ pool, policy: { tokenRefresh: 'reboot' } });
    const oldKid = (await world.keyring()).keys[0]?.kid ?? '';
    const newKid = await driveRotation(world, { rotationId: 'r1', stopBefore: 'refresh-tokens' });

    // Act
    const result = await abortRotation(world.ports, { issuerId: ISSUER_ID, rotationId: 'r1' });

    // Assess
    expect(result).toMatchObject({
      stage: 'activated',
      newKey: 'active',
      activeKid: newKid,
      pushedBack: false,
    });
    expect((await world.ports.cluster.readRotationGuard(OPERATION)).heldBy).toBe('nobody');
    expect((await world.keyring()).keys.find((key) => key.kid === oldKid)).toMatchObject({
      state: 'retired',
      removeAfter: expect.any(String),
    });
    expect((await world.publisher.readPublic(ISSUER_URL)).kids).toContain(oldKid);
    await world.check();
  });
});
