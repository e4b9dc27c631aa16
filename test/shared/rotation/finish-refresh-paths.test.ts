import { beforeAll, describe, expect, it } from 'vitest';
import { RotationNotInFlightError, StepNotReadyError } from '#shared/rotation/errors.ts';
import { abortRotation, finishTokenRefresh, refreshTokens } from '#shared/rotation/index.ts';
import {
  createKeyPool,
  createWorld,
  driveRotation,
  ISSUER_ID,
  type KeyPool,
  type World,
} from './rotation-world.ts';

const INPUT = { issuerId: ISSUER_ID, rotationId: 'r1' };

let pool: KeyPool;

beforeAll(async () => {
  pool = await createKeyPool(4);
});

/** A world whose rotations reboot every node after activation (tokenRefresh `reboot`). */
function rebootingWorld(): Promise<World> {
  return createWorld({ pool, policy: { tokenRefresh: 'reboot' } });
}

/** What a refused finish must leave untouched: the keyring and the audit trail. */
async function snapshot(world: World) {
  return { keyring: await world.keyring(), audit: world.audit.length };
}

/** Rewrites the stored keyring, as a state file written by an older or hand-edited keyturn could be. */
async function rewriteKeyring(
  world: World,
  edit: (keyring: Awaited<ReturnType<World['keyring']>>) => unknown,
) {
  const stored = await world.store.read(ISSUER_ID);
  if (stored === undefined) throw new Error('no keyring');
  await world.store.update(edit(stored.keyring) as typeof stored.keyring, stored.revision);
}

describe('finishTokenRefresh before the reboots are over', () => {
  it('refuses a rotation not activated yet and changes nothing (ERR_STEP_NOT_READY, NO-ORPHAN-TOKENS)', async () => {
    // Arrange
    const world = await rebootingWorld();
    await driveRotation(world, { rotationId: 'r1', stopBefore: 'activate' });
    const before = await snapshot(world);

    // Act
    const finish = finishTokenRefresh(world.ports, INPUT);

    // Assess
    await expect(finish).rejects.toBeInstanceOf(StepNotReadyError);
    await expect(finish).rejects.toMatchObject({
      code: 'ERR_STEP_NOT_READY',
      message: 'rotation r1 has not rebooted its nodes yet',
    });
    expect(await snapshot(world)).toEqual(before);
  });

  it('refuses an activated rotation that recorded no reboot targets yet and changes nothing (ERR_STEP_NOT_READY, NO-ORPHAN-TOKENS)', async () => {
    // Arrange
    const world = await rebootingWorld();
    await driveRotation(world, { rotationId: 'r1', stopBefore: 'refresh-tokens' });
    expect((await world.keyring()).rotation).toMatchObject({ activatedAt: expect.any(String) });
    expect((await world.keyring()).rotation?.rebootTargets).toBeUndefined();
    const before = await snapshot(world);

    // Act
    const finish = finishTokenRefresh(world.ports, INPUT);

    // Assess
    await expect(finish).rejects.toBeInstanceOf(StepNotReadyError);
    await expect(finish).rejects.toThrow('rotation r1 has not rebooted its nodes yet');
    expect(await snapshot(world)).toEqual(before);
  });

  it('refuses while nodes are still to reboot, naming each pool’s progress, and keeps the old key published (ERR_STEP_NOT_READY, NO-ORPHAN-TOKENS)', async () => {
    // Arrange: the reboots are requested, and the clock has not moved since.
    const world = await rebootingWorld();
    const oldKid = (await world.keyring()).keys[0]?.kid ?? '';
    await driveRotation(world, { rotationId: 'r1', stopBefore: 'refresh-tokens' });
    const refresh = await refreshTokens(world.ports, INPUT);
    expect(refresh.done).toBe(false);
    const before = await snapshot(world);

    // Act
    const finish = finishTokenRefresh(world.ports, INPUT);

    // Assess
    await expect(finish).rejects.toBeInstanceOf(StepNotReadyError);
    await expect(finish).rejects.toThrow(
      /^not every node has rebooted: worker \d+\/\d+ rebooted, master \d+\/\d+ rebooted$/,
    );
    expect(await snapshot(world)).toEqual(before);
    const oldKey = (await world.keyring()).keys.find((key) => key.kid === oldKid);
    expect(oldKey?.tokensRefreshedAt).toBeUndefined();
    await world.check();
  });
});

describe('finishTokenRefresh once the reboots are over', () => {
  it('makes the old key due at once, ends the rotation and gives the guard back (NO-ORPHAN-TOKENS)', async () => {
    // Arrange
    const world = await rebootingWorld();
    const oldKid = (await world.keyring()).keys[0]?.kid ?? '';
    const newKid = await driveRotation(world, { rotationId: 'r1', stopBefore: 'finish-refresh' });

    // Act
    const result = await finishTokenRefresh(world.ports, INPUT);

    // Assess
    const now = world.clock.now().toISOString();
    expect(result).toEqual({ kid: newKid, retiredKid: oldKid, removeAfter: now });
    const keyring = await world.keyring();
    expect(keyring.rotation).toBeUndefined();
    expect(keyring.lastRotation).toMatchObject({ id: 'r1', outcome: 'succeeded', newKid, finishedAt: now });
    expect(keyring.keys.find((key) => key.kid === oldKid)).toMatchObject({
      state: 'retired',
      removeAfter: now,
      tokensRefreshedAt: now,
    });
    expect(world.audit.at(-1)).toMatchObject({ step: 'retire', kid: oldKid, outcome: 'ok' });
    expect(world.audit.at(-1)?.detail).toMatch(
      /removed after every node rebooted \(worker .*\) and the cluster was stable/,
    );
    expect((await world.ports.cluster.readRotationGuard(INPUT)).heldBy).toBe('nobody');
    await world.check();
  });

  it('ends a rotation that has no previous key without naming one to retire', async () => {
    // Arrange: a rotation record without previousKid.
    const world = await rebootingWorld();
    const oldKid = (await world.keyring()).keys[0]?.kid ?? '';
    const newKid = await driveRotation(world, { rotationId: 'r1', stopBefore: 'finish-refresh' });
    await rewriteKeyring(world, (keyring) => {
      const { previousKid: _previous, ...rotation } = keyring.rotation ?? { id: 'r1' };
      return { ...keyring, rotation };
    });
    const auditBefore = world.audit.length;

    // Act
    const result = await finishTokenRefresh(world.ports, INPUT);

    // Assess
    expect(result).toEqual({ kid: newKid });
    const keyring = await world.keyring();
    expect(keyring.lastRotation).toMatchObject({ id: 'r1', outcome: 'succeeded', newKid });
    expect(keyring.keys.find((key) => key.kid === oldKid)?.tokensRefreshedAt).toBeUndefined();
    expect(world.audit).toHaveLength(auditBefore + 1);
    expect(world.audit.at(-1)).toMatchObject({ step: 'retire', outcome: 'ok' });
    expect(world.audit.at(-1)).not.toHaveProperty('kid');
  });

  it('leaves a previous key that is not retired alone, still naming it (NO-ORPHAN-TOKENS)', async () => {
    // Arrange: the previous key is already removed, so there is nothing to make due.
    const world = await rebootingWorld();
    const oldKid = (await world.keyring()).keys[0]?.kid ?? '';
    const newKid = await driveRotation(world, { rotationId: 'r1', stopBefore: 'finish-refresh' });
    const removedAt = world.clock.now().toISOString();
    await rewriteKeyring(world, (keyring) => ({
      ...keyring,
      keys: keyring.keys.map((key) =>
        key.kid === oldKid ? { ...key, state: 'removed', removedAt, removeAfter: removedAt } : key,
      ),
    }));
    world.clock.advance(1000);

    // Act
    const result = await finishTokenRefresh(world.ports, INPUT);

    // Assess
    const now = world.clock.now().toISOString();
    expect(result).toEqual({ kid: newKid, retiredKid: oldKid, removeAfter: now });
    const oldKey = (await world.keyring()).keys.find((key) => key.kid === oldKid);
    expect(oldKey).toMatchObject({ state: 'removed', removeAfter: removedAt });
    expect(oldKey?.tokensRefreshedAt).toBeUndefined();
  });
});

describe('finishTokenRefresh after the rotation ended', () => {
  it('answers a re-run with the same new key and writes nothing (RETRY-SAFE)', async () => {
    // Arrange
    const world = await rebootingWorld();
    const newKid = await driveRotation(world, { rotationId: 'r1' });
    const before = await snapshot(world);

    // Act
    const again = await finishTokenRefresh(world.ports, INPUT);

    // Assess
    expect(again).toEqual({ kid: newKid });
    expect(await snapshot(world)).toEqual(before);
    expect((await world.ports.cluster.readRotationGuard(INPUT)).heldBy).toBe('nobody');
  });

  it('gives back a guard still held after a crash between the end and the release (RETRY-SAFE)', async () => {
    // Arrange: the first run ends the rotation, then crashes as it gives the guard back.
    const world = await rebootingWorld();
    const newKid = await driveRotation(world, { rotationId: 'r1', stopBefore: 'finish-refresh' });
    const crashing = {
      ...world.ports,
      cluster: {
        ...world.ports.cluster,
        releaseRotationGuard: async () => {
          throw new Error('crashed before the release');
        },
      },
    };
    await expect(finishTokenRefresh(crashing, INPUT)).rejects.toThrow('crashed before the release');
    expect((await world.keyring()).lastRotation).toMatchObject({ id: 'r1', outcome: 'succeeded' });
    expect((await world.ports.cluster.readRotationGuard(INPUT)).heldBy).toBe('us');
    const before = await snapshot(world);

    // Act
    const again = await finishTokenRefresh(world.ports, INPUT);

    // Assess
    expect(again).toEqual({ kid: newKid });
    expect((await world.ports.cluster.readRotationGuard(INPUT)).heldBy).toBe('nobody');
    expect(await snapshot(world)).toEqual(before);
  });

  it('answers an empty kid for an ended rotation whose record names no new key (RETRY-SAFE)', async () => {
    // Arrange
    const world = await rebootingWorld();
    await driveRotation(world, { rotationId: 'r1' });
    await rewriteKeyring(world, (keyring) => {
      const { newKid: _kid, ...last } = keyring.lastRotation ?? { id: 'r1' };
      return { ...keyring, lastRotation: last };
    });

    // Act
    const again = await finishTokenRefresh(world.ports, INPUT);

    // Assess
    expect(again).toEqual({ kid: '' });
  });

  it('refuses a rotation that ended another way, naming that none is in flight (ERR_ROTATION_NOT_IN_FLIGHT)', async () => {
    // Arrange: the refresh phase is aborted instead of finished.
    const world = await rebootingWorld();
    await driveRotation(world, { rotationId: 'r1', stopBefore: 'refresh-tokens' });
    await abortRotation(world.ports, INPUT);
    const before = await snapshot(world);

    // Act
    const finish = finishTokenRefresh(world.ports, INPUT);

    // Assess
    await expect(finish).rejects.toBeInstanceOf(RotationNotInFlightError);
    await expect(finish).rejects.toThrow(
      'issuer cluster-a: rotation r1 is not in flight (none is in flight)',
    );
    expect(await snapshot(world)).toEqual(before);
  });

  it('refuses another rotation id while one is in flight, naming the one that is (ERR_ROTATION_NOT_IN_FLIGHT)', async () => {
    // Arrange
    const world = await rebootingWorld();
    await driveRotation(world, { rotationId: 'r1', stopBefore: 'refresh-tokens' });

    // Act
    const finish = finishTokenRefresh(world.ports, { issuerId: ISSUER_ID, rotationId: 'r2' });

    // Assess
    await expect(finish).rejects.toBeInstanceOf(RotationNotInFlightError);
    await expect(finish).rejects.toThrow('rotation r2 is not in flight (rotation r1 is)');
  });
});
