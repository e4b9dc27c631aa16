import { beforeAll, describe, expect, it } from 'vitest';
import { prepareRotation } from '#shared/rotation/index.ts';
import { MAX_LEAD_TIME_SECONDS } from '#shared/rotation/lead-time-bound.ts';
import { createKeyPool, createWorld, ISSUER_ID, type KeyPool } from './rotation-world.ts';

let pool: KeyPool;
beforeAll(async () => {
  pool = await createKeyPool(2);
});

describe('the lead time a rotation can wait out (RECOVERABLE)', () => {
  it('refuses a longer lead time before anything is written, naming the bound', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const before = await world.keyring();

    // Act
    const refused = await prepareRotation(world.ports, {
      issuerId: ISSUER_ID,
      rotationId: 'r1',
      mode: 'manual',
      leadTimeSeconds: MAX_LEAD_TIME_SECONDS + 1,
    }).catch((error: unknown) => error);

    // Assess
    expect(refused).toMatchObject({ code: 'ERR_ROTATION_REQUEST' });
    expect((refused as Error).message).toContain(
      `longer than one rotation can wait (${MAX_LEAD_TIME_SECONDS} s, 3 h`,
    );
    expect(await world.keyring()).toEqual(before);
  });

  it('accepts the bound itself', async () => {
    // Prepare
    const world = await createWorld({ pool });

    // Act
    const prepared = await prepareRotation(world.ports, {
      issuerId: ISSUER_ID,
      rotationId: 'r1',
      mode: 'manual',
      leadTimeSeconds: MAX_LEAD_TIME_SECONDS,
    });

    // Assess
    expect(prepared.leadTimeSeconds).toBe(MAX_LEAD_TIME_SECONDS);
  });
});
