import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { isJsonObject } from '../../json.ts';
import { type AwsCallContext, toAwsError } from './aws-errors.ts';
import { sfnClient } from './clients.ts';
import { ExecutionError } from './execution-errors.ts';

/** The input of the rotation workflow (infra/workflows/rotation.asl.json): ids and the mode, never keys. */
export interface RotationExecutionInput {
  readonly issuerId: string;
  readonly rotationId: string;
  readonly mode: 'scheduled' | 'manual' | 'emergency';
  /** The active kid to remove once the new key works (emergency mode). */
  readonly compromisedKid?: string;
  /** Overrides the policy's lead time for this rotation. */
  readonly leadTimeSeconds?: number;
}

/** Options of {@link startRotationExecution}. */
export interface StartRotationOptions {
  /** The stack's `RotationStateMachineArn`. */
  readonly stateMachineArn: string;
  readonly input: RotationExecutionInput;
  /** @default the process's Step Functions client (clients.ts) */
  readonly sfn?: SFNClient;
}

/** The execution a start led to. */
export interface StartedExecution {
  readonly executionArn: string;
  /** True when this rotation had already been started (by anyone): this call joined it. */
  readonly joined: boolean;
}

/** Step Functions execution names: 1 to 80 characters (Standard workflows). */
const MAX_EXECUTION_NAME = 80;

/**
 * `<issuerId>--<rotationId>`: one rotation, one execution. Step Functions refuses a second execution of
 * the same name, which makes a repeated start the same rotation (ONE-SIGNER, RETRY-SAFE).
 */
export function executionNameOf(issuerId: string, rotationId: string): string {
  const name = `${issuerId}--${rotationId}`;
  if (name.length > MAX_EXECUTION_NAME) {
    throw new ExecutionError(
      'ERR_EXECUTION_NAME',
      `execution name ${name} is ${name.length} characters; Step Functions allows ${MAX_EXECUTION_NAME}: use a shorter rotation id`,
    );
  }
  return name;
}

/** The ARN of execution `name` of a state machine (`…:stateMachine:M` → `…:execution:M:name`). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/**
 * Starts one rotation: StartExecution named {@link executionNameOf}, unless DescribeExecution finds that
 * execution already (a rotation id given again, to follow it). Should another start win the race in
 * between, Step Functions answers ExecutionAlreadyExists (or, for the same input, that execution): either
 * way the rotation exists already, and this joins it.
 */
export async function startRotationExecution(options: StartRotationOptions): Promise<StartedExecution> {
  const { stateMachineArn, input } = options;
  const sfn = options.sfn ?? sfnClient();
  const name = executionNameOf(input.issuerId, input.rotationId);
  const expectedArn = executionArnOf(stateMachineArn, name);
  const context: AwsCallContext = { service: 'StepFunctions', operation: 'StartExecution', resource: name };
  if (await executionExists(sfn, expectedArn)) {
    return { executionArn: expectedArn, joined: true };
  }
  try {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return { executionArn: started.executionArn ?? expectedArn, joined: false };
  } catch (error) {
    const awsName = (error as { name?: unknown }).name;
    if (awsName === 'ExecutionAlreadyExists') {
      await describeExecution(sfn, expectedArn);
      return { executionArn: expectedArn, joined: true };
    }
    if (awsName === 'StateMachineDoesNotExist' || awsName === 'StateMachineDeleting') {
      throw new ExecutionError(
        'ERR_STATE_MACHINE_NOT_FOUND',
        `the rotation workflow ${stateMachineArn} does not exist (${awsName}); deploy keyturn with npx cdk deploy`,
        { cause: error },
      );
    }
    throw toAwsError(error, context);
  }
}

/** DescribeExecution, with ExecutionDoesNotExist as ExecutionError `ERR_EXECUTION_NOT_FOUND`. */
export async function describeExecution(sfn: SFNClient, executionArn: string) {
  try {
    return await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as { name?: unknown }).name === 'ExecutionDoesNotExist') {
      throw new ExecutionError(
        'ERR_EXECUTION_NOT_FOUND',
        `execution ${executionArn} does not exist (Step Functions keeps ended executions for 90 days)`,
        { cause: error },
      );
    }
    throw toAwsError(error, {
      service: 'StepFunctions',
      operation: 'DescribeExecution',
      resource: executionArn,
    });
  }
}

async function executionExists(sfn: SFNClient, executionArn: string): Promise<boolean> {
  try {
    await describeExecution(sfn, executionArn);
    return true;
  } catch (error) {
    if (error instanceof ExecutionError && error.code === 'ERR_EXECUTION_NOT_FOUND') return false;
    throw error;
  }
}

/** What a succeeded rotation reports in its output: the new kid and the key it retired. */
export interface RotationOutcome {
  readonly newKid?: string;
  readonly retiredKid?: string;
  /** When the retired key leaves keys.json (ISO time). */
  readonly removeAfter?: string;
}

/** Reads the rotation workflow's output (`$.generate.kid`, `$.activate.retiredKid`/`removeAfter`). */
export function rotationOutcomeOf(output: unknown): RotationOutcome {
  const state = isJsonObject(output) ? output : {};
  const generate = isJsonObject(state.generate) ? state.generate : {};
  const activate = isJsonObject(state.activate) ? state.activate : {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const newKid = text(activate.kid) ?? text(generate.kid);
  const retiredKid = text(activate.retiredKid);
  const removeAfter = text(activate.removeAfter);
  return {
    ...(newKid === undefined ? {} : { newKid }),
    ...(retiredKid === undefined ? {} : { retiredKid }),
    ...(removeAfter === undefined ? {} : { removeAfter }),
  };
}

/** The execution's page in the Step Functions console (aws, aws-cn and aws-us-gov partitions). */
export function executionConsoleUrl(executionArn: string): string {
  const [, partition, , region] = executionArn.split(':');
  const host =
    partition === 'aws-cn'
      ? `${region}.console.amazonaws.cn`
      : partition === 'aws-us-gov'
        ? `${region}.console.amazonaws-us-gov.com`
        : `${region}.console.aws.amazon.com`;
  return `https://${host}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
