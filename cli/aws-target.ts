import type { Command } from 'commander';
import { cloudFormationClient } from '#shared/adapters/aws/clients.ts';
import {
  DEFAULT_STACK_NAME,
  type KeyturnStackOutputs,
  readStackOutputs,
} from '#shared/adapters/aws/stack-outputs.ts';

/** Where a command finds the deployed keyturn: the stack's name and region. */
export interface AwsTargetOptions {
  /** `--stack`: the CloudFormation stack `npx cdk deploy` created. */
  stack?: string;
  /** `--region`: the stack's region, else the SDK's (AWS_REGION, the profile's region). */
  region?: string;
}

/** Adds `--stack NAME` and `--region REGION` to a command. */
export function addAwsTargetOptions(command: Command): Command {
  return command
    .option('--stack <name>', `the deployed keyturn stack (default: ${DEFAULT_STACK_NAME})`)
    .option('--region <region>', 'its AWS region (default: AWS_REGION or the profile’s region)');
}

/** True when the command line named the stack or region, which asks for AWS. */
export function namesAwsTarget(options: AwsTargetOptions): boolean {
  return options.stack !== undefined || options.region !== undefined;
}

/** The deployed stack's outputs, read with CloudFormation in the chosen region. */
export function readStack(options: AwsTargetOptions): Promise<KeyturnStackOutputs> {
  return readStackOutputs({
    stackName: options.stack ?? DEFAULT_STACK_NAME,
    cloudFormation: cloudFormationClient(options.region),
  });
}

/** `--stack S --region R` as given, to repeat in a suggested command; empty for the defaults. */
export function awsTargetFlags(options: AwsTargetOptions): string {
  return [
    ...(options.stack === undefined ? [] : [`--stack ${options.stack}`]),
    ...(options.region === undefined ? [] : [`--region ${options.region}`]),
  ]
    .map((flag) => ` ${flag}`)
    .join('');
}
