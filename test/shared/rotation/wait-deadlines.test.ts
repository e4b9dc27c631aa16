import { beforeAll, describe, expect, it } from 'vitest';
import type { RotationPorts } from '#shared/ports.ts';
import { awaitStability, refreshTokens } from '#shared/rotation/index.ts';
import {
  createKeyPool,
  createWorld,
  driveRotation,
  ISSUER_ID,
  ISSUER_URL,
  type KeyPool,
  type World,
} from './rotation-world.ts';

const INPUT = { issuerId: ISSUER_ID, rotationId: 'r1' };
/** The workflow's poll interval between two stability or reboot polls. */
const POLL_MS = 30_000;

let pool: KeyPool;

beforeAll(async () => {
  pool = await createKeyPool(4);
});

/** Polls `step` 30 s apart, as the workflow does, until it throws; returns the error and the polls made. */
async function pollUntilThrows(
  world: World,
  step: () => Promise<unknown>,
): Promise<{ error: unknown; polls: number }> {
  for (let polls = 1; polls <= 1000; polls += 1) {
    try {
      await step();
    } catch (error) {
      return { error, polls };
    }
    world.clock.advance(POLL_MS);
  }
  throw new Error('the deadline never passed');
}

describe('the stability wait after the rollout', () => {
  it('fails safe past its deadline: both keys stay published, the keyring records why, the message names what is unstable and what goes on (RECOVERABLE, NO-ORPHAN-TOKENS)', async () => {
    // Prepare: the rollout is done, then an operator degrades and stays so.
    const world = await createWorld({ pool, policy: { stabilityTimeoutSeconds: 600 } });
    const newKid = await driveRotation(world, { rotationId: 'r1', stopBefore: 'await-stability' });
    world.model.setOperatorDegraded('authentication', true);

    // Act
    const { error, polls } = await pollUntilThrows(world, () => awaitStability(world.ports, INPUT));

    // Assess
    expect(polls).toBeGreaterThan(600 / 30);
    expect(error).toMatchObject({
      code: 'ERR_CLUSTER_UNSTABLE',
      message: expect.stringMatching(
        /not stable within 600 s after the signer rollout: authentication Degraded=True.*keyturn rotate --issuer cluster-a.*--abort/,
      ),
    });
    const keyring = await world.keyring();
    expect(keyring.rotation).toMatchObject({ id: 'r1', stoppedAt: expect.any(String) });
    expect(keyring.rotation?.stopReason).toContain('authentication Degraded=True');
    expect((await world.publisher.readPublic(ISSUER_URL)).kids).toEqual([keyring.keys[0]?.kid, newKid]);
    expect(world.audit.at(-1)).toMatchObject({ step: 'await-stability', outcome: 'failed' });
    await world.check();

    // Act: the cluster is fixed; the same command resumes the rotation.
    world.model.setOperatorDegraded('authentication', false);
    await driveRotation(world, { rotationId: 'r1' });

    // Assess
    const after = await world.keyring();
    expect(after.lastRotation).toMatchObject({ id: 'r1', outcome: 'succeeded', newKid });
    await world.check();
  });

  it('waits out the stable period before it says stable, and a retried poll writes nothing (RETRY-SAFE)', async () => {
    // Prepare
    const world = await createWorld({ pool, policy: { stablePeriodSeconds: 120 } });
    await driveRotation(world, { rotationId: 'r1', stopBefore: 'await-stability' });

    // Act
    const first = await awaitStability(world.ports, INPUT);
    const before = JSON.stringify(await world.keyring());
    const retried = await awaitStability(world.ports, INPUT);
    const afterRetry = JSON.stringify(await world.keyring());
    world.clock.advance(121_000);
    const later = await awaitStability(world.ports, INPUT);

    // Assess
    expect(first.stable).toBe(false);
    expect(retried).toEqual(first);
    expect(afterRetry).toBe(before);
    expect(later.stable).toBe(true);
    expect((await world.keyring()).rotation?.waitStartedAt).toBeUndefined();
  });
});

describe('the reboot wait of the token refresh phase', () => {
  it('fails safe past its deadline naming the nodes still to reboot; the old key keeps its grace (RECOVERABLE, NO-ORPHAN-TOKENS)', async () => {
    // Prepare: activated with tokenRefresh reboot; the worker nodes never come back.
    const world = await createWorld({ pool, policy: { tokenRefresh: 'reboot', rebootTimeoutSeconds: 900 } });
    const oldKid = (await world.keyring()).keys[0]?.kid ?? '';
    await driveRotation(world, { rotationId: 'r1', stopBefore: 'refresh-tokens' });
    const stuck: RotationPorts = {
      ...world.ports,
      cluster: {
        ...world.ports.cluster,
        rebootProgress: async () => ({ nodesRebooted: 0, nodesTotal: 2, pending: ['worker-0', 'worker-1'] }),
      },
    };

    // Act
    const { error } = await pollUntilThrows(world, () => refreshTokens(stuck, INPUT));

    // Assess
    expect(error).toMatchObject({
      code: 'ERR_NODES_NOT_REBOOTED',
      message: expect.stringMatching(/within 900 s .*still to reboot: worker-0, worker-1.*--abort/),
    });
    const keyring = await world.keyring();
    expect(keyring.rotation?.stopReason).toContain('worker 0/2 rebooted');
    expect(keyring.keys.find((key) => key.kid === oldKid)).toMatchObject({ state: 'retired' });
    expect((await world.publisher.readPublic(ISSUER_URL)).kids).toContain(oldKid);
    await world.check();
  });

  it('asks each pool for one reboot only, however often it is retried (RETRY-SAFE)', async () => {
    // Prepare
    const world = await createWorld({ pool, policy: { tokenRefresh: 'reboot' } });
    await driveRotation(world, { rotationId: 'r1', stopBefore: 'refresh-tokens' });
    const worker = (await world.ports.cluster.readPoolReboot('worker')).rebootNumber;

    // Act
    for (let retry = 0; retry < 5; retry += 1) await refreshTokens(world.ports, INPUT);

    // Assess
    expect((await world.ports.cluster.readPoolReboot('worker')).rebootNumber).toBe(worker + 1);
    expect((await world.keyring()).rotation?.rebootTargets?.worker).toBe(worker + 1);
  });
});
