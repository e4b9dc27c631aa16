import { beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '#local/workflow/local-workflow-runner.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import { createKeyPool, type KeyPool } from '#test/shared/rotation/rotation-world.ts';
import { createWorkflowWorld, ISSUER_ID, type RotationOutput, timeIn } from './workflow-world.ts';

let pool: KeyPool;
beforeAll(async () => {
  pool = await createKeyPool(6);
});

const rotationInput = (rotationId: string, extra: Record<string, unknown> = {}) => ({
  issuerId: ISSUER_ID,
  rotationId,
  mode: 'manual',
  leadTimeSeconds: 1,
  ...extra,
});

describe('the rotation workflow, run locally from infra/workflows/rotation.asl.json', () => {
  it('rotates: the new key is active after an honest 1 s lead time, and every invariant holds', async () => {
    const world = await createWorkflowWorld({ pool });
    const previousKid = activeKey(await world.keyring())?.kid;
    const started = Date.now();
    const output = (await world.rotation.run(rotationInput('r-happy'))) as RotationOutput;

    const keyring = await world.keyring();
    const newKid = output.generate.kid as string;
    expect(newKid).not.toBe(previousKid);
    expect(activeKey(keyring)?.kid).toBe(newKid);
    expect(keyring.rotation).toBeUndefined();
    expect(keyring.keys.find((key) => key.kid === previousKid)?.state).toBe('retired');
    expect(output.activate).toMatchObject({ kid: newKid, retiredKid: previousKid });
    expect(output.maintain).toBeUndefined();
    expect(await world.publicKids()).toEqual(expect.arrayContaining([newKid, previousKid]));
    expect(await world.violations()).toEqual([]);

    // PUBLISHED-BEFORE-SIGN: the push came after pushNotBefore = visibleAt + 1 s, by a real timer.
    const newKey = keyring.keys.find((key) => key.kid === newKid);
    expect(Date.parse(newKey?.promotedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(output.confirm.pushNotBefore),
    );
    expect(Date.parse(output.confirm.pushNotBefore) - Date.parse(output.confirm.visibleAt)).toBe(1000);
    const leadWait = timeIn(world.events, 'WaitForLeadTime') ?? 0;
    expect(leadWait).toBeGreaterThanOrEqual(900);
    expect(leadWait).toBeLessThan(1500);
    // Poll waits are scaled: the whole run is the lead time plus a little.
    expect(Date.now() - started).toBeLessThan(5000);
    const entered = world.events
      .filter((event) => event.type === 'state-entered')
      .map((event) => event.state);
    expect(entered).toEqual(
      expect.arrayContaining([
        'Prepare',
        'Generate',
        'Publish',
        'ConfirmVisible',
        'Push',
        'WatchRollout',
        'Verify',
        'Activate',
        'Rotated',
      ]),
    );
    // The workflow state carries ids, kids and timestamps only (SEALED).
    expect(JSON.stringify(output)).not.toMatch(/PRIVATE KEY|"d":/);
  });

  it('rolls back when a node is stuck: rollout deadline → Rollback → Fail RotationRolledBack', async () => {
    const world = await createWorkflowWorld({ pool });
    const previousKid = activeKey(await world.keyring())?.kid;
    world.model.stickNode('master-0');

    const failure = await world.rotation.run(rotationInput('r-stuck')).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const failed = failure as WorkflowFailedError;
    expect(failed.error).toBe('RotationRolledBack');
    expect(failed.state).toBe('RotationRolledBack');
    expect(failed.reason?.Error).toBe('RolloutDeadlineExceeded');
    const keyring = await world.keyring();
    expect(activeKey(keyring)?.kid).toBe(previousKid);
    expect(keyring.rotation).toBeUndefined();
    const newKey = keyring.keys.find((key) => key.rotationId === 'r-stuck');
    expect(newKey?.state).toBe('failed');
    expect(await world.publicKids()).toEqual(expect.arrayContaining([previousKid, newKey?.kid]));
    expect(
      world.events.filter((event) => event.state === 'WatchRollout' && event.type === 'state-entered'),
    ).toHaveLength(181);
    expect(await world.violations()).toEqual([]);
  });

  it('fails a second rotation of the same issuer fast while one is in flight (ONE-SIGNER)', async () => {
    const world = await createWorkflowWorld({ pool });
    const first = world.rotation.run(rotationInput('r-first'));
    // Wait until the first one is in its lead time.
    while (
      !world.events.some((event) => event.type === 'state-entered' && event.state === 'WaitForLeadTime')
    ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const started = Date.now();
    const second = await world.rotation.run(rotationInput('r-second')).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(500);
    expect(second).toBeInstanceOf(WorkflowFailedError);
    expect((second as WorkflowFailedError).error).toBe('RotationInProgress');
    expect((second as WorkflowFailedError).state).toBe('RotationAlreadyInFlight');

    const output = (await first) as RotationOutput;
    expect(activeKey(await world.keyring())?.kid).toBe(output.generate.kid);
    expect((await world.keyring()).keys.some((key) => key.rotationId === 'r-second')).toBe(false);
    expect(await world.violations()).toEqual([]);
  });

  it('replaces a compromised key in an emergency rotation and removes it from keys.json at once', async () => {
    const world = await createWorkflowWorld({ pool });
    const compromisedKid = activeKey(await world.keyring())?.kid ?? '';
    const output = (await world.rotation.run(
      rotationInput('r-emergency', { mode: 'emergency', compromisedKid }),
    )) as RotationOutput;

    const keyring = await world.keyring();
    expect(activeKey(keyring)?.kid).toBe(output.generate.kid);
    expect(output.maintain?.removed).toEqual([compromisedKid]);
    expect(output.maintain?.destroyed).toEqual([compromisedKid]);
    expect(keyring.keys.find((key) => key.kid === compromisedKid)?.state).toBe('removed');
    expect(await world.publicKids()).toEqual([output.generate.kid]);
    expect(await world.violations()).toEqual([]);
    // The one workflow ran the token refresh phase first: every node rebooted before the key went.
    const refreshed = output as RotationOutput & {
      refresh?: { done: boolean; progress: string };
      finish?: { retiredKid?: string };
    };
    expect(refreshed.refresh).toMatchObject({
      done: true,
      progress: expect.stringMatching(/^worker \d+\/\d+ rebooted, master \d+\/\d+ rebooted$/),
    });
    expect(refreshed.finish?.retiredKid).toBe(compromisedKid);
    expect(keyring.keys.find((key) => key.kid === compromisedKid)?.tokensRefreshedAt).toEqual(
      expect.any(String),
    );
  });

  it('drops the compromised key right after activation with tokenRefresh wait (--no-reboot), skipping the refresh phase', async () => {
    const world = await createWorkflowWorld({ pool });
    const compromisedKid = activeKey(await world.keyring())?.kid ?? '';
    const output = (await world.rotation.run(
      rotationInput('r-no-reboot', { mode: 'emergency', compromisedKid, tokenRefresh: 'wait' }),
    )) as RotationOutput & { refresh?: unknown };

    expect(output.refresh).toBeUndefined();
    expect(output.maintain?.removed).toEqual([compromisedKid]);
    expect(await world.publicKids()).toEqual([output.generate.kid]);
  });

  it('refuses a bad emergency request at Prepare, names the state and error, and locks nothing', async () => {
    const world = await createWorkflowWorld({ pool });
    const failure = (await world.rotation
      .run(rotationInput('r-bad', { mode: 'emergency', compromisedKid: 'not-the-active-kid' }))
      .catch((error: unknown) => error)) as WorkflowFailedError;
    // Prepare refuses (RotationRequestError is not retried nor caught there): nothing was locked.
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(failure.error).toBe('RotationRequestError');
    expect(failure.state).toBe('Prepare');
    expect((await world.keyring()).rotation).toBeUndefined();
  });
});
