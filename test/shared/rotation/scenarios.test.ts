import { beforeAll, describe, expect, it } from 'vitest';
import { NEXT_SECRET_NAME, OPERATOR_NAMESPACE } from '#local/openshift-sim/objects.ts';
import { InvariantViolationError } from '#shared/keyring/errors.ts';
import { activeKey, findKey } from '#shared/keyring/queries.ts';
import {
  confirmVisible,
  generateKey,
  maintainIssuer,
  prepareRotation,
  publishNewKey,
  pushKey,
  rollbackRotation,
  watchRollout,
} from '#shared/rotation/index.ts';
import { crashAfterSideEffects, SimulatedCrash } from './crashing-ports.ts';
import {
  createKeyPool,
  createWorld,
  driveRotation,
  ISSUER_ID,
  ISSUER_URL,
  type KeyPool,
  pollUntil,
} from './rotation-world.ts';

let pool: KeyPool;
beforeAll(async () => {
  pool = await createKeyPool(12);
});

const input = (rotationId: string) => ({ issuerId: ISSUER_ID, rotationId });

describe('two rotations for one issuer (ONE-SIGNER)', () => {
  it('lets exactly one of two racing rotations start; the other fails fast', async () => {
    // Prepare
    const world = await createWorld({ pool });

    // Act
    const outcomes = await Promise.allSettled([
      prepareRotation(world.ports, { ...input('a'), mode: 'manual' }),
      prepareRotation(world.ports, { ...input('b'), mode: 'manual' }),
    ]);

    // Assess
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((outcome) => (outcome as PromiseRejectedResult).reason.code)).toEqual([
      expect.stringMatching(/^ERR_(KEYRING_CONFLICT|ROTATION_IN_PROGRESS)$/),
    ]);
    const winner = (await world.keyring()).rotation?.id;
    const loser = winner === 'a' ? 'b' : 'a';
    await expect(prepareRotation(world.ports, { ...input(loser), mode: 'manual' })).rejects.toMatchObject({
      code: 'ERR_ROTATION_IN_PROGRESS',
    });
    await world.check();
  });

  it('joins the rotation when the same rotation id is started twice', async () => {
    const world = await createWorld({ pool });
    await prepareRotation(world.ports, { ...input('same'), mode: 'manual' });

    const again = await prepareRotation(world.ports, { ...input('same'), mode: 'manual' });

    expect(again.joined).toBe(true);
  });

  it('refuses a step for a rotation that is not in flight', async () => {
    const world = await createWorld({ pool });
    await prepareRotation(world.ports, { ...input('a'), mode: 'manual' });

    await expect(generateKey(world.ports, input('b'))).rejects.toMatchObject({
      code: 'ERR_ROTATION_NOT_IN_FLIGHT',
    });
  });
});

describe('pushing too early (PUBLISHED-BEFORE-SIGN)', () => {
  it('refuses to push before the key was visible for the lead time, and pushes after', async () => {
    // Prepare
    const world = await createWorld({ pool, policy: { leadTimeSeconds: 600 } });
    await prepareRotation(world.ports, { ...input('r'), mode: 'manual' });
    await generateKey(world.ports, input('r'));
    await publishNewKey(world.ports, input('r'));
    const visible = await confirmVisible(world.ports, input('r'));
    world.clock.advance(599_000);

    // Act
    const early = pushKey(world.ports, input('r'));

    // Assess
    await expect(early).rejects.toBeInstanceOf(InvariantViolationError);
    await expect(early).rejects.toMatchObject({ invariant: 'PUBLISHED-BEFORE-SIGN' });
    expect((await world.keyring()).keys.at(-1)?.state).toBe('published');
    world.clock.set(new Date(visible.pushNotBefore ?? ''));
    await expect(pushKey(world.ports, input('r'))).resolves.toMatchObject({ kid: visible.kid });
    await world.check();
  });

  it('waits for a CDN that has not caught up: confirm-visible says not visible, push refuses', async () => {
    const world = await createWorld({ pool, propagationMs: 30_000 });
    await prepareRotation(world.ports, { ...input('r'), mode: 'manual' });
    await generateKey(world.ports, input('r'));
    world.publisher.invalidate = async () => undefined;
    await publishNewKey(world.ports, input('r'));

    const first = await confirmVisible(world.ports, input('r'));
    const push = await pushKey(world.ports, input('r')).catch((error) => error);
    world.clock.advance(30_000);
    const later = await confirmVisible(world.ports, input('r'));

    expect(first.visible).toBe(false);
    expect(first.missing).toEqual([first.kid]);
    expect(push).toMatchObject({ invariant: 'PUBLISHED-BEFORE-SIGN' });
    expect(later.visible).toBe(true);
    await world.check();
  });
});

describe('an emergency rotation', () => {
  it('removes the compromised key from keys.json as soon as the new key is verified active', async () => {
    // Prepare
    const world = await createWorld({ pool, policy: { graceSeconds: 48 * 3600 } });
    const compromised = activeKey(await world.keyring());

    // Act
    const newKid = await driveRotation(world, {
      rotationId: 'e1',
      mode: 'emergency',
      compromisedKid: compromised?.kid,
      leadTimeSeconds: 0,
    });

    // Assess
    const keyring = await world.keyring();
    expect(findKey(keyring, compromised?.kid)).toMatchObject({ state: 'removed' });
    expect(findKey(keyring, compromised?.kid)?.compromisedAt).toBeDefined();
    expect((await world.publisher.readPublic(ISSUER_URL)).kids).toEqual([newKid]);
    expect(world.vault.refs()).not.toContain(compromised?.vaultRef);
  });

  it('refuses an emergency rotation that does not name the active key', async () => {
    const world = await createWorld({ pool });

    await expect(prepareRotation(world.ports, { ...input('e'), mode: 'emergency' })).rejects.toMatchObject({
      code: 'ERR_ROTATION_REQUEST',
    });
    await expect(
      prepareRotation(world.ports, { ...input('e'), mode: 'emergency', compromisedKid: 'not-a-key' }),
    ).rejects.toMatchObject({ code: 'ERR_ROTATION_REQUEST' });
  });
});

describe('adopting a ccoctl key', () => {
  it('starts from the cluster key as the active key and rotates away from it (PUBLISHED-BEFORE-SIGN)', async () => {
    // Prepare
    const ccoctlKey = await pool.take();
    const world = await createWorld({ pool, adopt: ccoctlKey });

    // Act
    const before = await world.keyring();
    const newKid = await driveRotation(world, { rotationId: 'r1' });

    // Assess
    expect(activeKey(before)).toMatchObject({ kid: ccoctlKey.publicKey.kid, origin: 'adopted' });
    expect(findKey(await world.keyring(), ccoctlKey.publicKey.kid)?.state).toBe('retired');
    expect(activeKey(await world.keyring())?.kid).toBe(newKid);
  });
});

describe('a rollout that never finishes', () => {
  it('rolls back: the previous key is pushed back, both stay published, the new key fails (NO-ORPHAN-TOKENS)', async () => {
    // Prepare
    const world = await createWorld({ pool, policy: { leadTimeSeconds: 0, graceSeconds: 3600 } });
    const previous = activeKey(await world.keyring());
    await prepareRotation(world.ports, { ...input('r'), mode: 'manual' });
    const { kid } = await generateKey(world.ports, input('r'));
    await publishNewKey(world.ports, input('r'));
    await confirmVisible(world.ports, input('r'));
    world.model.stickNode(world.model.describeNodes()[2]?.name ?? '');
    await pushKey(world.ports, input('r'));
    world.clock.advance(600_000);
    const stuck = await watchRollout(world.ports, input('r'));

    // Act
    const rollback = await rollbackRotation(world.ports, {
      ...input('r'),
      reason: 'rollout deadline passed',
    });
    world.model.unstickNode(world.model.describeNodes()[2]?.name ?? '');
    await pollUntil(world, async () =>
      world.model.describeNodes().every((node) => node.signingKid === previous?.kid) ? true : undefined,
    );

    // Assess
    expect(stuck.done).toBe(false);
    expect(rollback).toMatchObject({ restoredKid: previous?.kid, failedKid: kid, pushedBack: true });
    const keyring = await world.keyring();
    expect(findKey(keyring, kid)).toMatchObject({ state: 'failed', failure: 'rollout deadline passed' });
    expect(activeKey(keyring)?.kid).toBe(previous?.kid);
    expect((await world.publisher.readPublic(ISSUER_URL)).kids).toEqual([previous?.kid, kid]);
    expect(keyring.lastRotation).toMatchObject({ id: 'r', outcome: 'rolled-back' });
    await world.check();
    world.clock.advance(3601_000);
    expect((await maintainIssuer(world.ports, { issuerId: ISSUER_ID })).removed).toEqual([kid]);
    await world.check();
  });

  it('drops a failed key at once when it never reached keys.json', async () => {
    const world = await createWorld({ pool });
    await prepareRotation(world.ports, { ...input('r'), mode: 'manual' });
    const { kid } = await generateKey(world.ports, input('r'));

    await rollbackRotation(world.ports, { ...input('r'), reason: 'cancelled' });

    expect(findKey(await world.keyring(), kid)?.state).toBe('removed');
    expect((await maintainIssuer(world.ports, { issuerId: ISSUER_ID })).destroyed).toEqual([kid]);
    await world.check();
  });
});

describe('drift: someone deletes the next signing secret', () => {
  it('refuses to rotate while the cluster signs with an unpublished key, then publishes it on request', async () => {
    // Prepare: the operator generates its own key and, after two rollouts, signs with it.
    const world = await createWorld({ pool });
    await world.model.deleteSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
    world.clock.advance(600_000);
    const clusterKid = world.model.describeNodes()[0]?.signingKid ?? '';

    // Act
    const refused = await prepareRotation(world.ports, { ...input('r'), mode: 'manual' }).catch(
      (error) => error,
    );
    const report = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });
    const adopted = await maintainIssuer(world.ports, { issuerId: ISSUER_ID, publishDrift: true });

    // Assess
    expect(refused).toMatchObject({ code: 'ERR_DRIFT' });
    expect(report.drift.unpublishedSigningKid).toBe(clusterKid);
    expect(adopted.adoptedKid).toBe(clusterKid);
    expect(activeKey(await world.keyring())).toMatchObject({ kid: clusterKid, origin: 'cluster' });
    expect((await world.publisher.readPublic(ISSUER_URL)).kids).toContain(clusterKid);
    await expect(prepareRotation(world.ports, { ...input('r2'), mode: 'manual' })).resolves.toMatchObject({
      previousKid: clusterKid,
    });
  });
});

describe('regressions found by the property test', () => {
  it('records the push before making it, so a rollback after a crash mid-push restores the old key (NO-ORPHAN-TOKENS)', async () => {
    // Prepare: the cluster gets the new key, but the process dies before it could record anything more.
    const world = await createWorld({ pool, nodes: 1, policy: { leadTimeSeconds: 0 } });
    const previous = activeKey(await world.keyring());
    await prepareRotation(world.ports, { ...input('r'), mode: 'manual' });
    const { kid } = await generateKey(world.ports, input('r'));
    await publishNewKey(world.ports, input('r'));
    await confirmVisible(world.ports, input('r'));
    const crashing = crashAfterSideEffects(world.ports, 3);
    await expect(pushKey(crashing, input('r'))).rejects.toBeInstanceOf(SimulatedCrash);
    expect(crashing.performed).toEqual(['cluster.holdRotationGuard', 'store.update', 'cluster.push']);
    world.clock.advance(10_000);

    // Act
    const rollback = await rollbackRotation(world.ports, { ...input('r'), reason: 'crashed' });
    world.clock.advance(60_000);

    // Assess
    expect(rollback.pushedBack).toBe(true);
    expect(findKey(await world.keyring(), kid)?.removeAfter).not.toBe(
      findKey(await world.keyring(), kid)?.failedAt,
    );
    await maintainIssuer(world.ports, { issuerId: ISSUER_ID });
    expect((await world.publisher.readPublic(ISSUER_URL)).kids).toEqual([previous?.kid, kid]);
    await world.check();
  });

  it('keeps a key past its grace while a stuck node still signs with it, and a whole grace after (NO-ORPHAN-TOKENS)', async () => {
    // Prepare: the new key reaches the only node, the node gets stuck, the rotation is rolled back.
    const world = await createWorld({
      pool,
      nodes: 1,
      nodeRolloutSeconds: 5,
      policy: { leadTimeSeconds: 0, graceSeconds: 3600 },
    });
    await prepareRotation(world.ports, { ...input('r'), mode: 'manual' });
    const { kid } = await generateKey(world.ports, input('r'));
    await publishNewKey(world.ports, input('r'));
    await confirmVisible(world.ports, input('r'));
    await pushKey(world.ports, input('r'));
    await pollUntil(world, async () =>
      world.model.describeNodes()[0]?.signingKid === kid ? true : undefined,
    );
    world.model.stickNode(world.model.describeNodes()[0]?.name ?? '');
    await rollbackRotation(world.ports, { ...input('r'), reason: 'operator asked' });
    world.clock.advance(3601_000);

    // Act: maintenance while the stuck node signs with it (the check records that it signed then), once
    // just after the node moved on, once a grace later.
    const held = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });
    await world.check();
    world.model.unstickNode(world.model.describeNodes()[0]?.name ?? '');
    world.clock.advance(60_000);
    const kept = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });
    const keptKids = (await world.publisher.readPublic(ISSUER_URL)).kids;
    await world.check();
    world.clock.advance(3600_000);
    const released = await maintainIssuer(world.ports, { issuerId: ISSUER_ID });

    // Assess: its grace restarted when it was seen signing, so tokens the stuck node signed stay verifiable.
    expect(held.removed).toEqual([]);
    expect(world.audit).toContainEqual(
      expect.objectContaining({
        step: 'retire',
        outcome: 'skipped',
        detail: expect.stringMatching(new RegExp(`${kid}.*grace restarts`)),
      }),
    );
    expect(kept.removed).toEqual([]);
    expect(keptKids).toContain(kid);
    expect(released.removed).toEqual([kid]);
    expect(findKey(await world.keyring(), kid)?.removedAt).toBe(world.clock.now().toISOString());
    await world.check();
  });
});
