import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FLEET_DEFAULTS } from '#cli/commands/rotate-fleet.ts';
import { keyturnConfigSchema } from '#infra/config/keyturn-config.ts';
import { fleetRotation, fleetRotationId } from '#test/fakes/aws/fleet-history.ts';
import { type AwsWorld, createAwsWorld, STACK } from './aws-world.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const FLEET_EXECUTION = 'arn:aws:states:eu-west-1:111122223333:execution:KeyturnFleet:fleet--f1';
const rotationArn = (issuerId: string, index: number) =>
  `arn:aws:states:eu-west-1:111122223333:execution:KeyturnRotation:${issuerId}--${fleetRotationId(index)}`;

describe('keyturn rotate --fleet (in AWS)', () => {
  let world: AwsWorld;
  let directory: { path: string; remove: () => Promise<void> };
  let polls: number;

  /** Runs `keyturn rotate --fleet ...`; each poll advances the scripted fleet by one wave. */
  const rotateFleet = (args: readonly string[]) =>
    runKeyturn(['rotate', '--fleet', ...args], {
      cwd: directory.path,
      sleep: async () => {
        polls += 1;
        world.sfn.advance();
      },
    });
  const fleetInputs = () =>
    world.sfn.calls
      .filter((call) => call.command === 'StartExecutionCommand')
      .map((call) => ({ name: call.input.name, input: JSON.parse(String(call.input.input)) }));

  beforeEach(async () => {
    world = createAwsWorld({ maxHistoryPage: 3 });
    world.addIssuers('prod-a', 'prod-b', 'prod-c');
    directory = await makeTempDirectory();
    polls = 0;
  });
  afterEach(async () => {
    world.restore();
    await directory.remove();
  });

  it('rotates every issuer of the state bucket, showing the map run and its progress, then one line each', async () => {
    // Prepare
    world.sfn.setScript(world.fleetStateMachineArn, fleetRotation(world.rotationStateMachineArn));

    // Act
    const run = await rotateFleet(['--rotation-id', 'f1']);

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(fleetInputs()).toEqual([
      {
        name: 'fleet--f1',
        input: { issuerIds: ['prod-a', 'prod-b', 'prod-c'], mode: 'manual', ...FLEET_DEFAULTS },
      },
    ]);
    expect(run.err).toContain(
      'Started fleet rotation f1 of 3 issuers (prod-a, prod-b, prod-c), at most 2 at once, tolerating 0 % failed',
    );
    expect(run.err).toContain(`execution: ${FLEET_EXECUTION}`);
    expect(run.err).toMatch(
      /… map run started: arn:aws:states:eu-west-1:111122223333:mapRun:KeyturnFleet\/RotateEachIssuer:\S+\n/,
    );
    const progress = run.err.split('\n').filter((line) => line.includes('fleet: '));
    expect(progress).toEqual([
      '  fleet: 0/3 done (0 succeeded, 0 failed), 0 running',
      '  fleet: 0/3 done (0 succeeded, 0 failed), 2 running',
      '  fleet: 2/3 done (2 succeeded, 0 failed), 1 running',
      '  fleet: 3/3 done (3 succeeded, 0 failed), 0 running',
    ]);
    expect(run.out).toContain('Fleet rotation f1 succeeded: 3 issuers: 3 succeeded, 0 failed\n');
    ['prod-a', 'prod-b', 'prod-c'].forEach((issuerId, index) => {
      expect(run.out).toContain(`  ${issuerId}  SUCCEEDED  ${rotationArn(issuerId, index)}\n`);
    });
    expect(polls).toBeGreaterThan(0);
  });

  it('rotates the issuers named, within the bounds given', async () => {
    world.sfn.setScript(world.fleetStateMachineArn, fleetRotation(world.rotationStateMachineArn));

    const run = await rotateFleet([
      '--issuers',
      'prod-c,prod-a',
      '--max-concurrency',
      '5',
      '--tolerated-failure-percentage',
      '50',
    ]);

    expect(run.code, run.err).toBe(0);
    expect(fleetInputs()[0]?.name).toMatch(/^fleet--\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(fleetInputs()[0]?.input).toEqual({
      issuerIds: ['prod-c', 'prod-a'],
      mode: 'manual',
      maxConcurrency: 5,
      toleratedFailurePercentage: 50,
    });
    expect(run.err.split('\n').filter((line) => line.includes('fleet: '))).toEqual([
      '  fleet: 0/2 done (0 succeeded, 0 failed), 0 running',
      '  fleet: 0/2 done (0 succeeded, 0 failed), 2 running',
      '  fleet: 2/2 done (2 succeeded, 0 failed), 0 running',
    ]);
  });

  it('rejects with exit 1 naming the tolerated share when more issuers failed, and lists each failed rotation', async () => {
    // Prepare: prod-a fails in the first wave; with 0 % tolerated the fleet fails and aborts prod-b.
    world.sfn.setScript(
      world.fleetStateMachineArn,
      fleetRotation(world.rotationStateMachineArn, { 'prod-a': 'FAILED' }),
    );

    // Act
    const run = await rotateFleet(['--rotation-id', 'f1']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.err).toContain('  fleet: 2/3 done (0 succeeded, 1 failed, 1 aborted), 0 running');
    expect(run.out).toContain(
      'Fleet rotation f1 failed: 3 issuers: 0 succeeded, 1 failed, 1 aborted, 1 not done',
    );
    expect(run.out).toContain(
      `  prod-a  FAILED       RotationRolledBack: The rotation failed after prepare and was rolled back: the previous key is active again. (${rotationArn('prod-a', 0)})`,
    );
    expect(run.out).toContain(`  prod-b  ABORTED      ${rotationArn('prod-b', 1)}\n`);
    expect(run.out).toContain('  prod-c  NOT STARTED\n');
    expect(run.err).toContain(
      'keyturn: fleet rotation f1 failed: more issuers failed than the tolerated 0 % (States.ExceedToleratedFailureThreshold).',
    );
    expect(run.err).toContain('Rotations the fleet stopped when it failed are ABORTED');
    expect(run.err).toContain(`Execution: ${FLEET_EXECUTION}`);
    const listed = world.sfn.calls.filter((call) => call.command === 'ListExecutionsCommand');
    expect(listed.map((call) => call.input.statusFilter)).toEqual(['FAILED', 'ABORTED']);
  });

  it('succeeds (exit 0) when the failures stay within the tolerated share, and still names them', async () => {
    world.sfn.setScript(
      world.fleetStateMachineArn,
      fleetRotation(world.rotationStateMachineArn, { 'prod-b': 'FAILED' }),
    );

    const run = await rotateFleet(['--rotation-id', 'f1', '--tolerated-failure-percentage', '50']);

    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('Fleet rotation f1 succeeded: 3 issuers: 2 succeeded, 1 failed');
    expect(run.out).toMatch(/ {2}prod-b {2}FAILED {5}RotationRolledBack: /);
    expect(run.out).toContain(`  prod-c  SUCCEEDED  ${rotationArn('prod-c', 2)}`);
  });

  it('returns once started with --no-follow, and joins that fleet run when its id is given again', async () => {
    world.sfn.setScript(world.fleetStateMachineArn, fleetRotation(world.rotationStateMachineArn));

    const started = await rotateFleet(['--rotation-id', 'f1', '--no-follow']);
    const joined = await rotateFleet(['--rotation-id', 'f1']);

    expect(started.code, started.err).toBe(0);
    expect(started.out).toBe(`${FLEET_EXECUTION}\n`);
    expect(started.err).toContain('Follow it with: keyturn rotate --fleet --rotation-id f1');
    expect(joined.code, joined.err).toBe(0);
    expect(joined.err).toContain('Joined fleet rotation f1, started earlier');
    expect(world.sfn.executions.filter((execution) => execution.name === 'fleet--f1')).toHaveLength(1);
  });

  it('stops following on Ctrl-C (exit 130) and says how to follow the fleet again', async () => {
    world.sfn.setScript(world.fleetStateMachineArn, fleetRotation(world.rotationStateMachineArn));

    const run = await runKeyturn(['rotate', '--fleet', '--rotation-id', 'f1', '--region', 'eu-west-1'], {
      cwd: directory.path,
      untilStopped: async () => {},
      sleep: async () => {
        world.sfn.advance();
      },
    });

    expect(run.code).toBe(130);
    expect(run.err).toContain(
      'Follow it again with: keyturn rotate --fleet --rotation-id f1 --region eu-west-1',
    );
    expect(world.sfn.executions[0]?.status).toBe('RUNNING');
  });

  it('rejects with exit 3 before starting anything when the state bucket has no issuer, or not the one named', async () => {
    const unknown = await rotateFleet(['--issuers', 'prod-a,prod-z']);
    world.s3.createBucket('empty');
    world.cloudFormation.putStack(STACK.name, { outputs: { ...world.outputs, StateBucketName: 'empty' } });
    const none = await rotateFleet([]);

    expect(unknown.code).toBe(3);
    expect(unknown.err).toContain(`keyturn: no issuer prod-z in s3://${STACK.stateBucket}/keyrings/`);
    expect(none.code).toBe(3);
    expect(none.err).toContain(
      'no issuer in s3://empty/keyrings/ (stack Keyturn); create one with: keyturn init --aws',
    );
    expect(world.sfn.calls.filter((call) => call.command === 'StartExecutionCommand')).toEqual([]);
  });

  it.each([
    [['--issuer', 'prod-a'], '--issuer: not with --fleet'],
    [['--emergency', 'kid'], '--emergency: not with --fleet'],
    [['--local'], '--local: not with --fleet'],
    [['--lead-time', '1h'], '--lead-time: not with --fleet'],
    [['--kubeconfig', 'k.yaml'], '--kubeconfig: they need --local'],
    [['--issuers', 'prod-a,,prod-b'], 'none empty'],
    [['--issuers', 'Prod_A'], 'Prod_A is not an issuer id'],
    [['--issuers', 'prod-a,prod-a'], 'prod-a is named twice'],
    [['--max-concurrency', '0'], 'from 1 to 1000'],
    [['--max-concurrency', '1001'], 'from 1 to 1000'],
    [['--max-concurrency', '2.5'], 'from 1 to 1000'],
    [['--tolerated-failure-percentage', '101'], 'from 0 to 100'],
    [['--tolerated-failure-percentage', '-1'], 'from 0 to 100'],
  ])('rejects %j with exit 2 before calling AWS', async (args, message) => {
    const run = await rotateFleet(args);

    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
    expect(world.cloudFormation.calls).toEqual([]);
  });

  it('rejects the fleet options without --fleet (exit 2)', async () => {
    const run = await runKeyturn(['rotate', '--issuer', 'prod-a', '--max-concurrency', '3'], {
      cwd: directory.path,
    });

    expect(run.code).toBe(2);
    expect(run.err).toContain('--max-concurrency: they need --fleet');
  });

  it('defaults to the bounds keyturn.config.json defaults to', () => {
    const config = keyturnConfigSchema.parse({ issuers: [{ id: 'a' }] });

    expect(FLEET_DEFAULTS).toEqual(config.fleet);
  });
});
