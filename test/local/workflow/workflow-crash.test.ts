import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '#local/workflow/local-workflow-runner.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import { createHttpWorkflowWorld, type HttpWorkflowWorld, statesEntered } from './http-workflow-world.ts';
import type { RotationOutput } from './workflow-world.ts';

let world: HttpWorkflowWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Runs a rotation and aborts its runner the first time `state` is entered; resolves once it stopped. */
async function crashAt(current: HttpWorkflowWorld, state: string, rotationId: string): Promise<unknown> {
  const controller = new AbortController();
  const runner = current.runner({
    onEvent: (event) => {
      if (event.type === 'state-entered' && event.state === state) controller.abort();
    },
  });
  return runner.run(current.input(rotationId), { signal: controller.signal }).then(
    () => 'completed',
    (error: unknown) => error,
  );
}

/** The rotation converged: one new key, active on every node, the old one retired, invariants hold. */
async function expectConverged(current: HttpWorkflowWorld, output: unknown): Promise<void> {
  const newKid = (output as RotationOutput).generate.kid;
  const keyring = await current.keyring();
  expect(keyring.keys.map((key) => key.kid).sort()).toEqual([current.initialKid, newKid].sort());
  expect(activeKey(keyring)?.kid).toBe(newKid);
  expect(keyring.rotation).toBeUndefined();
  expect(keyring.keys.find((key) => key.kid === current.initialKid)?.state).toBe('retired');
  expect(await current.publicKids()).toEqual(expect.arrayContaining([current.initialKid, newKid]));
  expect(new Set(current.simulator.model.describeNodes().map((node) => node.signingKid))).toEqual(
    new Set([newKid]),
  );
  expect(await current.violations()).toEqual([]);
}

describe('the rotation workflow after a crash of the local runner (RETRY-SAFE)', () => {
  for (const state of ['WaitForLeadTime', 'WatchRollout', 'Verify']) {
    it(`converges when the runner dies on entering ${state} and a new runner reruns the same rotation`, async () => {
      // Prepare: a rotation interrupted half-way.
      world = await createHttpWorkflowWorld();
      const current = world;
      const rotationId = `r-crash-${state.toLowerCase()}`;
      const crashed = await crashAt(current, state, rotationId);
      expect(crashed).toBeInstanceOf(WorkflowFailedError);
      expect((crashed as WorkflowFailedError).error).toBe('ExecutionAbortedError');
      const interrupted = await current.keyring();
      expect(interrupted.rotation?.id).toBe(rotationId);
      expect(await current.violations()).toEqual([]);
      current.events.length = 0;

      // Act: a new runner, the same input.
      const output = await current.runner().run(current.input(rotationId));

      // Assess: prepare joined the rotation in flight; exactly one new key.
      expect(statesEntered(current.events)).toContain('Rotated');
      expect(statesEntered(current.events)).not.toContain('RotationAlreadyInFlight');
      await expectConverged(current, output);
    });
  }
});

describe('two rotations started at once for one issuer (ONE-SIGNER)', () => {
  it('lets exactly one win; the other fails with RotationAlreadyInFlight and changes nothing', async () => {
    world = await createHttpWorkflowWorld();
    const current = world;

    const results = await Promise.allSettled([
      current.runner().run(current.input('r-first')),
      current.runner().run(current.input('r-second')),
    ]);

    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const failure = (lost[0] as PromiseRejectedResult).reason as WorkflowFailedError;
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(failure.error).toBe('RotationInProgress');
    expect(failure.state).toBe('RotationAlreadyInFlight');
    await expectConverged(current, (won[0] as PromiseFulfilledResult<unknown>).value);
  });
});

describe('an emergency rotation over HTTP', () => {
  it('replaces the compromised key and removes it from keys.json once the new key is verified', async () => {
    world = await createHttpWorkflowWorld();
    const current = world;

    const output = (await current
      .runner()
      .run(
        current.input('r-emergency', { mode: 'emergency', compromisedKid: current.initialKid }),
      )) as RotationOutput;

    const newKid = output.generate.kid;
    const keyring = await current.keyring();
    expect(activeKey(keyring)?.kid).toBe(newKid);
    expect(keyring.rotation).toBeUndefined();
    expect(output.maintain?.removed).toEqual([current.initialKid]);
    expect(await current.publicKids()).toEqual([newKid]);
    expect(new Set(current.simulator.model.describeNodes().map((node) => node.signingKid))).toEqual(
      new Set([newKid]),
    );
    // NO-ORPHAN-TOKENS deliberately yields for the compromised key; everything else must hold.
    const violations = await current.violations();
    expect(violations.filter((violation) => violation.invariant !== 'NO-ORPHAN-TOKENS')).toEqual([]);
  });
});
