import { beforeAll, describe, expect, it } from 'vitest';
import { activeKey } from '#shared/keyring/queries.ts';
import type { RotationPorts } from '#shared/ports.ts';
import { maintainIssuer } from '#shared/rotation/index.ts';
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
  pool = await createKeyPool(4);
});

/** The world's ports with a publisher whose public reads answer `readPublic` instead. */
function withPublicRead(world: World, readPublic: RotationPorts['publisher']['readPublic']): RotationPorts {
  return { ...world.ports, publisher: { ...world.ports.publisher, readPublic } };
}

describe('maintainIssuer: the issuer health it reports', () => {
  it('reports a reachable public JWKS and the active key age since its activation', async () => {
    // Prepare
    const world = await createWorld({ pool });
    await driveRotation(world, { rotationId: 'r1' });
    const activatedAt = Date.parse(activeKey(await world.keyring())?.activatedAt ?? '');
    world.clock.advance(600_000);

    // Act
    const result = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });

    // Assess
    expect(result).toMatchObject({ publicJwksReachable: true, republished: false });
    expect(result).not.toHaveProperty('publicJwksError');
    expect(result.activeKeyAgeSeconds).toBe((world.clock.now().getTime() - activatedAt) / 1000);
  });

  it('counts the age of a key never activated by a rotation from its generation', async () => {
    // Prepare: the initial key of a new issuer has no activatedAt.
    const world = await createWorld({ pool });
    const generatedAt = Date.parse(activeKey(await world.keyring())?.generatedAt ?? '');

    // Act
    const result = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });

    // Assess
    expect(result.activeKeyAgeSeconds).toBe(Math.round((world.clock.now().getTime() - generatedAt) / 1000));
  });
});

describe('maintainIssuer: an unreadable public JWKS', () => {
  it('reports it instead of failing, republishes from the keyring and keeps every invariant (ALWAYS-VALID)', async () => {
    // Prepare
    const world = await createWorld({ pool });
    await driveRotation(world, { rotationId: 'r1' });
    world.publisher.setUnreachable(true);

    // Act
    const result = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });

    // Assess
    expect(result).toMatchObject({
      publicJwksReachable: false,
      publicJwksError: 'ERR_ISSUER_FETCH',
      republished: true,
      removed: [],
    });
    expect(world.audit).toContainEqual(
      expect.objectContaining({ step: 'read-public', outcome: 'failed', issuerId: ISSUER_ID }),
    );
    world.publisher.setUnreachable(false);
    const kids = (await world.publisher.readPublic(ISSUER_URL)).kids;
    expect(kids).toEqual((await world.keyring()).keys.map((key) => key.kid));
    await world.check();
  });

  it('still removes only keys past their grace when the public view is unknown (NO-ORPHAN-TOKENS)', async () => {
    // Prepare
    const world = await createWorld({ pool, policy: { graceSeconds: 3600 } });
    const oldKid = activeKey(await world.keyring())?.kid;
    await driveRotation(world, { rotationId: 'r1' });
    world.publisher.setUnreachable(true);

    // Act: once inside the grace, once after it.
    const early = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });
    await world.check();
    world.clock.advance(3601_000);
    const late = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });

    // Assess
    expect(early).toMatchObject({ removed: [], publicJwksReachable: false });
    expect(late).toMatchObject({ removed: [oldKid], destroyed: [oldKid], publicJwksReachable: false });
    world.publisher.setUnreachable(false);
    await world.check();
  });

  it('treats a public keys.json that is no valid key set as unreadable and replaces it', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const ports = withPublicRead(world, async () => ({ kids: [], keySet: '{"keys": "none"}' }));

    // Act
    const result = await maintainIssuer(ports, { issuerId: ISSUER_ID });

    // Assess
    expect(result).toMatchObject({ publicJwksReachable: false, republished: true });
    expect(result.publicJwksError).toMatch(/^ERR_/);
    await world.check();
  });

  it('rejects an error that is not keyturn own (a bug) instead of reporting it as unreachable', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const bug = new TypeError('undefined is not a function');
    const ports = withPublicRead(world, async () => {
      throw bug;
    });

    // Act
    const error = await maintainIssuer(ports, { issuerId: ISSUER_ID }).catch((e: unknown) => e);

    // Assess
    expect(error).toBe(bug);
  });
});
