import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsSetupError, AwsThrottledError } from '#shared/adapters/aws/aws-errors.ts';
import { readStackOutputs, StackOutputsError } from '#shared/adapters/aws/stack-outputs.ts';
import { createFakeCloudFormation, type FakeCloudFormation } from '#test/fakes/aws/fake-cloudformation.ts';

const OUTPUTS = {
  RotationStateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:KeyturnRotation',
  MaintenanceStateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:KeyturnMaintenance',
  FleetStateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:KeyturnFleet',
  StateBucketName: 'keyturn-state-111122223333',
  IssuerBucketName: 'keyturn-issuers-111122223333',
  DistributionId: 'E2KEYTURNTEST',
  IssuerBaseUrl: 'https://oidc.example.com/',
  SigningKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  KeyringMacKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890ab',
  AlarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:keyturn-alarms',
} as const;

describe('readStackOutputs', () => {
  let cloudFormation: FakeCloudFormation;
  const client = new CloudFormationClient({ region: 'eu-west-1', maxAttempts: 1 });
  const read = (stackName?: string) =>
    readStackOutputs({ cloudFormation: client, ...(stackName ? { stackName } : {}) });

  beforeEach(() => {
    cloudFormation = createFakeCloudFormation();
    cloudFormation.install();
  });
  afterEach(() => cloudFormation.restore());

  it('reads the outputs of the Keyturn stack into a typed object, the base URL without its slash', async () => {
    // Prepare
    cloudFormation.putStack('Keyturn', { outputs: OUTPUTS });

    // Act
    const outputs = await read();

    // Assess
    expect(outputs).toEqual({
      stackName: 'Keyturn',
      rotationStateMachineArn: OUTPUTS.RotationStateMachineArn,
      maintenanceStateMachineArn: OUTPUTS.MaintenanceStateMachineArn,
      fleetStateMachineArn: OUTPUTS.FleetStateMachineArn,
      stateBucketName: OUTPUTS.StateBucketName,
      issuerBucketName: OUTPUTS.IssuerBucketName,
      distributionId: OUTPUTS.DistributionId,
      issuerBaseUrl: 'https://oidc.example.com',
      signingKeyArn: OUTPUTS.SigningKeyArn,
      keyringMacKeyArn: OUTPUTS.KeyringMacKeyArn,
      alarmTopicArn: OUTPUTS.AlarmTopicArn,
    });
    expect(cloudFormation.calls.map((call) => call.input)).toEqual([{ StackName: 'Keyturn' }]);
  });

  it('rejects with ERR_STACK_NOT_FOUND, saying how to deploy, when the stack does not exist', async () => {
    cloudFormation.putStack('Keyturn', { outputs: OUTPUTS });

    const error = await read('KeyturnProd').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StackOutputsError);
    expect(error).toMatchObject({ code: 'ERR_STACK_NOT_FOUND' });
    expect((error as Error).message).toMatch(
      /no stack KeyturnProd in eu-west-1: deploy keyturn with npx cdk deploy/,
    );
  });

  it.each([
    ['CREATE_IN_PROGRESS', /wait until that finishes/],
    ['UPDATE_IN_PROGRESS', /wait until that finishes/],
    ['ROLLBACK_COMPLETE', /npx cdk deploy/],
    ['CREATE_FAILED', /npx cdk deploy/],
    ['DELETE_IN_PROGRESS', /wait until that finishes/],
    ['UPDATE_ROLLBACK_FAILED', /npx cdk deploy/],
  ])('rejects with ERR_STACK_NOT_READY when the stack is %s', async (status, advice) => {
    cloudFormation.putStack('Keyturn', { status, outputs: OUTPUTS });

    const error = await read().catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'ERR_STACK_NOT_READY' });
    expect((error as Error).message).toContain(`stack Keyturn is ${status}`);
    expect((error as Error).message).toMatch(advice);
  });

  it.each(['UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'])(
    'accepts a stack in %s, whose outputs name resources that exist',
    async (status) => {
      cloudFormation.putStack('Keyturn', { status, outputs: OUTPUTS });

      await expect(read()).resolves.toMatchObject({ stackName: 'Keyturn' });
    },
  );

  it('rejects with ERR_STACK_OUTPUT naming every missing output when the stack lacks some', async () => {
    const { DistributionId: _distribution, SigningKeyArn: _key, ...partial } = OUTPUTS;
    cloudFormation.putStack('Keyturn', { outputs: partial });

    const error = await read().catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'ERR_STACK_OUTPUT' });
    expect((error as Error).message).toContain('has no output DistributionId, SigningKeyArn');
  });

  it.each([
    ['RotationStateMachineArn', 'arn:aws:lambda:eu-west-1:111122223333:function:x'],
    ['StateBucketName', 'Not_A_Bucket'],
    ['DistributionId', 'd111.cloudfront.net'],
    ['IssuerBaseUrl', 'http://oidc.example.com'],
    ['SigningKeyArn', 'alias/keyturn'],
    ['KeyringMacKeyArn', 'alias/keyturn-keyrings'],
    ['AlarmTopicArn', 'keyturn-alarms'],
  ])('rejects with ERR_STACK_OUTPUT when output %s holds %j', async (key, value) => {
    cloudFormation.putStack('Keyturn', { outputs: { ...OUTPUTS, [key]: value } });

    const error = await read().catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'ERR_STACK_OUTPUT' });
    expect((error as Error).message).toContain(`output ${key} of stack Keyturn is ${JSON.stringify(value)}`);
  });

  it('rejects with a typed AWS error when CloudFormation throttles the call', async () => {
    cloudFormation.putStack('Keyturn', { outputs: OUTPUTS });
    cloudFormation.throttleNext();

    await expect(read()).rejects.toBeInstanceOf(AwsThrottledError);
  });

  it.each([
    ['no region is configured', () => new Error('Region is missing'), /set AWS_REGION.*--region/],
    [
      'no credentials are found',
      () =>
        Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        }),
      /no usable AWS credentials.*aws sso login/,
    ],
  ])('rejects with ERR_AWS_SETUP, saying how to fix it, when %s', async (_case, makeError, advice) => {
    cloudFormation.failNext('DescribeStacksCommand', makeError);

    const error = await read().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AwsSetupError);
    expect(error).toMatchObject({ code: 'ERR_AWS_SETUP' });
    expect((error as Error).message).toMatch(advice);
  });
});
