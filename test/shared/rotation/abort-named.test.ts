import { beforeAll, describe, expect, it } from 'vitest';
import { abortRotation } from '#shared/rotation/index.ts';
import { callRotationStep, driveRotationTasks } from './drive-rotation.ts';
import { createKeyPool, createWorld, ISSUER_ID, type KeyPool, type World } from './rotation-world.ts';

let pool: KeyPool;
beforeAll(async () => {
  pool = await createKeyPool(4);
});

/** Rotation `r1` of a fresh world, stopped before `push` (its key published, never pushed). */
async function stoppedBeforePush(): Promise<World> {
  const world = await createWorld({ pool });
  const request = { issuerId: ISSUER_ID, rotationId: 'r1', mode: 'manual' } as const;
  await driveRotationTasks({
    run: (task) => callRotationStep(task, world.ports, request),
    clock: world.clock,
    stopBefore: 'push',
    onProgress: () => world.check(),
  });
  return world;
}

describe('abortRotation of a named rotation (the workflow Abort task)', () => {
  it('leaves another rotation in flight alone (ERR_ROTATION_NOT_IN_FLIGHT)', async () => {
    // Prepare
    const world = await stoppedBeforePush();
    const before = await world.keyring();

    // Act
    const refused = await abortRotation(world.ports, { issuerId: ISSUER_ID, rotationId: 'r2' }).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(refused).toMatchObject({ code: 'ERR_ROTATION_NOT_IN_FLIGHT' });
    expect((refused as Error).message).toContain(
      'rotation r2 is not in flight, rotation r1 is; it was left alone',
    );
    expect(await world.keyring()).toEqual(before);
  });

  it('answers what it did when run again after the rotation ended as aborted (RETRY-SAFE)', async () => {
    // Prepare
    const world = await stoppedBeforePush();
    const first = await abortRotation(world.ports, { issuerId: ISSUER_ID, rotationId: 'r1' });
    const after = await world.keyring();

    // Act
    const again = await abortRotation(world.ports, { issuerId: ISSUER_ID, rotationId: 'r1' });

    // Assess: the same answer, and nothing written.
    expect(again).toEqual(first);
    expect(await world.keyring()).toEqual(after);
    await world.check();
  });
});
