import { SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutionError } from '#shared/adapters/aws/execution-errors.ts';
import {
  fleetResultsOf,
  followFleetExecution,
  readFleetItems,
  startFleetExecution,
} from '#shared/adapters/aws/fleet-executions.ts';
import { describeMapRun, type MapRunProgress } from '#shared/adapters/aws/map-runs.ts';
import { createFakeSfn, type FakeSfn } from '#test/fakes/aws/fake-sfn.ts';
import { fleetRotation, ROLLED_BACK } from '#test/fakes/aws/fleet-history.ts';

const sfnSdk = new SFNClient({ region: 'eu-west-1', maxAttempts: 1 });
const INPUT = {
  issuerIds: ['a', 'b', 'c'],
  mode: 'manual',
  maxConcurrency: 2,
  toleratedFailurePercentage: 0,
} as const;

describe('the fleet workflow in AWS', () => {
  let sfn: FakeSfn;
  let rotation: string;
  let fleet: string;
  const start = () => startFleetExecution({ stateMachineArn: fleet, runId: 'f1', input: INPUT, sfn: sfnSdk });
  /** Follows the fleet; the script advances on every `advanceEvery`th poll only. */
  const follow = async (executionArn: string, advanceEvery = 1) => {
    let polls = 0;
    const started: string[] = [];
    const progress: MapRunProgress[] = [];
    const followed = await followFleetExecution({
      executionArn,
      sfn: sfnSdk,
      onMapRunStarted: (arn) => started.push(arn),
      onProgress: (report) => progress.push(report),
      sleep: async () => {
        polls += 1;
        if (polls % advanceEvery === 0) sfn.advance();
      },
    });
    return { ...followed, started, progress };
  };

  beforeEach(() => {
    sfn = createFakeSfn({ maxResultsPerPage: 2 });
    sfn.install();
    rotation = sfn.createStateMachine('KeyturnRotation');
    fleet = sfn.createStateMachine('KeyturnFleet');
  });
  afterEach(() => sfn.restore());

  it('starts execution fleet--<run id> with the fleet input', async () => {
    sfn.setScript(fleet, fleetRotation(rotation));

    const started = await start();

    expect(started).toEqual({
      executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:KeyturnFleet:fleet--f1',
      joined: false,
    });
    expect(JSON.parse(sfn.executions[0]?.input ?? '')).toEqual(INPUT);
  });

  it('reports the map run once and its counts only when they change, the final ones included', async () => {
    // Prepare
    sfn.setScript(fleet, fleetRotation(rotation));
    const { executionArn } = await start();

    // Act: every other poll finds the fleet as it was.
    const { followed, started, progress, mapRun } = await follow(executionArn, 2);

    // Assess
    expect(followed).toMatchObject({ outcome: 'ended', end: { status: 'SUCCEEDED' } });
    expect(started).toEqual([sfn.mapRuns[0]?.arn]);
    expect(progress.map((report) => [report.counts.succeeded, report.counts.running])).toEqual([
      [0, 0],
      [0, 2],
      [2, 1],
      [3, 0],
    ]);
    expect(mapRun).toMatchObject({ status: 'SUCCEEDED', counts: { total: 3, succeeded: 3 } });
    const describes = sfn.calls.filter((call) => call.command === 'DescribeMapRunCommand');
    expect(describes.length).toBeGreaterThanOrEqual(2 * progress.length - 1);
  });

  it('reads each rotation from a succeeded fleet’s output, skipping entries it cannot read', () => {
    const arn = 'arn:aws:states:eu-west-1:111122223333:execution:KeyturnRotation:prod--a--0000-1111';

    const results = fleetResultsOf({
      results: [
        { executionArn: arn, status: 'SUCCEEDED' },
        { Error: 'States.TaskFailed' },
        'x',
        { executionArn: 'x' },
      ],
    });

    expect(results).toEqual([{ issuerId: 'prod--a', status: 'SUCCEEDED', executionArn: arn }]);
    expect(fleetResultsOf(undefined)).toEqual([]);
  });

  it('names each failed issuer with its rotation’s error, or the child’s own when the rotation never started', async () => {
    // Prepare: b's rotation rolls back; with 0 % tolerated the fleet fails. Then b's rotation is forgotten.
    sfn.setScript(fleet, fleetRotation(rotation, { b: 'FAILED' }));
    const { executionArn } = await start();
    const { mapRun } = await follow(executionArn);
    if (mapRun === undefined) throw new Error('the map run never started');

    // Act
    const failed = await readFleetItems({
      mapRun,
      statuses: ['FAILED'],
      rotationStateMachineArn: rotation,
      sfn: sfnSdk,
    });
    const withoutRotation = await readFleetItems({
      mapRun,
      statuses: ['FAILED'],
      rotationStateMachineArn: rotation.replace('KeyturnRotation', 'Other'),
      sfn: sfnSdk,
    });

    // Assess
    expect(failed).toEqual([
      {
        issuerId: 'b',
        status: 'FAILED',
        executionArn: expect.stringMatching(/:execution:KeyturnRotation:b--/),
        error: ROLLED_BACK.error,
        cause: ROLLED_BACK.cause,
      },
    ]);
    expect(withoutRotation).toEqual([
      expect.objectContaining({
        issuerId: 'b',
        status: 'FAILED',
        executionArn: expect.stringMatching(/:execution:KeyturnFleet\/RotateEachIssuer:/),
        error: 'States.TaskFailed',
      }),
    ]);
  });

  it('rejects with ERR_MAP_RUN_NOT_FOUND when the map run does not exist', async () => {
    const error = await describeMapRun(
      sfnSdk,
      'arn:aws:states:eu-west-1:111122223333:mapRun:KeyturnFleet/RotateEachIssuer:gone',
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ExecutionError);
    expect(error).toMatchObject({ code: 'ERR_MAP_RUN_NOT_FOUND' });
  });
});
