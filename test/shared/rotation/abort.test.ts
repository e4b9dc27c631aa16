import { beforeAll, describe, expect, it } from 'vitest';
import { findKey } from '#shared/keyring/queries.ts';
import { ClusterApiCallError, VaultError } from '#shared/port-errors.ts';
import {
  abortRotation,
  describeRotationKeys,
  maintainIssuer,
  prepareRotation,
} from '#shared/rotation/index.ts';
import type { RotationTask } from '#shared/workflow-tasks.ts';
import { crashAfterSideEffects, SimulatedCrash } from './crashing-ports.ts';
import { callRotationStep, driveRotationTasks } from './drive-rotation.ts';
import {
  createKeyPool,
  createWorld,
  driveRotation,
  ISSUER_ID,
  ISSUER_URL,
  type KeyPool,
  type World,
} from './rotation-world.ts';

let pool: KeyPool;
beforeAll(async () => {
  pool = await createKeyPool(8);
});

/** Runs rotation `r1` of a fresh world up to (not including) `stopBefore`, checking every invariant. */
async function interruptedWorld(stopBefore: RotationTask): Promise<{ world: World; initialKid: string }> {
  const world = await createWorld({ pool });
  const initialKid = (await world.keyring()).keys[0]?.kid ?? '';
  const request = { issuerId: ISSUER_ID, rotationId: 'r1', mode: 'manual' } as const;
  await driveRotationTasks({
    run: (task) => callRotationStep(task, world.ports, request),
    clock: world.clock,
    stopBefore,
    onProgress: () => world.check(),
  });
  return { world, initialKid };
}

/** Where each interruption point stands, and what the abort must leave behind. */
const STOPS: readonly { before: RotationTask; stage: string; pushed: boolean }[] = [
  { before: 'generate', stage: 'prepared', pushed: false },
  { before: 'publish', stage: 'generated', pushed: false },
  { before: 'confirm-visible', stage: 'published', pushed: false },
  { before: 'push', stage: 'published', pushed: false },
  { before: 'watch-rollout', stage: 'pushed', pushed: true },
  { before: 'verify', stage: 'pushed', pushed: true },
  { before: 'activate', stage: 'verified', pushed: true },
];

describe('abortRotation', () => {
  it.each(STOPS)(
    'ends a rotation stopped before $before safely and the issuer rotates again (RECOVERABLE, NO-ORPHAN-TOKENS, ALWAYS-VALID)',
    async ({ before, stage, pushed }) => {
      // Prepare
      const { world, initialKid } = await interruptedWorld(before);
      const newKid = (await world.keyring()).rotation?.newKid;

      // Act
      const result = await abortRotation(world.ports, { issuerId: ISSUER_ID });

      // Assess: the rotation is over, the previous key signs, the new key is dropped or kept as it must be.
      await world.check();
      const keyring = await world.keyring();
      expect(result).toMatchObject({ rotationId: 'r1', stage, activeKid: initialKid, pushedBack: pushed });
      expect(keyring.rotation).toBeUndefined();
      expect(keyring.lastRotation).toMatchObject({ id: 'r1', outcome: 'aborted' });
      expect(findKey(keyring, initialKid)?.state).toBe('active');
      const publicKids = (await world.publisher.readPublic(ISSUER_URL)).kids;
      if (newKid === undefined) {
        expect(result.newKey).toBe('none');
      } else if (pushed) {
        // It may have signed tokens: it stays published, failed, for the grace period.
        expect(result.newKey).toBe('kept');
        expect(findKey(keyring, newKid)).toMatchObject({ state: 'failed', removeAfter: expect.any(String) });
        expect(publicKids).toEqual([initialKid, newKid]);
      } else {
        // It never left keyturn, so it never signed: it leaves keys.json and the vault at once.
        expect(result.newKey).toBe('dropped');
        expect(findKey(keyring, newKid)).toMatchObject({
          state: 'removed',
          privateKeyDestroyedAt: expect.any(String),
        });
        expect(world.vault.refs()).toEqual([`${ISSUER_ID}/initial`]);
        expect(publicKids).toEqual([initialKid]);
      }
      const lastStep = pushed ? 'rollback' : newKid === undefined ? 'abort' : 'destroy';
      expect(world.audit.map((entry) => entry.step).at(-1)).toBe(lastStep);

      // Assess RECOVERABLE: the issuer rotates again, and the invariants hold at every step.
      const next = await driveRotation(world, { rotationId: 'r2' });
      expect(findKey(await world.keyring(), next)?.state).toBe('active');
      await world.check();
    },
  );

  it.each([1, 2, 3, 4, 5])(
    'converges when re-run after a crash after its side effect %i: the dropped key leaves the vault (RETRY-SAFE)',
    async (crashAt) => {
      // Prepare: stopped before the push; the abort crashes after its crashAt-th write.
      const { world, initialKid } = await interruptedWorld('push');
      const newKid = (await world.keyring()).rotation?.newKid ?? '';
      const crashing = crashAfterSideEffects(world.ports, crashAt);
      const input = { issuerId: ISSUER_ID, rotationId: 'r1' };
      await expect(abortRotation(crashing, input)).rejects.toBeInstanceOf(SimulatedCrash);
      const afterCrash = await world.keyring();
      await world.check();

      // Act: the same abort again (the workflow retries it), then maintenance.
      const [again, maintained] = [
        await abortRotation(world.ports, input),
        await maintainIssuer(world.ports, { issuerId: ISSUER_ID }),
      ];

      // Assess: the key is gone from the keyring's keys.json and the vault, however far the crash got.
      expect(findKey(afterCrash, newKid)?.state).toBe('removed');
      expect(again).toMatchObject({ rotationId: 'r1', newKey: 'dropped', activeKid: initialKid });
      expect(maintained.destroyed).toEqual([]);
      expect(findKey(await world.keyring(), newKid)?.privateKeyDestroyedAt).toEqual(expect.any(String));
      expect(world.vault.refs()).toEqual([`${ISSUER_ID}/initial`]);
      expect((await world.publisher.readPublic(ISSUER_URL)).kids).toEqual([initialKid]);
      await world.check();
    },
  );

  it('leaves a dropped key that maintenance destroys when the abort crashed before destroying it (RETRY-SAFE)', async () => {
    // Prepare: the abort committed, then the process died.
    const { world } = await interruptedWorld('push');
    const newKid = (await world.keyring()).rotation?.newKid ?? '';
    const crashing = crashAfterSideEffects(world.ports, 1);
    await expect(abortRotation(crashing, { issuerId: ISSUER_ID })).rejects.toBeInstanceOf(SimulatedCrash);

    // Act
    const maintained = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });

    // Assess
    expect(maintained.destroyed).toEqual([newKid]);
    expect(world.vault.refs()).toEqual([`${ISSUER_ID}/initial`]);
    await world.check();
  });

  it('leaves a dropped key maintenance destroys when the vault refuses, without failing the abort (RECOVERABLE)', async () => {
    // Prepare: stopped before the push, with a vault that refuses to destroy.
    const { world } = await interruptedWorld('push');
    const newKid = (await world.keyring()).rotation?.newKid ?? '';
    const refusing = {
      ...world.ports,
      vault: {
        ...world.ports.vault,
        destroy: async () => {
          throw new VaultError('ERR_VAULT_REF', 'the vault refused');
        },
      },
    };

    // Act
    const result = await abortRotation(refusing, { issuerId: ISSUER_ID });
    const maintained = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });

    // Assess: the abort ended the rotation and said why the key is still sealed; maintenance destroyed it.
    expect(result).toMatchObject({ newKey: 'dropped', pushedBack: false });
    expect(world.audit).toContainEqual(
      expect.objectContaining({
        step: 'destroy',
        kid: newKid,
        outcome: 'failed',
        detail: expect.stringContaining('ERR_VAULT_REF'),
      }),
    );
    expect(maintained.destroyed).toEqual([newKid]);
    expect(world.vault.refs()).toEqual([`${ISSUER_ID}/initial`]);
    await world.check();
  });

  it('refuses with ERR_ROTATION_NOT_IN_FLIGHT when no rotation is in flight, or after it was aborted (RETRY-SAFE)', async () => {
    // Prepare
    const { world } = await interruptedWorld('publish');
    await abortRotation(world.ports, { issuerId: ISSUER_ID });

    // Act
    const again = abortRotation(world.ports, { issuerId: ISSUER_ID });

    // Assess
    await expect(again).rejects.toMatchObject({ code: 'ERR_ROTATION_NOT_IN_FLIGHT' });
    await expect(again).rejects.toThrow(/no rotation is in flight.*r1, aborted/);
    await world.check();
  });

  it('records a push back that fails on the rotation and in the audit trail, names the command, and converges when re-run (RECOVERABLE)', async () => {
    // Prepare: stopped after the push, with a cluster that refuses every push.
    const { world, initialKid } = await interruptedWorld('verify');
    const down = {
      ...world.ports,
      cluster: {
        ...world.ports.cluster,
        push: async () => {
          throw new ClusterApiCallError('ERR_CLUSTER_UNAVAILABLE', 'the cluster is down', {
            method: 'PATCH',
            resource: 'secrets',
          });
        },
      },
    };

    // Act
    const failed = abortRotation(down, { issuerId: ISSUER_ID, command: 'keyturn rotate --local --abort' });

    // Assess: never silent — the error names the next step, the keyring and the audit trail record it.
    await expect(failed).rejects.toMatchObject({ code: 'ERR_ABORT_FAILED' });
    await expect(failed).rejects.toThrow(/run keyturn rotate --local --abort again/);
    const keyring = await world.keyring();
    expect(keyring.rotation).toMatchObject({
      id: 'r1',
      abortFailedAt: expect.any(String),
      abortFailure: expect.stringContaining('ERR_CLUSTER_UNAVAILABLE'),
    });
    expect(describeRotationKeys(keyring, keyring.rotation ?? ({} as never))).toContain('an abort failed at');
    expect(world.audit.at(-1)).toMatchObject({ step: 'abort', outcome: 'failed', rotationId: 'r1' });
    await world.check();

    // Act: the cluster is back; the same command again.
    const result = await abortRotation(world.ports, { issuerId: ISSUER_ID });

    // Assess
    expect(result).toMatchObject({ activeKid: initialKid, pushedBack: true, newKey: 'kept' });
    expect((await world.keyring()).rotation).toBeUndefined();
    await world.check();
    await driveRotation(world, { rotationId: 'r2' });
    await world.check();
  });

  it('refuses to abort after the push when keyturn holds no private key for the previous key, and names resume (RECOVERABLE)', async () => {
    // Prepare: the previous key is the cluster's own (an emergency that adopted it under drift).
    const { world } = await interruptedWorld('verify');
    const stored = await world.store.read(ISSUER_ID);
    if (stored === undefined) throw new Error('no keyring');
    const previousKid = stored.keyring.rotation?.previousKid ?? '';
    const { vaultRef: _sealed, ...clusterKey } = findKey(stored.keyring, previousKid) ?? ({} as never);
    await world.store.update(
      {
        ...stored.keyring,
        keys: stored.keyring.keys.map((key) =>
          key.kid === previousKid ? { ...clusterKey, origin: 'cluster' } : key,
        ),
      },
      stored.revision,
    );

    // Act
    const refused = abortRotation(world.ports, {
      issuerId: ISSUER_ID,
      command: 'keyturn rotate --local --abort',
    });

    // Assess: nothing changed, and the message names the command that goes on.
    await expect(refused).rejects.toMatchObject({ code: 'ERR_ROTATION_REQUEST' });
    await expect(refused).rejects.toThrow(/Resume it instead .*keyturn rotate --local\)$/);
    expect((await world.keyring()).rotation?.id).toBe('r1');
    await world.check();
  });

  it('lets a prepared rotation be resumed with its own id and refuses another id (ONE-SIGNER)', async () => {
    // Prepare
    const { world } = await interruptedWorld('push');

    // Act
    const joined = await prepareRotation(world.ports, {
      issuerId: ISSUER_ID,
      rotationId: 'r1',
      mode: 'manual',
    });
    const other = prepareRotation(world.ports, { issuerId: ISSUER_ID, rotationId: 'r2', mode: 'manual' });

    // Assess
    expect(joined.joined).toBe(true);
    await expect(other).rejects.toMatchObject({ code: 'ERR_ROTATION_IN_PROGRESS' });
    await expect(other).rejects.toThrow(/--abort/);
    const keyring = await world.keyring();
    expect(describeRotationKeys(keyring, keyring.rotation ?? ({} as never))).toMatch(
      /^new key \S+: published \(visible since .*\), not pushed; previous key \S+: active$/,
    );
  });
});
