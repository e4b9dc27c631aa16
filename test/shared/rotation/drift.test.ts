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

describe('drift: a key published from drift that starts signing later', () => {
  it('is adopted as the active key and stays published a whole grace after a rotation replaces it (NO-ORPHAN-TOKENS, ONE-SIGNER)', async () => {
    // Prepare: the operator's key is published while only trusted (retired with grace), then signs.
    const world = await createWorld({ pool, policy: { leadTimeSeconds: 0, graceSeconds: 3600 } });
    const previousKid = activeKey(await world.keyring())?.kid ?? '';
    const operatorKid = await deleteNextSecret(world);
    await maintain(world, true);
    const publishedAt = findKey(await world.keyring(), operatorKid)?.publishedAt ?? '';
    world.clock.advance(600_000);
    await world.check();
    expect(world.model.describeNodes().every((node) => node.signingKid === operatorKid)).toBe(true);

    // Act: plain maintenance notices it signs; later a rotation replaces it, after its first grace ended.
    const noticed = await maintain(world);
    const adopted = await world.keyring();
    world.clock.advance(3000_000);
    await world.check();
    const newKid = await driveRotation(world, { rotationId: 'r1', leadTimeSeconds: 0 });
    const replacedAt = findKey(await world.keyring(), operatorKid)?.retiredAt ?? '';
    world.clock.advance(3000_000);
    const inGrace = await maintain(world);
    const inGraceKids = (await world.publisher.readPublic(ISSUER_URL)).kids;
    await world.check();
    world.clock.advance(601_000);
    const afterGrace = await maintain(world);

    // Assess: adopted (one active key, the one that signs), the former active key retired with grace,
    // audited; its grace counted from when it stopped signing, not from when it was published.
    expect(noticed.adoptedKid).toBe(operatorKid);
    expect(activeKey(adopted)).toMatchObject({ kid: operatorKid, origin: 'cluster', state: 'active' });
    expect(adopted.keys.filter((key) => key.state === 'active')).toHaveLength(1);
    expect(findKey(adopted, previousKid)).toMatchObject({
      state: 'retired',
      removeAfter: expect.any(String),
    });
    expect(world.audit).toContainEqual(
      expect.objectContaining({
        step: 'adopt-drift',
        kid: operatorKid,
        outcome: 'ok',
        detail: expect.stringContaining('adopted as the active key'),
      }),
    );
    expect(Date.parse(replacedAt) - Date.parse(publishedAt)).toBeGreaterThan(3600_000);
    expect(inGrace.removed).not.toContain(operatorKid);
    expect(inGraceKids).toContain(operatorKid);
    expect(afterGrace.removed).toContain(operatorKid);
    expect(activeKey(await world.keyring())?.kid).toBe(newKid);
    await world.check();
  });

  it('restarts its grace from when it was last seen signing while a rotation is in flight (NO-ORPHAN-TOKENS)', async () => {
    // Prepare: published from drift, then a rotation starts before the operator promotes its key.
    const world = await createWorld({ pool, policy: { leadTimeSeconds: 0, graceSeconds: 3600 } });
    const operatorKid = await deleteNextSecret(world);
    await maintain(world, true);
    // The rotation was prepared just before the operator's own rollout made the cluster unstable.
    const stableCluster = {
      ...world.ports.cluster,
      readStability: async () => ({ operators: 1, unstable: [], stableSince: new Date(0) }),
    };
    await prepareRotation(
      { ...world.ports, cluster: stableCluster },
      { issuerId: ISSUER_ID, rotationId: 'r1', mode: 'manual' },
    );
    world.clock.advance(600_000);
    await world.check();

    // Act
    await maintain(world);
    const seenAt = world.clock.now().toISOString();
    const keyring = await world.keyring();

    // Assess: not adopted (ONE-SIGNER: the rotation replaces the keyring's active key), kept a grace from now.
    expect(findKey(keyring, operatorKid)).toMatchObject({
      state: 'retired',
      removeAfter: new Date(Date.parse(seenAt) + 3600_000).toISOString(),
    });
    expect(world.audit).toContainEqual(
      expect.objectContaining({
        step: 'retire',
        kid: operatorKid,
        detail: expect.stringContaining('grace restarts'),
      }),
    );
    await world.check();
  });
});

describe('drift: a key published from drift that signs unseen by maintenance', () => {
  it('stays published a grace after the rotation that replaced it, not after its publication (NO-ORPHAN-TOKENS)', async () => {
    // Prepare: published from drift, a rotation starts, the operator promotes its key, the rotation then
    // replaces it; no maintenance ran while it signed.
    const world = await createWorld({ pool, policy: { leadTimeSeconds: 0, graceSeconds: 3600 } });
    const operatorKid = await deleteNextSecret(world);
    await maintain(world, true);
    const publishedAt = Date.parse(findKey(await world.keyring(), operatorKid)?.publishedAt ?? '');
    world.clock.advance(1200_000);
    await world.check();
    expect(world.model.describeNodes().every((node) => node.signingKid === operatorKid)).toBe(true);
    const newKid = await driveRotation(world, { rotationId: 'r1', leadTimeSeconds: 0 });
    const replacedAt = Date.parse(activeKey(await world.keyring())?.activatedAt ?? '');

    // Act: once after the grace counted from its publication, once after the grace from its replacement.
    world.clock.advance(publishedAt + 3601_000 - world.clock.now().getTime());
    const early = await maintain(world);
    await world.check();
    world.clock.advance(replacedAt + 3601_000 - world.clock.now().getTime());
    const late = await maintain(world);

    // Assess
    expect(early.removed).not.toContain(operatorKid);
    expect(late.removed).toContain(operatorKid);
    expect(activeKey(await world.keyring())?.kid).toBe(newKid);
    await world.check();
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
      // --no-reboot: the operator's key keeps its grace (a reboot would let it go too; workload-tokens.test.ts).
      tokenRefresh: 'wait',
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
