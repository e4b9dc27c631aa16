import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KIDS, successfulRotation } from '#test/fakes/aws/rotation-history.ts';
import { type AwsWorld, createAwsWorld } from './aws-world.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

describe('keyturn rotate (in AWS) with a lead time shorter than keys.json’s max-age (PUBLISHED-BEFORE-SIGN)', () => {
  let world: AwsWorld;
  let directory: { path: string; remove: () => Promise<void> };

  const rotate = (args: readonly string[]) =>
    runKeyturn(['rotate', '--issuer', 'demo', ...args], {
      cwd: directory.path,
      sleep: async () => {
        world.sfn.advance();
      },
    });
  const started = () => world.sfn.calls.filter((call) => call.command === 'StartExecutionCommand');

  beforeEach(async () => {
    world = createAwsWorld();
    directory = await makeTempDirectory();
    world.sfn.setScript(world.rotationStateMachineArn, successfulRotation());
  });
  afterEach(async () => {
    world.restore();
    await directory.remove();
  });

  it('refuses a manual rotation before starting anything (exit 1), naming the max-age and the flag', async () => {
    // Act
    const run = await rotate(['--lead-time', '1m']);

    // Assess
    expect(run.code, run.err).toBe(1);
    expect(run.err).toContain('a lead time of 60 s is shorter than the 300 s keys.json is cached for');
    expect(run.err).toContain('Give --lead-time 300s or more');
    expect(started()).toEqual([]);
  });

  it('lets an emergency rotation wait less', async () => {
    // Act
    const run = await rotate(['--emergency', KIDS.old, '--yes', '--lead-time', '0s']);

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(started()).toHaveLength(1);
  });
});
