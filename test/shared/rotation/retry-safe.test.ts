import { beforeAll, describe, expect, it } from 'vitest';
import { activeKey, publishedKeys } from '#shared/keyring/queries.ts';
import type { RotationPorts } from '#shared/ports.ts';
import { crashAfterSideEffects, SimulatedCrash } from './crashing-ports.ts';
import {
  createKeyPool,
  createWorld,
  driveRotation,
  type KeyPool,
  type StepRunner,
  type World,
} from './rotation-world.ts';

let pool: KeyPool;
let sideEffects: string[];

/** A runner whose steps go through crashing ports; after the crash, the step is re-run on clean ports. */
function crashingRunner(world: World, crashAt: number): StepRunner & { crashed: () => boolean } {
  const crashing: RotationPorts & { performed: string[] } = crashAfterSideEffects(world.ports, crashAt);
  let crashed = false;
  const runner = async <T>(step: (ports: RotationPorts) => Promise<T>): Promise<T> => {
    try {
      return await step(crashed ? world.ports : crashing);
    } catch (error) {
      if (!(error instanceof SimulatedCrash)) throw error;
      crashed = true;
      await world.check();
      return step(world.ports);
    }
  };
  return Object.assign(runner, { crashed: () => crashed });
}

beforeAll(async () => {
  pool = await createKeyPool(6);
  const world = await createWorld({ pool });
  const counting = crashAfterSideEffects(world.ports, 0);
  await driveRotation(world, { rotationId: 'count', run: (step) => step(counting) });
  sideEffects = counting.performed;
});

describe('a rotation that crashes after a side effect and re-runs the step (RETRY-SAFE)', () => {
  it('has side effects to crash after', () => {
    expect(sideEffects).toContain('cluster.push');
    expect(sideEffects).toContain('vault.generate');
    expect(sideEffects.length).toBeGreaterThan(6);
  });

  it('converges to the same outcome whichever side effect the crash follows', async () => {
    for (let crashAt = 1; crashAt <= sideEffects.length; crashAt += 1) {
      // Prepare
      const world = await createWorld({ pool });
      const oldKid = activeKey(await world.keyring())?.kid;
      const runner = crashingRunner(world, crashAt);

      // Act
      const newKid = await driveRotation(world, { rotationId: `crash-${crashAt}`, run: runner });

      // Assess: one key generated for the rotation, the new one active, both published, every invariant held throughout.
      const keyring = await world.keyring();
      expect(runner.crashed(), `crash after ${sideEffects[crashAt - 1]}`).toBe(true);
      expect(world.vault.generatedCount()).toBe(2); // the issuer's first key and this rotation's key
      expect(activeKey(keyring)?.kid).toBe(newKid);
      expect(publishedKeys(keyring).map((key) => key.kid)).toEqual([oldKid, newKid]);
      expect(keyring.keys).toHaveLength(2);
      await world.check();
    }
  });
});
