import {
  DescribeMapRunCommand,
  ListExecutionsCommand,
  type ListExecutionsCommandInput,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeSfn, type FakeSfn } from '#test/fakes/aws/fake-sfn.ts';
import { fleetRotation } from '#test/fakes/aws/fleet-history.ts';

// The fleet follower reads map runs only through these calls: the fake must answer as Step Functions does.
describe('the fake Step Functions: Distributed Map runs', () => {
  const client = new SFNClient({ region: 'eu-west-1', maxAttempts: 1 });
  let sfn: FakeSfn;
  let rotation: string;
  let fleet: string;
  const startFleet = async (issuerIds: string[], maxConcurrency = 2) => {
    const input = { issuerIds, mode: 'manual', maxConcurrency, toleratedFailurePercentage: 0 };
    await client.send(
      new StartExecutionCommand({ stateMachineArn: fleet, name: 'fleet--f1', input: JSON.stringify(input) }),
    );
  };
  const mapRunArn = () => sfn.mapRuns[0]?.arn ?? '';
  const list = (input: ListExecutionsCommandInput) => client.send(new ListExecutionsCommand(input));

  beforeEach(() => {
    sfn = createFakeSfn();
    sfn.install();
    rotation = sfn.createStateMachine('KeyturnRotation');
    fleet = sfn.createStateMachine('KeyturnFleet');
    sfn.setScript(fleet, fleetRotation(rotation));
  });
  afterEach(() => sfn.restore());

  it('announces the run in the parent history and counts its items by their child executions', async () => {
    // Prepare
    await startFleet(['a', 'b', 'c']);

    // Act
    sfn.advance();
    const before = await client.send(new DescribeMapRunCommand({ mapRunArn: mapRunArn() }));
    sfn.advance();
    const during = await client.send(new DescribeMapRunCommand({ mapRunArn: mapRunArn() }));

    // Assess
    expect(sfn.executions[0]?.history.at(-1)).toMatchObject({
      type: 'MapRunStarted',
      mapRunStartedEventDetails: { mapRunArn: mapRunArn() },
    });
    expect(mapRunArn()).toMatch(
      /^arn:aws:states:eu-west-1:111122223333:mapRun:KeyturnFleet\/RotateEachIssuer:[0-9a-f-]{36}$/,
    );
    expect(before).toMatchObject({
      status: 'RUNNING',
      maxConcurrency: 2,
      toleratedFailurePercentage: 0,
      itemCounts: { pending: 3, running: 0, succeeded: 0, total: 3 },
    });
    expect(during.itemCounts).toMatchObject({ pending: 1, running: 2, succeeded: 0, total: 3 });
  });

  it('lists a run’s children by status, newest first, in pages, apart from the state machine’s executions', async () => {
    // Prepare: the whole fleet runs, one item at a time.
    await startFleet(['a', 'b', 'c'], 1);
    while (sfn.advance()) {
      // Every wave.
    }

    // Act
    const first = await list({ mapRunArn: mapRunArn(), statusFilter: 'SUCCEEDED', maxResults: 2 });
    const second = await list({
      mapRunArn: mapRunArn(),
      statusFilter: 'SUCCEEDED',
      nextToken: first.nextToken,
    });
    const failed = await list({ mapRunArn: mapRunArn(), statusFilter: 'FAILED' });
    const ofFleet = await list({ stateMachineArn: fleet });

    // Assess
    const children = [...(first.executions ?? []), ...(second.executions ?? [])];
    expect(children).toHaveLength(3);
    expect(second.nextToken).toBeUndefined();
    expect(children.every((child) => child.mapRunArn === mapRunArn() && child.status === 'SUCCEEDED')).toBe(
      true,
    );
    expect(children[0]?.stateMachineArn).toBe(`${fleet}/RotateEachIssuer`);
    expect(children.map((child) => child.startDate?.getTime())).toEqual(
      children.map((child) => child.startDate?.getTime()).sort((a = 0, b = 0) => b - a),
    );
    expect(failed.executions).toEqual([]);
    expect(ofFleet.executions?.map((execution) => execution.name)).toEqual(['fleet--f1']);
  });

  it('answers an unknown map run with ResourceNotFound and a malformed ARN with InvalidArn', async () => {
    const unknown = 'arn:aws:states:eu-west-1:111122223333:mapRun:KeyturnFleet/RotateEachIssuer:nope';

    await expect(client.send(new DescribeMapRunCommand({ mapRunArn: unknown }))).rejects.toMatchObject({
      name: 'ResourceNotFound',
    });
    await expect(list({ mapRunArn: unknown })).rejects.toMatchObject({ name: 'ResourceNotFound' });
    await expect(client.send(new DescribeMapRunCommand({ mapRunArn: 'nope' }))).rejects.toMatchObject({
      name: 'InvalidArn',
    });
  });

  it('rejects a listing naming both or neither of stateMachineArn and mapRunArn, or an unknown machine', async () => {
    await startFleet(['a']);
    sfn.advance();

    await expect(list({})).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(list({ stateMachineArn: fleet, mapRunArn: mapRunArn() })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(list({ stateMachineArn: `${fleet}-gone` })).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });
});
