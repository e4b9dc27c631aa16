import { afterEach, describe, expect, it } from 'vitest';
import { loadWorkflowDefinition } from '#infra/workflows/index.ts';
import { type WorkflowEvent, WorkflowFailedError } from '#local/workflow/local-workflow-runner.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import { createHttpWorkflowWorld, type HttpWorkflowWorld, statesEntered } from './http-workflow-world.ts';
import type { RotationOutput } from './workflow-world.ts';

let world: HttpWorkflowWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Calls `act` the first time `state` is entered. */
function onFirstEntry(state: string, act: () => void): (event: WorkflowEvent) => void {
  let done = false;
  return (event) => {
    if (!done && event.type === 'state-entered' && event.state === state) {
      done = true;
      act();
    }
  };
}

/** Runs a rotation that must succeed, then checks the outcome and every invariant over HTTP. */
async function expectRotated(current: HttpWorkflowWorld, output: unknown): Promise<void> {
  const newKid = (output as RotationOutput).generate.kid;
  const keyring = await current.keyring();
  expect(activeKey(keyring)?.kid).toBe(newKid);
  expect(keyring.rotation).toBeUndefined();
  expect(keyring.keys.find((key) => key.kid === current.initialKid)?.state).toBe('retired');
  expect(await current.publicKids()).toEqual(expect.arrayContaining([current.initialKid, newKid]));
  expect(current.simulator.model.describeNodes().map((node) => node.signingKid)).toEqual([
    newKid,
    newKid,
    newKid,
  ]);
  expect(await current.violations()).toEqual([]);
}

describe('the rotation workflow against the HTTPS OpenShift simulator under injected faults', () => {
  it('rotates despite two 500s on the push: Retry on ClusterApiCallError absorbs them', async () => {
    world = await createHttpWorkflowWorld();
    const current = world;
    const runner = current.runner({
      onEvent: onFirstEntry('Push', () => current.simulator.model.faults.failNextCalls(2, 'InternalError')),
    });

    const output = await runner.run(current.input('r-500'));

    await expectRotated(current, output);
    expect(current.events.some((event) => event.type === 'state-retried' && event.state === 'Push')).toBe(
      true,
    );
  });

  it('rotates despite 409 conflicts during the push and the rollout watch', async () => {
    world = await createHttpWorkflowWorld();
    const current = world;
    const conflicts = (event: WorkflowEvent) => {
      if (event.type === 'state-entered' && (event.state === 'Push' || event.state === 'WatchRollout')) {
        current.simulator.model.faults.failNextCalls(1, 'Conflict');
      }
    };
    const output = await current.runner({ onEvent: conflicts }).run(current.input('r-409'));

    await expectRotated(current, output);
    const retried = current.events.filter((event) => event.type === 'state-retried');
    expect(retried.length).toBeGreaterThan(0);
  });

  it('rotates despite a slow API (every call delayed 75 ms) and a throttled call', async () => {
    world = await createHttpWorkflowWorld();
    const current = world;
    current.simulator.model.faults.setApiDelay(75);
    const runner = current.runner({
      onEvent: onFirstEntry('WatchRollout', () =>
        current.simulator.model.faults.failNextCalls(1, 'TooManyRequests'),
      ),
    });

    const output = await runner.run(current.input('r-slow'));

    await expectRotated(current, output);
  });

  it('rolls back when the credential expires during the rollout and is renewed before the rollback', async () => {
    world = await createHttpWorkflowWorld({ nodeRolloutSeconds: 1 });
    const current = world;
    const credential = (event: WorkflowEvent) => {
      if (event.type !== 'state-entered') return;
      if (event.state === 'WatchRollout') current.simulator.expireCredential(true);
      if (event.state === 'Rollback') current.simulator.expireCredential(false);
    };

    const failure = await current
      .runner({ onEvent: credential })
      .run(current.input('r-expired'))
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const failed = failure as WorkflowFailedError;
    expect(failed.error).toBe('RotationRolledBack');
    expect(failed.reason?.Error).toBe('ClusterApiCallError');
    expect(String(failed.reason?.Cause)).toMatch(/401|credential|Unauthorized/i);
    const keyring = await current.keyring();
    expect(activeKey(keyring)?.kid).toBe(current.initialKid);
    expect(keyring.rotation).toBeUndefined();
    const newKey = keyring.keys.find((key) => key.kid !== current.initialKid);
    expect(newKey?.state).toBe('failed');
    // Both keys stay published: tokens the new key may have signed still verify (NO-ORPHAN-TOKENS).
    expect(await current.publicKids()).toEqual(expect.arrayContaining([current.initialKid, newKey?.kid]));
    // The previous key is pushed back and signs again on every node.
    await waitFor(() =>
      current.simulator.model.describeNodes().every((node) => node.signingKid === current.initialKid),
    );
    expect(await current.violations()).toEqual([]);
  });

  it('fails clearly when the credential stays expired: Rollback gives up into Fail RollbackFailed, the keyring stays consistent (RECOVERABLE)', async () => {
    world = await createHttpWorkflowWorld({ nodeRolloutSeconds: 1 });
    const current = world;
    const runner = current.runner({
      onEvent: onFirstEntry('WatchRollout', () => current.simulator.expireCredential(true)),
    });

    const failure = await runner.run(current.input('r-expired-for-good')).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const failed = failure as WorkflowFailedError;
    expect(failed.error).toBe('RollbackFailed');
    expect(failed.state).toBe('RollbackFailed');
    expect(failed.failedCode).toBe('ERR_CLUSTER_UNAUTHORIZED');
    expect(failed.message).toContain('run the same command again to resume it, or add --abort to end it');
    const keyring = await current.keyring();
    // Nothing was activated; both keys stay published, and the invariants hold.
    expect(activeKey(keyring)?.kid).toBe(current.initialKid);
    const newKid = keyring.keys.find((key) => key.kid !== current.initialKid)?.kid;
    expect(await current.publicKids()).toEqual(expect.arrayContaining([current.initialKid, newKid]));
    expect(await current.violations()).toEqual([]);

    // Once the credential is renewed, the same rotation run again converges (RETRY-SAFE).
    current.simulator.expireCredential(false);
    const output = await current.runner().run(current.input('r-expired-for-good'));
    expect((output as RotationOutput).generate.kid).toBe(newKid);
    await expectRotated(current, output);
  });

  it('rolls back a stuck node at the rollout deadline → Fail RotationRolledBack', async () => {
    world = await createHttpWorkflowWorld();
    const current = world;
    current.simulator.model.stickNode('master-0');
    const definition = withRolloutPollBound(5);

    const failure = await current
      .runner({ definition })
      .run(current.input('r-stuck'))
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const failed = failure as WorkflowFailedError;
    expect(failed.error).toBe('RotationRolledBack');
    expect(failed.reason?.Error).toBe('RolloutDeadlineExceeded');
    expect(statesEntered(current.events)).toEqual(
      expect.arrayContaining(['WatchRollout', 'RolloutDeadlineExceeded', 'Rollback']),
    );
    const keyring = await current.keyring();
    expect(activeKey(keyring)?.kid).toBe(current.initialKid);
    expect(keyring.rotation).toBeUndefined();
    const newKey = keyring.keys.find((key) => key.kid !== current.initialKid);
    expect(newKey?.state).toBe('failed');
    expect(await current.publicKids()).toEqual(expect.arrayContaining([current.initialKid, newKey?.kid]));
    expect(await current.violations()).toEqual([]);
  });
});

/** The rotation definition with the rollout deadline lowered to `polls` polls. */
function withRolloutPollBound(polls: number): Record<string, unknown> {
  const definition = loadWorkflowDefinition('rotation');
  const states = definition.States as Record<string, { Choices?: Record<string, unknown>[] }>;
  const choice = states.IsRolledOut?.Choices?.find(
    (rule) => rule.Variable === '$.rolloutPolls.count' && 'NumericGreaterThanEquals' in rule,
  );
  if (choice === undefined) throw new Error('IsRolledOut has no poll bound');
  choice.NumericGreaterThanEquals = polls;
  return definition;
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
