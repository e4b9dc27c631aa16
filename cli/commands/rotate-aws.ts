import { sfnClient } from '#shared/adapters/aws/clients.ts';
import { executionConsoleUrl } from '#shared/adapters/aws/executions.ts';
import { followExecution } from '#shared/adapters/aws/follow-execution.ts';
import {
  type RotationExecutionInput,
  rotationOutcomeOf,
  startRotationExecution,
} from '#shared/adapters/aws/rotation-executions.ts';
import { KeyturnError } from '#shared/errors.ts';
import { newRotationId } from '#shared/rotation/index.ts';
import { describeFailedEnd, FollowStoppedError, followControlsOf } from '../aws-follow.ts';
import { type AwsTargetOptions, awsTargetFlags, readStack } from '../aws-target.ts';
import type { CliIo } from '../io.ts';
import { createRotationProgress } from '../rotation-progress.ts';

/** One rotation to run in AWS. */
export interface AwsRotateRequest extends AwsTargetOptions {
  readonly issuerId: string;
  /** @default a new rotation id */
  readonly rotationId?: string;
  /** Runs an emergency rotation that removes this (active) kid. */
  readonly emergencyKid?: string;
  readonly leadTimeSeconds?: number;
  /** Follow the execution until it ends (else return once it started). */
  readonly follow: boolean;
}

/** The rotation workflow ended without rotating: it failed (and rolled back), timed out or was aborted. */
export class RotationFailedError extends KeyturnError<'ERR_ROTATION_FAILED'> {}

/**
 * Starts the deployed rotation workflow (found through the stack's outputs) as execution
 * `<issuer>--<rotation>`, joins it if that rotation already exists, and follows it step by step with the
 * local run's progress display until it ends. Ctrl-C stops following only.
 */
export async function rotateOnAws(io: CliIo, request: AwsRotateRequest): Promise<void> {
  const stack = await readStack(request);
  const sfn = sfnClient(request.region);
  const input = rotationInputOf(request);
  const { issuerId, rotationId } = input;
  const { executionArn, joined } = await startRotationExecution({
    stateMachineArn: stack.rotationStateMachineArn,
    input,
    sfn,
  });
  const consoleUrl = executionConsoleUrl(executionArn);
  const followAgain = `keyturn rotate --issuer ${issuerId} --rotation-id ${rotationId}${awsTargetFlags(request)}`;
  io.err(
    `${joined ? 'Joined' : 'Started'} rotation ${rotationId} of issuer ${issuerId}${joined ? ', started earlier' : ` (${input.mode})`}\n` +
      `  execution: ${executionArn}\n  console:   ${consoleUrl}\n`,
  );
  if (!request.follow) {
    io.out(`${executionArn}\n`);
    io.err(`Not following it. Follow it with: ${followAgain}\n`);
    return;
  }
  io.err('Following it (one line per workflow step; Ctrl-C stops following, not the rotation):\n');
  const progress = createRotationProgress(io.err);
  const followed = await followExecution({
    executionArn,
    sfn,
    onEvent: progress.onEvent,
    ...followControlsOf(io),
  }).finally(progress.finish);
  if (followed.outcome === 'stopped') {
    throw new FollowStoppedError(
      'ERR_FOLLOW_STOPPED',
      `stopped following; rotation ${rotationId} goes on in AWS (${consoleUrl}). Follow it again with: ${followAgain}`,
    );
  }
  const { end } = followed;
  if (end.status !== 'SUCCEEDED') {
    throw new RotationFailedError(
      'ERR_ROTATION_FAILED',
      describeFailedEnd(`rotation ${rotationId} of issuer ${issuerId}`, end, consoleUrl),
    );
  }
  const outcome = rotationOutcomeOf(end.output);
  const retired =
    outcome.retiredKid === undefined
      ? ''
      : `  old key: ${outcome.retiredKid} (retired${outcome.removeAfter === undefined ? '' : `, leaves keys.json after ${outcome.removeAfter}`})\n`;
  io.out(
    `Rotated issuer ${issuerId} (rotation ${rotationId})\n${retired}` +
      `  new key: ${outcome.newKid ?? '(see keyturn status)'} (active, verified against the public keys.json)\n` +
      `  execution: ${executionArn}\n  console:   ${consoleUrl}\n` +
      `See the keyring with: keyturn status --aws --issuer ${issuerId}${awsTargetFlags(request)}\n`,
  );
}

function rotationInputOf(request: AwsRotateRequest): RotationExecutionInput {
  return {
    issuerId: request.issuerId,
    rotationId: request.rotationId ?? newRotationId(new Date()),
    mode: request.emergencyKid === undefined ? 'manual' : 'emergency',
    ...(request.emergencyKid === undefined ? {} : { compromisedKid: request.emergencyKid }),
    ...(request.leadTimeSeconds === undefined ? {} : { leadTimeSeconds: request.leadTimeSeconds }),
  };
}
