import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandInput,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeSfn, type FakeSfn } from '#test/fakes/aws/fake-sfn.ts';
import { task } from '#test/fakes/aws/sfn-history.ts';

// The fake must answer as Step Functions does, or the follower's tests prove nothing.
describe('the fake Step Functions', () => {
  const client = new SFNClient({ region: 'eu-west-1', maxAttempts: 1 });
  let sfn: FakeSfn;
  let machine: string;
  const start = (input: string) =>
    client.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'demo--r1', input }));
  const history = (input: Omit<GetExecutionHistoryCommandInput, 'executionArn'>, executionArn: string) =>
    client.send(new GetExecutionHistoryCommand({ executionArn, ...input }));

  beforeEach(() => {
    sfn = createFakeSfn({ maxResultsPerPage: 2 });
    sfn.install();
    machine = sfn.createStateMachine('KeyturnRotation', [task('Prepare')]);
  });
  afterEach(() => sfn.restore());

  it('answers a second start of a running execution with the same input with that execution', async () => {
    const first = await start('{"a":1}');

    const second = await start('{"a":1}');

    expect(second.executionArn).toBe(first.executionArn);
    expect(sfn.executions).toHaveLength(1);
  });

  it('rejects a start of the same name with ExecutionAlreadyExists when the input differs', async () => {
    await start('{"a":1}');

    await expect(start('{"a":2}')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('pages the history with nextToken, oldest or newest first, and refuses a token used otherwise', async () => {
    // Prepare: ExecutionStarted plus the five events of Prepare.
    const { executionArn = '' } = await start('{}');
    sfn.advance();

    // Act
    const ids = async (reverseOrder: boolean) => {
      const seen: number[] = [];
      let nextToken: string | undefined;
      do {
        const page = await history({ reverseOrder, nextToken }, executionArn);
        seen.push(...(page.events ?? []).map((event) => event.id ?? 0));
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      return seen;
    };
    const forward = await ids(false);
    const backward = await ids(true);
    const token = (await history({}, executionArn)).nextToken;

    // Assess
    expect(forward).toEqual([1, 2, 3, 4, 5, 6]);
    expect(backward).toEqual([6, 5, 4, 3, 2, 1]);
    await expect(history({ reverseOrder: true, nextToken: token }, executionArn)).rejects.toMatchObject({
      name: 'InvalidToken',
    });
  });

  it('drops inputs and outputs without includeExecutionData, and reports the end in DescribeExecution', async () => {
    const { executionArn = '' } = await start('{}');
    sfn.executions[0]?.pending.push([{ type: 'ExecutionFailed', details: { error: 'E', cause: 'C' } }]);
    sfn.advance();
    sfn.advance();

    const page = await history({ includeExecutionData: false, maxResults: 1 }, executionArn);
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));

    expect(page.events?.[0]?.executionStartedEventDetails).toEqual({
      roleArn: 'arn:aws:iam::111122223333:role/keyturn-sfn',
    });
    expect(described).toMatchObject({ status: 'FAILED', error: 'E', cause: 'C' });
  });
});
