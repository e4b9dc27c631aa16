import { beforeAll, describe, expect, it } from 'vitest';
import { parseKeySet } from '#shared/issuer/index.ts';
import { activeKey, findKey, publishedKeys } from '#shared/keyring/queries.ts';
import { maintainIssuer } from '#shared/rotation/index.ts';
import { createTokenVerifier } from '#shared/tokens/index.ts';
import {
  createKeyPool,
  createWorld,
  driveRotation,
  ISSUER_ID,
  ISSUER_URL,
  type KeyPool,
} from './rotation-world.ts';

let pool: KeyPool;
beforeAll(async () => {
  pool = await createKeyPool(10);
});

describe('a scheduled rotation through every step', () => {
  it('activates the new key, retires the old one with grace, and keeps every invariant after each step', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const oldKid = activeKey(await world.keyring())?.kid;

    // Act
    const newKid = await driveRotation(world, { rotationId: 'r1', mode: 'scheduled' });

    // Assess
    const keyring = await world.keyring();
    expect(activeKey(keyring)?.kid).toBe(newKid);
    expect(findKey(keyring, oldKid)?.state).toBe('retired');
    expect(publishedKeys(keyring).map((key) => key.kid)).toEqual([oldKid, newKid]);
    expect(keyring.rotation).toBeUndefined();
    expect(keyring.lastRotation).toMatchObject({ id: 'r1', outcome: 'succeeded', newKid });
    const token = await world.ports.cluster.requestToken('sts.amazonaws.com');
    const view = await world.publisher.readPublic(ISSUER_URL);
    const verifier = createTokenVerifier({ keySet: parseKeySet(view.keySet), issuer: ISSUER_URL });
    expect((await verifier.verify(token, world.clock.now())).kid).toBe(newKid);
  });

  it('removes the retired key only after the grace period, then destroys its private key (NO-ORPHAN-TOKENS)', async () => {
    // Prepare
    const world = await createWorld({ pool, policy: { graceSeconds: 3600 } });
    const oldKey = activeKey(await world.keyring());
    await driveRotation(world, { rotationId: 'r1' });

    // Act: maintenance just before and just after the grace period
    world.clock.advance(3599 * 1000);
    const early = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });
    await world.check();
    world.clock.advance(2000);
    const late = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });
    await world.check();

    // Assess
    expect(early.removed).toEqual([]);
    expect(late.removed).toEqual([oldKey?.kid]);
    expect(late.destroyed).toEqual([oldKey?.kid]);
    expect(world.vault.refs()).not.toContain(oldKey?.vaultRef);
    expect((await world.publisher.readPublic(ISSUER_URL)).kids).not.toContain(oldKey?.kid);
  });
});
