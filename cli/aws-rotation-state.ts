import { type StartedExecution, startOrJoinExecution } from '#shared/adapters/aws/executions.ts';
import {
  type AttemptKind,
  type AttemptsQuery,
  findRotationAttempts,
  nextAttemptName,
} from '#shared/adapters/aws/rotation-attempts.ts';
import { createStackKeyringStore } from '#shared/adapters/aws/s3-keyring-store.ts';
import type { KeyturnStackOutputs } from '#shared/adapters/aws/stack-outputs.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import type { GoOnCommands } from '#shared/rotation/resume-plan.ts';
import { type AwsTargetOptions, awsTargetFlags } from './aws-target.ts';

/** The keyring of `issuerId` in the stack's state bucket; undefined when the bucket holds none. */
export async function readAwsKeyring(
  stack: KeyturnStackOutputs,
  issuerId: string,
  target: AwsTargetOptions,
): Promise<Keyring | undefined> {
  const store = createStackKeyringStore(stack, target.region);
  return (await store.read(issuerId))?.keyring;
}

/** `keyturn rotate --issuer ID [--stack S] [--region R]` and the same with `--abort`. */
export function awsGoOnCommands(issuerId: string, target: AwsTargetOptions): GoOnCommands {
  const resume = `keyturn rotate --issuer ${issuerId}${awsTargetFlags(target)}`;
  return { resume, abort: `${resume} --abort` };
}

/** Which attempt of which rotation to run. */
export interface AttemptRequest {
  readonly stateMachineArn: string;
  readonly issuerId: string;
  readonly rotationId: string;
  readonly kind: AttemptKind;
  /** The execution input of a new attempt. */
  readonly input: object;
  readonly sfn: AttemptsQuery['sfn'];
}

/**
 * Joins the running execution of the rotation's attempts of `kind`, or starts the next one
 * (shared/adapters/aws/rotation-attempts.ts): how a rotation whose execution ended without ending it is
 * resumed (`run`), and how it is ended (`abort`), without ever running two executions of one kind at once.
 */
export async function startOrJoinAttempt(request: AttemptRequest): Promise<StartedExecution> {
  const query = {
    stateMachineArn: request.stateMachineArn,
    issuerId: request.issuerId,
    rotationId: request.rotationId,
    kind: request.kind,
    sfn: request.sfn,
  };
  const attempts = await findRotationAttempts(query);
  const running = attempts.find((attempt) => attempt.status === 'RUNNING');
  if (running !== undefined) return { executionArn: running.executionArn, joined: true };
  return await startOrJoinExecution({
    stateMachineArn: request.stateMachineArn,
    name: nextAttemptName(query, attempts),
    input: request.input,
    workflow: 'rotation',
    sfn: request.sfn,
  });
}
