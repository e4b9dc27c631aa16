import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Keyring, Rotation } from '#shared/keyring/keyring.ts';
import { abortHistory, failedAbortHistory, successfulRotation } from '#test/fakes/aws/rotation-history.ts';
import { KEYS, keyRecord, keyringWith } from '#test/shared/keyring/keyring-fixture.ts';
import { type AwsWorld, createAwsWorld, STACK } from './aws-world.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const MACHINE = 'arn:aws:states:eu-west-1:111122223333:execution:KeyturnRotation';
/** A rotation stopped after ConfirmVisible: the new key is public, never pushed. */
const IN_FLIGHT: Rotation = {
  id: 'r1',
  mode: 'manual',
  startedAt: '2026-03-01T11:00:00.000Z',
  leadTimeSeconds: 600,
  previousKid: KEYS.old.kid,
  newKid: KEYS.new.kid,
};

/** The keyring of issuer `demo` with rotation r1 in flight (or as `change` says). */
function keyringInFlight(change: Partial<Keyring> = {}): Keyring {
  return keyringWith(
    [
      keyRecord('old'),
      keyRecord('new', { state: 'published', visibleAt: '2026-03-01T11:01:00.000Z', rotationId: 'r1' }),
    ],
    { issuerId: 'demo', issuerUrl: `${STACK.issuerBaseUrl}/demo`, rotation: IN_FLIGHT, ...change },
  );
}

describe('keyturn rotate in AWS, resumed and aborted (RECOVERABLE)', () => {
  let world: AwsWorld;
  let directory: { path: string; remove: () => Promise<void> };

  const putKeyring = (keyring: Keyring) => world.putKeyring(keyring);
  const keyturn = (args: readonly string[]) =>
    runKeyturn(args, { cwd: directory.path, sleep: async () => void world.sfn.advance() });
  const started = () =>
    world.sfn.calls
      .filter((call) => call.command === 'StartExecutionCommand')
      .map((call) => ({ name: call.input.name, input: JSON.parse(String(call.input.input)) }));
  const execution = (name: string) => world.sfn.executions.find((candidate) => candidate.name === name);
  /** Starts execution demo--r1 following `script`, as an earlier `keyturn rotate --no-follow` leaves it. */
  const startedEarlier = async (script: Parameters<AwsWorld['sfn']['setScript']>[1]) => {
    world.sfn.setScript(world.rotationStateMachineArn, script);
    await keyturn(['rotate', '--issuer', 'demo', '--rotation-id', 'r1', '--no-follow']);
    world.sfn.calls.length = 0;
  };

  beforeEach(async () => {
    world = createAwsWorld();
    directory = await makeTempDirectory();
  });
  afterEach(async () => {
    world.restore();
    await directory.remove();
  });

  it('resumes a rotation whose execution was stopped under the next execution name, with its own mode and lead time (RECOVERABLE, RETRY-SAFE)', async () => {
    // Prepare: execution demo--r1 ran and was stopped; the keyring keeps r1 in flight.
    await putKeyring(keyringInFlight());
    await startedEarlier([]);
    const first = execution('demo--r1');
    if (first !== undefined) first.status = 'ABORTED';
    world.sfn.calls.length = 0;
    world.sfn.setScript(world.rotationStateMachineArn, successfulRotation());

    // Act: the same command as the first time, without a rotation id.
    const run = await keyturn(['rotate', '--issuer', 'demo']);

    // Assess: a second execution of the same rotation, started with the keyring's settings.
    expect(run.code, run.err).toBe(0);
    expect(started()).toEqual([
      {
        name: 'demo--r1--2',
        input: { issuerId: 'demo', rotationId: 'r1', mode: 'manual', leadTimeSeconds: 600 },
      },
    ]);
    expect(run.err).toContain(
      `Resuming rotation r1 of issuer demo (started 2026-03-01T11:00:00.000Z, new key ${KEYS.new.kid}: published (visible since 2026-03-01T11:01:00.000Z), not pushed`,
    );
    expect(run.err).toContain('started a further execution of the same rotation');
    expect(run.out).toContain('Rotated issuer demo (rotation r1)');
  });

  it('joins the running execution of the rotation in flight instead of starting a second one (ONE-SIGNER)', async () => {
    // Prepare
    await putKeyring(keyringInFlight());
    await startedEarlier(successfulRotation());

    // Act
    const run = await keyturn(['rotate', '--issuer', 'demo']);

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(started()).toEqual([]);
    expect(run.err).toContain('its execution is still running: following it');
    expect(run.err).toContain(`execution: ${MACHINE}:demo--r1`);
  });

  it('refuses another lead time, rotation id or emergency while a rotation is in flight, naming resume and abort, starting nothing (ONE-SIGNER)', async () => {
    // Prepare
    await putKeyring(keyringInFlight());
    world.sfn.setScript(world.rotationStateMachineArn, successfulRotation());

    // Act
    const runs = await Promise.all(
      [
        ['--lead-time', '5s'],
        ['--rotation-id', 'r2'],
        ['--emergency', KEYS.old.kid, '--yes'],
      ].map((extra) => keyturn(['rotate', '--issuer', 'demo', '--region', 'eu-west-1', ...extra])),
    );

    // Assess
    expect(started()).toEqual([]);
    for (const run of runs) {
      expect(run.code, run.err).toBe(3);
      expect(run.err).toContain(
        'Resume it with keyturn rotate --issuer demo --region eu-west-1, or end it safely with keyturn rotate --issuer demo --region eu-west-1 --abort',
      );
    }
    expect(runs[0]?.err).toContain('prepared with a lead time of 600 s, not 5 s');
    expect(runs[1]?.err).toContain('not rotation r2');
    expect(runs[2]?.err).toContain(`not an emergency rotation replacing ${KEYS.old.kid}`);
  });

  it('refuses an emergency naming a key that is not the active one before asking anything (exit 1)', async () => {
    // Prepare
    await putKeyring(keyringInFlight({ rotation: undefined }));
    world.sfn.setScript(world.rotationStateMachineArn, successfulRotation());

    // Act: no --yes, and no terminal: the kid check comes first.
    const run = await keyturn(['rotate', '--issuer', 'demo', '--emergency', KEYS.new.kid]);

    // Assess
    expect(run.code, run.err).toBe(1);
    expect(run.err).toContain(
      `an emergency rotation replaces the compromised active key ${KEYS.old.kid}, but ${KEYS.new.kid} was named`,
    );
    expect(started()).toEqual([]);
  });

  it('--abort stops the running execution, runs the Abort task as <issuer>--<rotation>--abort and says what it did (RECOVERABLE)', async () => {
    // Prepare: r1 runs in AWS.
    await putKeyring(keyringInFlight());
    await startedEarlier(successfulRotation());
    const result = {
      rotationId: 'r1',
      stage: 'published',
      activeKid: KEYS.old.kid,
      newKid: KEYS.new.kid,
      newKey: 'dropped',
      pushedBack: false,
    };
    world.sfn.setScript(world.rotationStateMachineArn, abortHistory(result));
    // What the Abort task leaves in the state bucket.
    const aborted = keyringWith(
      [
        keyRecord('old'),
        keyRecord('new', { state: 'removed', removedAt: '2026-03-01T12:00:00.000Z', rotationId: 'r1' }),
      ],
      {
        issuerId: 'demo',
        issuerUrl: `${STACK.issuerBaseUrl}/demo`,
        lastRotation: {
          id: 'r1',
          mode: 'manual',
          outcome: 'aborted',
          finishedAt: '2026-03-01T12:00:00.000Z',
          newKid: KEYS.new.kid,
        },
      },
    );

    // Act
    const run = await runKeyturn(['rotate', '--issuer', 'demo', '--abort'], {
      cwd: directory.path,
      sleep: async () => {
        world.sfn.advance();
        await putKeyring(aborted);
      },
    });

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(execution('demo--r1')?.status).toBe('ABORTED');
    expect(world.sfn.calls.filter((call) => call.command === 'StopExecutionCommand')).toHaveLength(1);
    expect(started()).toEqual([
      {
        name: 'demo--r1--abort',
        input: { issuerId: 'demo', rotationId: 'r1', mode: 'manual', action: 'abort' },
      },
    ]);
    expect(run.err).toContain(`Stopped execution ${MACHINE}:demo--r1`);
    expect(run.out).toContain(
      `Aborted rotation r1 of issuer demo (stopped at: published); new key ${KEYS.new.kid} was never pushed: dropped, and keys.json republished without it.`,
    );
    expect(run.out).toContain(`active key: ${KEYS.old.kid}`);
    expect(run.out).toContain('last rotation: r1 (manual) aborted at 2026-03-01T12:00:00.000Z');
  });

  it('--abort whose Abort task fails exits 1, says the rotation stays in flight and names the command to run again; the re-run starts the next abort execution (RECOVERABLE)', async () => {
    // Prepare
    await putKeyring(keyringInFlight());
    world.sfn.setScript(
      world.rotationStateMachineArn,
      failedAbortHistory(
        'issuer demo: aborting rotation r1 failed: the previous key could not be pushed back',
      ),
    );

    // Act
    const first = await keyturn(['rotate', '--issuer', 'demo', '--abort']);
    world.sfn.setScript(
      world.rotationStateMachineArn,
      abortHistory({ rotationId: 'r1', stage: 'published', newKey: 'dropped' }),
    );
    const second = await keyturn(['rotate', '--issuer', 'demo', '--abort']);

    // Assess
    expect(first.code, first.err).toBe(1);
    expect(first.err).toContain('the abort of rotation r1 of issuer demo failed with AbortFailedError');
    expect(first.err).toContain(
      'The rotation stays in flight and both keys stay published (keyturn status --aws --issuer demo shows why); fix the cause and run keyturn rotate --issuer demo --abort again',
    );
    expect(second.code, second.err).toBe(0);
    expect(started().map((start) => start.name)).toEqual(['demo--r1--abort', 'demo--r1--abort-2']);
  });

  it('--abort with no rotation in flight exits 1 and says how the last one ended; an unknown issuer exits 1 naming status', async () => {
    // Prepare
    await putKeyring(
      keyringInFlight({
        rotation: undefined,
        lastRotation: {
          id: 'r0',
          mode: 'manual',
          outcome: 'succeeded',
          finishedAt: '2026-03-01T10:00:00.000Z',
        },
      }),
    );

    // Act
    const nothing = await keyturn(['rotate', '--issuer', 'demo', '--abort']);
    const unknown = await keyturn(['rotate', '--issuer', 'other', '--abort']);

    // Assess
    expect(nothing.code, nothing.err).toBe(1);
    expect(nothing.err).toContain(
      'issuer demo: no rotation is in flight, so there is nothing to abort (the last one, r0, succeeded at 2026-03-01T10:00:00.000Z)',
    );
    expect(unknown.code, unknown.err).toBe(1);
    expect(unknown.err).toContain(`issuer other has no keyring in s3://${STACK.stateBucket}/keyrings/`);
    expect(started()).toEqual([]);
  });

  it('a rotation whose execution ends stopped says it is still in flight and names resume and abort (RECOVERABLE)', async () => {
    // Prepare: the keyring has no rotation yet; the execution's Prepare records r1, then someone stops it.
    await putKeyring(keyringInFlight({ rotation: undefined }));
    world.sfn.setScript(world.rotationStateMachineArn, [
      [{ type: 'ExecutionAborted', details: { error: 'KeyturnAbort', cause: 'stopped in the console' } }],
    ]);

    // Act
    const run = await runKeyturn(['rotate', '--issuer', 'demo', '--rotation-id', 'r1'], {
      cwd: directory.path,
      sleep: async () => {
        await putKeyring(keyringInFlight());
        world.sfn.advance();
      },
    });

    // Assess
    expect(run.code, run.err).toBe(1);
    expect(run.err).toContain('rotation r1 of issuer demo was aborted');
    expect(run.err).toContain(
      `Rotation r1 is still in flight (new key ${KEYS.new.kid}: published (visible since 2026-03-01T11:01:00.000Z), not pushed; previous key ${KEYS.old.kid}: active). Resume it with keyturn rotate --issuer demo, or end it safely with keyturn rotate --issuer demo --abort`,
    );
  });
});
