import { ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutionError } from '#shared/adapters/aws/execution-errors.ts';
import { executionConsoleUrl } from '#shared/adapters/aws/executions.ts';
import {
  executionNameOf,
  rotationOutcomeOf,
  startRotationExecution,
} from '#shared/adapters/aws/rotation-executions.ts';
import { createFakeSfn, type FakeSfn } from '#test/fakes/aws/fake-sfn.ts';
import { task } from '#test/fakes/aws/sfn-history.ts';

const sfnSdk = new SFNClient({ region: 'eu-west-1', maxAttempts: 1 });
const INPUT = { issuerId: 'demo', rotationId: '20260301-120000-abcdef', mode: 'manual' } as const;

describe('startRotationExecution', () => {
  let sfn: FakeSfn;
  let machine: string;
  const start = (input: Parameters<typeof startRotationExecution>[0]['input'] = INPUT) =>
    startRotationExecution({ stateMachineArn: machine, input, sfn: sfnSdk });

  beforeEach(() => {
    sfn = createFakeSfn();
    sfn.install();
    machine = sfn.createStateMachine('KeyturnRotation', [task('Prepare')]);
  });
  afterEach(() => sfn.restore());

  it('starts one execution named <issuerId>--<rotationId> with the rotation input (ids, never keys)', async () => {
    // Act
    const started = await start();

    // Assess
    expect(started).toEqual({
      executionArn:
        'arn:aws:states:eu-west-1:111122223333:execution:KeyturnRotation:demo--20260301-120000-abcdef',
      joined: false,
    });
    expect(
      sfn.calls.filter((call) => call.command === 'StartExecutionCommand').map((call) => call.input),
    ).toEqual([
      { stateMachineArn: machine, name: 'demo--20260301-120000-abcdef', input: JSON.stringify(INPUT) },
    ]);
  });

  it('joins the existing execution when the same rotation is started with another input (ONE-SIGNER)', async () => {
    // Prepare
    const first = await start();

    // Act
    const second = await start({ ...INPUT, mode: 'emergency', compromisedKid: 'kid-1' });

    // Assess
    expect(second).toEqual({ executionArn: first.executionArn, joined: true });
    expect(sfn.executions).toHaveLength(1);
    expect(JSON.parse(sfn.executions[0]?.input ?? '{}')).toEqual(INPUT);
  });

  it('joins a running execution started with the same input, without starting it again', async () => {
    await start();

    const again = await start();

    expect(again.joined).toBe(true);
    expect(sfn.calls.filter((call) => call.command === 'StartExecutionCommand')).toHaveLength(1);
  });

  it('joins when another start wins the race between the lookup and the start (ExecutionAlreadyExists)', async () => {
    await start();
    sfn.failNext(
      'DescribeExecutionCommand',
      () => new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }),
    );

    const again = await start({ ...INPUT, mode: 'emergency', compromisedKid: 'kid-1' });

    expect(again.joined).toBe(true);
    expect(sfn.executions).toHaveLength(1);
  });

  it('joins an execution that has already ended instead of starting the rotation again', async () => {
    await start();
    sfn.advance();
    sfn.executions[0]?.pending.push([{ type: 'ExecutionSucceeded', details: { output: '{}' } }]);
    sfn.advance();

    const again = await start();

    expect(again.joined).toBe(true);
    expect(sfn.executions).toHaveLength(1);
  });

  it('rejects with ERR_EXECUTION_NAME when issuer and rotation ids make a name over 80 characters', async () => {
    const error = await start({ ...INPUT, rotationId: 'r'.repeat(63), issuerId: 'i'.repeat(20) }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(ExecutionError);
    expect(error).toMatchObject({ code: 'ERR_EXECUTION_NAME' });
    expect(sfn.calls).toEqual([]);
  });

  it('rejects with ERR_STATE_MACHINE_NOT_FOUND when the stack names a workflow that is gone', async () => {
    machine = machine.replace('KeyturnRotation', 'Deleted');

    await expect(start()).rejects.toMatchObject({ code: 'ERR_STATE_MACHINE_NOT_FOUND' });
  });
});

describe('executionNameOf', () => {
  it('accepts the longest name Step Functions allows, 80 characters', () => {
    expect(executionNameOf('i'.repeat(42), 'r'.repeat(36))).toHaveLength(80);
  });
});

describe('rotationOutcomeOf', () => {
  it('reads the new and the retired kid from the workflow output, ignoring anything malformed', () => {
    expect(
      rotationOutcomeOf({
        generate: { kid: 'n' },
        activate: { kid: 'n', retiredKid: 'o', removeAfter: 't' },
      }),
    ).toEqual({ newKid: 'n', retiredKid: 'o', removeAfter: 't' });
    for (const output of [undefined, null, 'text', [], { activate: 'x' }, { generate: { kid: 3 } }]) {
      expect(rotationOutcomeOf(output)).toEqual({});
    }
  });
});

describe('executionConsoleUrl', () => {
  it.each([
    ['aws', 'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/'],
    ['aws-cn', 'https://eu-west-1.console.amazonaws.cn/states/home?region=eu-west-1#/v2/executions/details/'],
  ])('links an execution of partition %s to its console page', (partition, prefix) => {
    const arn = `arn:${partition}:states:eu-west-1:111122223333:execution:M:demo--r1`;

    expect(executionConsoleUrl(arn)).toBe(`${prefix}${arn}`);
  });
});
