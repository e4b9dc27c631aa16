import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KIDS,
  refusedRotation,
  rolledBackRotation,
  successfulRotation,
} from '#test/fakes/aws/rotation-history.ts';
import { type AwsWorld, createAwsWorld } from './aws-world.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const EXECUTION = 'arn:aws:states:eu-west-1:111122223333:execution:KeyturnRotation:demo--r1';

describe('keyturn rotate (in AWS)', () => {
  let world: AwsWorld;
  let directory: { path: string; remove: () => Promise<void> };
  let polls: number;

  /** Runs `keyturn rotate ...`; each poll of the execution advances its scripted history by one batch. */
  const rotate = (args: readonly string[], options: Parameters<typeof runKeyturn>[1] | object = {}) =>
    runKeyturn(['rotate', ...args], {
      cwd: directory.path,
      sleep: async () => {
        polls += 1;
        world.sfn.advance();
      },
      ...options,
    });
  const startInputs = () =>
    world.sfn.calls
      .filter((call) => call.command === 'StartExecutionCommand')
      .map((call) => ({ name: call.input.name, input: JSON.parse(String(call.input.input)) }));

  beforeEach(async () => {
    world = createAwsWorld({ maxHistoryPage: 3 });
    directory = await makeTempDirectory();
    polls = 0;
  });
  afterEach(async () => {
    world.restore();
    await directory.remove();
  });

  it('starts the deployed workflow and follows it to success with the local progress lines', async () => {
    // Prepare
    world.sfn.setScript(world.rotationStateMachineArn, successfulRotation());

    // Act
    const run = await rotate(['--issuer', 'demo', '--rotation-id', 'r1']);

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(startInputs()).toEqual([
      { name: 'demo--r1', input: { issuerId: 'demo', rotationId: 'r1', mode: 'manual' } },
    ]);
    for (const step of [
      'Prepare',
      'Generate',
      'Publish',
      'ConfirmVisible',
      'WaitForLeadTime',
      'Push',
      'Verify',
      'Activate',
    ]) {
      expect(run.err).toMatch(new RegExp(`✓ ${step}\\s+\\d+\\.\\d\\d s`));
    }
    expect(run.err).toMatch(/✓ WatchRollout\s+\d+\.\d\d s {2}\(3 polls\)/);
    expect(run.err).toContain('… WaitForLeadTime: the new key is public; waiting out the lead time');
    expect(run.err.match(/✓ Prepare/g)).toHaveLength(1);
    expect(run.out).toContain('Rotated issuer demo (rotation r1)');
    expect(run.out).toContain(`new key: ${KIDS.new} (active`);
    expect(run.out).toContain(
      `old key: ${KIDS.old} (retired, leaves keys.json after 2026-03-03T13:00:00.000Z)`,
    );
    expect(run.out).toContain(`execution: ${EXECUTION}`);
    expect(run.out).toContain(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION}`,
    );
  });

  it('rejects with exit 1 naming RotationRolledBack and the error behind it when the rotation rolls back', async () => {
    world.sfn.setScript(world.rotationStateMachineArn, rolledBackRotation());

    const run = await rotate(['--issuer', 'demo', '--rotation-id', 'r1']);

    expect(run.code).toBe(1);
    expect(run.err).toContain('✗ Verify (VerificationFailedError)');
    expect(run.err).toContain(
      'keyturn: rotation r1 of issuer demo failed with RotationRolledBack: The rotation failed after prepare and was rolled back',
    );
    expect(run.err).toContain(
      'What went wrong: VerificationFailedError in Verify: a fresh token carries kid old-kid, not the new key.',
    );
    expect(run.err).toContain(`Execution: ${EXECUTION}`);
    expect(run.err).not.toMatch(/at handler|index\.mjs/);
  });

  it('rejects with exit 1 naming RotationAlreadyInFlight when another rotation holds the issuer', async () => {
    world.sfn.setScript(world.rotationStateMachineArn, refusedRotation());

    const run = await rotate(['--issuer', 'demo', '--rotation-id', 'r1']);

    expect(run.code).toBe(1);
    expect(run.err).toContain(
      'failed in RotationAlreadyInFlight with RotationInProgress: Another rotation is in flight',
    );
    expect(run.err).toContain(
      'What went wrong: RotationInProgressError in Prepare: issuer demo has rotation r0 in flight',
    );
  });

  it('joins the rotation already started under that id instead of starting another (ONE-SIGNER)', async () => {
    // Prepare: someone started rotation r1 as a manual rotation and it is running.
    world.sfn.setScript(world.rotationStateMachineArn, successfulRotation());
    await rotate(['--issuer', 'demo', '--rotation-id', 'r1', '--no-follow']);

    // Act: the same rotation id, asked as an emergency rotation.
    const run = await rotate(['--issuer', 'demo', '--rotation-id', 'r1', '--emergency', KIDS.old, '--yes']);

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain('Joined rotation r1 of issuer demo, started earlier');
    expect(world.sfn.executions).toHaveLength(1);
    expect(JSON.parse(world.sfn.executions[0]?.input ?? '{}')).toMatchObject({ mode: 'manual' });
  });

  it('sends an emergency rotation its compromised kid, and a lead time when one is given', async () => {
    world.sfn.setScript(world.rotationStateMachineArn, successfulRotation());
    const questions: string[] = [];

    const run = await rotate(['--issuer', 'demo', '--emergency', KIDS.old, '--lead-time', '10m'], {
      ask: async (question: string) => {
        questions.push(question);
        return 'yes';
      },
    });

    expect(run.code, run.err).toBe(0);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain(
      `Emergency rotation of issuer demo: key ${KIDS.old} is treated as compromised`,
    );
    expect(questions[0]).toContain('no workload is cut off from AWS STS');
    const [started] = startInputs();
    expect(started?.name).toMatch(/^demo--\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(started?.input).toEqual({
      issuerId: 'demo',
      rotationId: expect.stringMatching(/^\d{8}-\d{6}-[0-9a-f]{6}$/),
      mode: 'emergency',
      compromisedKid: KIDS.old,
      leadTimeSeconds: 600,
    });
  });

  it.each([
    [
      'declined on the terminal',
      { ask: async () => 'no' },
      1,
      'emergency rotation not confirmed; nothing was changed',
    ],
    ['without a terminal nor --yes', {}, 2, 'there is no terminal to confirm this on: add --yes'],
  ])('starts nothing when an emergency rotation is %s (exit %i)', async (_case, options, code, message) => {
    world.sfn.setScript(world.rotationStateMachineArn, successfulRotation());

    const run = await rotate(['--issuer', 'demo', '--emergency', KIDS.old], options);

    expect(run.code).toBe(code);
    expect(run.err).toContain(message);
    expect(startInputs()).toEqual([]);
  });

  it('asks nothing with --yes', async () => {
    world.sfn.setScript(world.rotationStateMachineArn, successfulRotation());
    const ask = async (): Promise<string> => {
      throw new Error('asked despite --yes');
    };

    const run = await rotate(['--issuer', 'demo', '--emergency', KIDS.old, '--yes'], { ask });

    expect(run.code, run.err).toBe(0);
    expect(startInputs()[0]?.input).toMatchObject({ mode: 'emergency', compromisedKid: KIDS.old });
  });

  it('stops following on Ctrl-C (exit 130) and says how to follow the rotation again', async () => {
    // Prepare: Ctrl-C arrives after the second poll.
    world.sfn.setScript(world.rotationStateMachineArn, successfulRotation());
    let pressCtrlC = () => {};
    const ctrlC = new Promise<void>((resolve) => {
      pressCtrlC = resolve;
    });

    // Act
    const run = await rotate(['--issuer', 'demo', '--rotation-id', 'r1', '--stack', 'Keyturn'], {
      untilStopped: () => ctrlC,
      sleep: async () => {
        world.sfn.advance();
        if (++polls === 2) pressCtrlC();
      },
    });

    // Assess
    expect(run.code).toBe(130);
    expect(run.err).toContain('stopped following; rotation r1 goes on in AWS');
    expect(run.err).toContain(
      'Follow it again with: keyturn rotate --issuer demo --rotation-id r1 --stack Keyturn',
    );
    expect(world.sfn.executions[0]?.status).toBe('RUNNING');
  });

  it('returns once started with --no-follow, printing the execution ARN', async () => {
    world.sfn.setScript(world.rotationStateMachineArn, successfulRotation());

    const run = await rotate(['--issuer', 'demo', '--rotation-id', 'r1', '--no-follow']);

    expect(run.code, run.err).toBe(0);
    expect(run.out).toBe(`${EXECUTION}\n`);
    expect(world.sfn.calls.map((call) => call.command)).toEqual([
      'DescribeExecutionCommand',
      'StartExecutionCommand',
    ]);
    expect(polls).toBe(0);
  });

  it('rejects with exit 3 and says to deploy when the stack does not exist', async () => {
    world.cloudFormation.deleteStack('Keyturn');

    const run = await rotate(['--issuer', 'demo']);

    expect(run.code).toBe(3);
    expect(run.err).toContain('keyturn: no stack Keyturn');
    expect(run.err).toContain('deploy keyturn with npx cdk deploy');
    expect(world.sfn.calls).toEqual([]);
  });

  it('rejects with exit 3 naming the output when the stack lacks RotationStateMachineArn', async () => {
    const { RotationStateMachineArn: _arn, ...outputs } = world.outputs;
    world.cloudFormation.putStack('Keyturn', { outputs });

    const run = await rotate(['--issuer', 'demo']);

    expect(run.code).toBe(3);
    expect(run.err).toContain('stack Keyturn has no output RotationStateMachineArn');
  });

  it.each([
    [[], 'needs --issuer'],
    [['--issuer', 'Demo_1'], 'is not an issuer id'],
    [['--issuer', 'demo', '--kubeconfig', 'k.yaml'], '--kubeconfig: they need --local'],
    [['--local', '--stack', 'Keyturn'], '--stack: they apply to AWS, not to --local'],
    [['--local', '--no-follow'], '--no-follow: they apply to AWS'],
    [['--issuer', 'demo', '--rotation-id', 'Bad id'], 'expected 1-63 lowercase letters'],
  ])('rejects %j with exit 2 before calling AWS', async (args, message) => {
    const run = await rotate(args);

    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
    expect(world.cloudFormation.calls).toEqual([]);
  });
});
