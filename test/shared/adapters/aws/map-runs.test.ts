import { DescribeMapRunCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { describeMapRun, listMapRunExecutions, mapRunArnOf } from '#shared/adapters/aws/map-runs.ts';

const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({ region: 'us-east-1' });
const MAP_RUN = 'arn:aws:states:us-east-1:111122223333:mapRun:keyturn-fleet/run-1:abc';

afterEach(() => {
  sfnMock.reset();
});

describe('the fleet map-run reads (keyturn rotate --fleet follows them)', () => {
  it('reads a map run whose answer leaves every optional field out as zeros and RUNNING', async () => {
    // Arrange
    sfnMock.on(DescribeMapRunCommand).resolves({});

    // Act
    const run = await describeMapRun(sfn, MAP_RUN);

    // Assess
    expect(run).toEqual({
      mapRunArn: MAP_RUN,
      status: 'RUNNING',
      counts: { total: 0, pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0 },
      maxConcurrency: 0,
      toleratedFailurePercentage: 0,
    });
  });

  it('names a map run Step Functions no longer has (ERR_MAP_RUN_NOT_FOUND) and passes other failures on', async () => {
    // Arrange
    sfnMock
      .on(DescribeMapRunCommand)
      .rejectsOnce(Object.assign(new Error('gone'), { name: 'ResourceNotFound' }))
      .rejectsOnce(Object.assign(new Error('nope'), { name: 'AccessDeniedException' }));

    // Act
    const gone = await describeMapRun(sfn, MAP_RUN).catch((error: unknown) => error);
    const denied = await describeMapRun(sfn, MAP_RUN).catch((error: unknown) => error);

    // Assess
    expect(gone).toMatchObject({ code: 'ERR_MAP_RUN_NOT_FOUND' });
    expect((gone as Error).message).toContain('90 days');
    // An error without the SDK's service-exception shape is not an AWS answer: it is passed on as it is.
    expect(denied).toMatchObject({ name: 'AccessDeniedException', message: 'nope' });
    expect(denied).not.toHaveProperty('code', 'ERR_MAP_RUN_NOT_FOUND');
  });

  it('lists the child executions of every page, skipping entries without an ARN', async () => {
    // Arrange
    sfnMock
      .on(ListExecutionsCommand)
      .resolvesOnce({
        executions: [{ executionArn: 'arn:1', status: 'FAILED' } as never, {} as never],
        nextToken: 't',
      })
      .resolvesOnce({});

    // Act
    const executions = await listMapRunExecutions(sfn, MAP_RUN, 'FAILED');

    // Assess
    expect(executions).toEqual([{ executionArn: 'arn:1', status: 'FAILED' }]);
    expect(sfnMock.commandCalls(ListExecutionsCommand)[1]?.args[0].input).toMatchObject({ nextToken: 't' });
  });

  it('turns a failed listing into a typed error naming the map run', async () => {
    // Arrange
    sfnMock.on(ListExecutionsCommand).rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFound' }));

    // Act
    const error = await listMapRunExecutions(sfn, MAP_RUN, 'FAILED').catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ code: 'ERR_MAP_RUN_NOT_FOUND' });
  });

  it('finds the map run ARN only in a MapRunStarted event that carries one', () => {
    expect(
      mapRunArnOf({ type: 'MapRunStarted', mapRunStartedEventDetails: { mapRunArn: MAP_RUN } } as never),
    ).toBe(MAP_RUN);
    expect(
      mapRunArnOf({ type: 'MapRunStarted', mapRunStartedEventDetails: { mapRunArn: '' } } as never),
    ).toBeUndefined();
    expect(mapRunArnOf({ type: 'MapRunStarted' } as never)).toBeUndefined();
    expect(mapRunArnOf({ type: 'TaskStateEntered' } as never)).toBeUndefined();
  });
});
