import { beforeAll, describe, expect, it } from 'vitest';
import { NEXT_SECRET_NAME, OPERATOR_NAMESPACE } from '#local/openshift-sim/objects.ts';
import { activeKey, findKey, publishedKeys } from '#shared/keyring/queries.ts';
import { hasDrift, maintainIssuer, prepareRotation } from '#shared/rotation/index.ts';
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
  pool = await createKeyPool(10);
});

const maintain = (world: World, publishDrift = false) =>
  maintainIssuer(world.ports, { issuerId: ISSUER_ID, publishDrift });

/** Deletes the next secret: the operator generates its own key and trusts it at once (DESIGN.md §1). */
async function deleteNextSecret(world: World): Promise<string> {
  const before = new Set(world.model.describeNodes()[0]?.trustedKids);
  await world.model.deleteSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
  const trusted = (await world.ports.cluster.readKeys()).trustedKids;
  const operatorKid = trusted.find((kid) => !before.has(kid));
  if (operatorKid === undefined) throw new Error('the operator made no key');
  return operatorKid;
}

describe('drift: the cluster signs with a key of the operator (next secret deleted)', () => {
  it('reports it as drift, publishes it with publishDrift, then reports none (NO-ORPHAN-TOKENS, ALWAYS-VALID, RECOVERABLE)', async () => {
    // Prepare: after two rollouts the cluster signs with the operator's own key.
    const world = await createWorld({ pool });
    const previousKid = activeKey(await world.keyring())?.kid;
    const operatorKid = await deleteNextSecret(world);
    world.clock.advance(600_000);

    // Act
    const found = await maintain(world);
    const repaired = await maintain(world, true);
    const after = await maintain(world);

    // Assess
    expect(found.drift).toEqual({
      unpublishedSigningKid: operatorKid,
      unpublishedTrustedKids: [operatorKid],
      removedTrustedKids: [],
    });
    expect(hasDrift(found.drift)).toBe(true);
    expect(repaired.adoptedKid).toBe(operatorKid);
    expect(hasDrift(repaired.drift)).toBe(false);
    expect(after.drift).toEqual({ unpublishedTrustedKids: [], removedTrustedKids: [] });
    const keyring = await world.keyring();
    expect(activeKey(keyring)).toMatchObject({ kid: operatorKid, origin: 'cluster' });
    expect(findKey(keyring, previousKid)?.state).toBe('retired');
    expect((await world.publisher.readPublic(ISSUER_URL)).kids).toEqual([previousKid, operatorKid]);
    await world.check();
  });

  it("tells keyturn's own removed keys that OpenShift keeps trusting apart from drift (NO-ORPHAN-TOKENS)", async () => {
    // Prepare: a rotation, then the old key's grace passes and maintenance removes it.
    const world = await createWorld({ pool });
    const oldKid = activeKey(await world.keyring())?.kid ?? '';
    await driveRotation(world, { rotationId: 'r1' });
    world.clock.advance(3601_000);
    expect((await maintain(world)).removed).toEqual([oldKid]);

    // Act
    const report = await maintain(world);

    // Assess: the cluster still trusts the old key; that is expected, not drift.
    expect((await world.ports.cluster.readKeys()).trustedKids).toContain(oldKid);
    expect(report.drift).toEqual({ unpublishedTrustedKids: [], removedTrustedKids: [oldKid] });
    expect(hasDrift(report.drift)).toBe(false);
    await world.check();
  });

  it('reports a key the cluster only trusts as drift; publishDrift publishes it ahead of its first token (PUBLISHED-BEFORE-SIGN, NO-ORPHAN-TOKENS, RECOVERABLE)', async () => {
    // Prepare: the operator's key is trusted at once, before any node signs with it.
    const world = await createWorld({ pool });
    const operatorKid = await deleteNextSecret(world);

    // Act
    const trustedOnly = await maintain(world);
    const published = await maintain(world, true);
    const publicKids = (await world.publisher.readPublic(ISSUER_URL)).kids;
    world.clock.advance(600_000);
    const signing = await maintain(world);

    // Assess
    expect(trustedOnly.drift.unpublishedSigningKid).toBeUndefined();
    expect(trustedOnly.drift.unpublishedTrustedKids).toEqual([operatorKid]);
    expect(hasDrift(trustedOnly.drift)).toBe(true);
    expect(published).toMatchObject({
      recordedTrustedKids: [operatorKid],
      drift: { unpublishedTrustedKids: [], removedTrustedKids: [] },
    });
    expect(publicKids).toContain(operatorKid);
    // When the operator signs with it, its tokens verify: keys.json already carries it.
    expect(signing.drift.unpublishedSigningKid).toBeUndefined();
    expect(hasDrift(signing.drift)).toBe(false);
    const keyring = await world.keyring();
    expect(keyring.keys.filter((key) => key.kid === operatorKid)).toHaveLength(1);
    expect(publishedKeys(keyring).map((key) => key.kid)).toContain(operatorKid);
  });
});

describe('rotations under drift', () => {
  it('refuses a manual rotation with ERR_DRIFT naming keyturn maintain --publish-drift (RECOVERABLE)', async () => {
    const world = await createWorld({ pool });
    await deleteNextSecret(world);
    world.clock.advance(600_000);

    const refused = await prepareRotation(world.ports, {
      issuerId: ISSUER_ID,
      rotationId: 'r1',
      mode: 'manual',
    }).catch((error: unknown) => error);

    expect(refused).toMatchObject({ code: 'ERR_DRIFT' });
    expect((refused as Error).message).toContain('keyturn maintain --publish-drift');
    expect((await world.keyring()).rotation).toBeUndefined();
  });

  it('never blocks an emergency: publishes the cluster key, rotates, drops the compromised key, records the drift (NO-ORPHAN-TOKENS, PUBLISHED-BEFORE-SIGN, ONE-SIGNER, ALWAYS-VALID, SEALED)', async () => {
    // Prepare: the cluster signs with the operator's key; the keyring's active key leaked.
    const world = await createWorld({ pool, policy: { leadTimeSeconds: 0 } });
    const compromisedKid = activeKey(await world.keyring())?.kid ?? '';
    const operatorKid = await deleteNextSecret(world);
    world.clock.advance(600_000);

    // Act: the whole emergency, invariants checked after every step, then maintenance.
    const newKid = await driveRotation(world, {
      rotationId: 'e1',
      mode: 'emergency',
      compromisedKid,
      leadTimeSeconds: 0,
    });

    // Assess
    const keyring = await world.keyring();
    expect(activeKey(keyring)?.kid).toBe(newKid);
    expect(keyring.lastRotation).toMatchObject({ id: 'e1', outcome: 'succeeded' });
    expect(findKey(keyring, compromisedKid)).toMatchObject({ state: 'removed' });
    expect(findKey(keyring, compromisedKid)?.compromisedAt).toBeDefined();
    expect(findKey(keyring, operatorKid)).toMatchObject({ state: 'retired', origin: 'cluster' });
    expect((await world.publisher.readPublic(ISSUER_URL)).kids).toEqual([operatorKid, newKid]);
    expect(world.model.describeNodes().every((node) => node.signingKid === newKid)).toBe(true);
    expect(world.audit).toContainEqual(
      expect.objectContaining({
        step: 'prepare',
        rotationId: 'e1',
        detail: expect.stringContaining(`drift: the cluster signs with ${operatorKid}`),
      }),
    );
    const report = await maintain(world);
    expect(hasDrift(report.drift)).toBe(false);
    expect(report.drift.removedTrustedKids).toEqual([compromisedKid]);
    await world.check();
  });
});
