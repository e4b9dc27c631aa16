import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { BUCKET_NAME_PATTERN, DISTRIBUTION_ID_PATTERN } from '#shared/identifiers.ts';
import { KeyturnError } from '../../errors.ts';
import { normalizeIssuerUrl } from '../../issuer/issuer-url.ts';
import { type AwsCallContext, toAwsError } from './aws-errors.ts';
import { cloudFormationClient } from './clients.ts';

/** The CloudFormation stack `npx cdk deploy` creates unless the config names another. */
export const DEFAULT_STACK_NAME = 'Keyturn';

/** What the deployed keyturn stack exports (its CloudFormation outputs), validated. */
export interface KeyturnStackOutputs {
  readonly stackName: string;
  /** `RotationStateMachineArn`: the rotation workflow, one execution per rotation. */
  readonly rotationStateMachineArn: string;
  /** `MaintenanceStateMachineArn`: the hourly maintenance workflow. */
  readonly maintenanceStateMachineArn: string;
  /** `FleetStateMachineArn`: rotates every issuer of the fleet. */
  readonly fleetStateMachineArn: string;
  /** `StateBucketName`: the private bucket holding `keyrings/<issuer>.json`. */
  readonly stateBucketName: string;
  /** `IssuerBucketName`: the private bucket CloudFront serves the issuer documents from. */
  readonly issuerBucketName: string;
  /** `DistributionId`: the CloudFront distribution in front of the issuer bucket. */
  readonly distributionId: string;
  /** `IssuerBaseUrl`: issuer X is `${issuerBaseUrl}/X` (no trailing slash). */
  readonly issuerBaseUrl: string;
  /** `SigningKeyArn`: the customer-managed KMS key that generates and encrypts private keys. */
  readonly signingKeyArn: string;
  /** `KeyringMacKeyArn`: the KMS HMAC key that authenticates every keyring revision. */
  readonly keyringMacKeyArn: string;
  /** `AlarmTopicArn`: the SNS topic of keyturn's alarms. */
  readonly alarmTopicArn: string;
}

/** Why the stack cannot be used. */
export type StackOutputsErrorCode =
  /** No stack by that name in this account and region. */
  | 'ERR_STACK_NOT_FOUND'
  /** The stack is being deployed, failed, or is being deleted. */
  | 'ERR_STACK_NOT_READY'
  /** An output is missing or does not hold what it should. */
  | 'ERR_STACK_OUTPUT';

/** The keyturn stack cannot be used; the message names the stack and what to do. */
export class StackOutputsError extends KeyturnError<StackOutputsErrorCode> {}

/** Options of {@link readStackOutputs}. */
export interface ReadStackOutputsOptions {
  /** @default {@link DEFAULT_STACK_NAME} */
  readonly stackName?: string;
  /** @default the process's CloudFormation client (clients.ts) */
  readonly cloudFormation?: CloudFormationClient;
}

const ARN = 'arn:aws[a-z-]*';
const OUTPUTS: readonly {
  readonly key: string;
  readonly field: Exclude<keyof KeyturnStackOutputs, 'stackName'>;
  readonly pattern: RegExp;
  readonly what: string;
}[] = [
  ...(['Rotation', 'Maintenance', 'Fleet'] as const).map((name) => ({
    key: `${name}StateMachineArn`,
    field: `${name.toLowerCase() as 'rotation' | 'maintenance' | 'fleet'}StateMachineArn` as const,
    pattern: new RegExp(`^${ARN}:states:[a-z0-9-]+:\\d{12}:stateMachine:[\\w-]{1,80}$`),
    what: 'a Step Functions state machine ARN',
  })),
  {
    key: 'StateBucketName',
    field: 'stateBucketName',
    pattern: BUCKET_NAME_PATTERN,
    what: 'an S3 bucket name',
  },
  {
    key: 'IssuerBucketName',
    field: 'issuerBucketName',
    pattern: BUCKET_NAME_PATTERN,
    what: 'an S3 bucket name',
  },
  {
    key: 'DistributionId',
    field: 'distributionId',
    pattern: DISTRIBUTION_ID_PATTERN,
    what: 'a CloudFront distribution id',
  },
  { key: 'IssuerBaseUrl', field: 'issuerBaseUrl', pattern: /^https:\/\/\S+$/, what: 'an https:// URL' },
  {
    key: 'SigningKeyArn',
    field: 'signingKeyArn',
    pattern: new RegExp(`^${ARN}:kms:[a-z0-9-]+:\\d{12}:key/[\\w-]+$`),
    what: 'a KMS key ARN',
  },
  {
    key: 'KeyringMacKeyArn',
    field: 'keyringMacKeyArn',
    pattern: new RegExp(`^${ARN}:kms:[a-z0-9-]+:\\d{12}:key/[\\w-]+$`),
    what: 'a KMS key ARN',
  },
  {
    key: 'AlarmTopicArn',
    field: 'alarmTopicArn',
    pattern: new RegExp(`^${ARN}:sns:[a-z0-9-]+:\\d{12}:[\\w-]{1,256}$`),
    what: 'an SNS topic ARN',
  },
];

/** The output keys the CLI reads; infra/stacks/keyturn-stack.ts declares exactly these (tested). */
export const STACK_OUTPUT_KEYS: readonly string[] = OUTPUTS.map((output) => output.key);

/** Stack statuses whose outputs name resources that exist and are not being changed. */
const USABLE = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
]);

const DEPLOY = 'deploy keyturn with npx cdk deploy';

/**
 * Reads the deployed keyturn stack's outputs (CloudFormation DescribeStacks) into a validated object.
 * Region and credentials are the client's (the SDK's usual environment, or the region it was made for).
 * Fails with StackOutputsError when the stack does not exist, is not in a usable status, or lacks an
 * output or holds a malformed one (each named).
 */
export async function readStackOutputs(options: ReadStackOutputsOptions = {}): Promise<KeyturnStackOutputs> {
  const stackName = options.stackName ?? DEFAULT_STACK_NAME;
  const stack = await describeStack(options.cloudFormation ?? cloudFormationClient(), stackName);
  const status = String(stack.StackStatus);
  if (!USABLE.has(status)) {
    const advice = status.endsWith('_IN_PROGRESS')
      ? 'wait until that finishes, then retry'
      : `look at the stack's events in the CloudFormation console, fix the cause, and ${DEPLOY}`;
    throw new StackOutputsError('ERR_STACK_NOT_READY', `stack ${stackName} is ${status}: ${advice}`);
  }
  const values = new Map((stack.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
  const missing = OUTPUTS.filter(({ key }) => !values.get(key));
  if (missing.length > 0) {
    throw new StackOutputsError(
      'ERR_STACK_OUTPUT',
      `stack ${stackName} has no output ${missing.map(({ key }) => key).join(', ')}: it is not a keyturn stack, or an older one; ${DEPLOY}`,
    );
  }
  const outputs: Record<string, string> = { stackName };
  for (const { key, field, pattern, what } of OUTPUTS) {
    const value = values.get(key) ?? '';
    if (!pattern.test(value)) {
      throw new StackOutputsError(
        'ERR_STACK_OUTPUT',
        `output ${key} of stack ${stackName} is ${JSON.stringify(value)}, not ${what}; ${DEPLOY}`,
      );
    }
    outputs[field] = key === 'IssuerBaseUrl' ? normalizeIssuerUrl(value) : value;
  }
  return outputs as unknown as KeyturnStackOutputs;
}

async function describeStack(client: CloudFormationClient, stackName: string): Promise<Stack> {
  const context: AwsCallContext = {
    service: 'CloudFormation',
    operation: 'DescribeStacks',
    resource: stackName,
  };
  let stacks: Stack[];
  try {
    stacks = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
  } catch (error) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    // CloudFormation answers an unknown stack with a 400 ValidationError "Stack with id X does not exist".
    if (name === 'ValidationError' && /does not exist/.test(String(message))) {
      throw new StackOutputsError(
        'ERR_STACK_NOT_FOUND',
        `no stack ${stackName}${await inRegion(client)}: ${DEPLOY}, or name the stack with --stack and its region with --region`,
        { cause: error },
      );
    }
    throw toAwsError(error, context);
  }
  const stack = stacks[0];
  if (stack === undefined) {
    throw new StackOutputsError('ERR_STACK_NOT_FOUND', `no stack ${stackName}: ${DEPLOY}`);
  }
  return stack;
}

/** ` in eu-west-1` when the client knows its region, for the not-found message. */
async function inRegion(client: CloudFormationClient): Promise<string> {
  try {
    return ` in ${await client.config.region()}`;
  } catch {
    return '';
  }
}
