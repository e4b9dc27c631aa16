import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type AwsCallContext, toAwsError } from './aws-errors.ts';
import { sfnClient } from './clients.ts';
import { ExecutionError } from './execution-errors.ts';

/** Options of {@link startOrJoinExecution}. */
export interface StartOrJoinOptions {
  /** One of the stack's state machine ARNs. */
  readonly stateMachineArn: string;
  /** The execution name: one name, one execution (Step Functions keeps names for 90 days). */
  readonly name: string;
  /** The execution input: ids and settings, never keys. */
  readonly input: object;
  /** Names the workflow in messages: `rotation`, `fleet`, `maintenance`. */
  readonly workflow: string;
  /** @default the process's Step Functions client (clients.ts) */
  readonly sfn?: SFNClient;
}

/** The execution a start led to. */
export interface StartedExecution {
  readonly executionArn: string;
  /** True when an execution of this name had already been started (by anyone): this call joined it. */
  readonly joined: boolean;
}

/** The ARN of execution `name` of a state machine (`…:stateMachine:M` → `…:execution:M:name`). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/**
 * Starts execution `name`, unless DescribeExecution finds it already (a name given again, to follow it).
 * Should another start win the race in between, Step Functions answers ExecutionAlreadyExists (or, for
 * the same input, that execution): either way the execution exists already, and this joins it.
 */
export async function startOrJoinExecution(options: StartOrJoinOptions): Promise<StartedExecution> {
  const { stateMachineArn, name, workflow } = options;
  const sfn = options.sfn ?? sfnClient();
  const expectedArn = executionArnOf(stateMachineArn, name);
  const context: AwsCallContext = { service: 'StepFunctions', operation: 'StartExecution', resource: name };
  if (await executionExists(sfn, expectedArn)) {
    return { executionArn: expectedArn, joined: true };
  }
  try {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(options.input) }),
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
        `the ${workflow} workflow ${stateMachineArn} does not exist (${awsName}); deploy keyturn with npx cdk deploy`,
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

/** Parses an execution's output or input (JSON text); undefined when absent or not JSON. */
export function parseExecutionJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
