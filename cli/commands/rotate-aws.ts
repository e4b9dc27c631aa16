import { sfnClient } from '#shared/adapters/aws/clients.ts';
import { executionConsoleUrl } from '#shared/adapters/aws/executions.ts';
import {
  type RotationExecutionInput,
  rotationOutcomeOf,
  startRotationExecution,
} from '#shared/adapters/aws/rotation-executions.ts';
import type { KeyturnStackOutputs } from '#shared/adapters/aws/stack-outputs.ts';
import { KeyturnError } from '#shared/errors.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import { assertEmergencyTarget, describeRotationKeys, newRotationId } from '#shared/rotation/index.ts';
import { assertLeadTimeFits } from '#shared/rotation/lead-time-bound.ts';
import { type GoOnCommands, planRotation } from '#shared/rotation/resume-plan.ts';
import { describeFailedEnd, followToEnd } from '../aws-follow.ts';
import { awsGoOnCommands, readAwsKeyring, startOrJoinAttempt } from '../aws-rotation-state.ts';
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
  /** `wait`: `--no-reboot`, the compromised key leaves keys.json at once (workloads lose STS until kubelet refreshes). */
  readonly tokenRefresh?: 'wait' | 'reboot';
  /** Follow the execution until it ends (else return once it started). */
  readonly follow: boolean;
}

/** The rotation workflow ended without rotating: it failed (and rolled back), timed out or was aborted. */
export class RotationFailedError extends KeyturnError<'ERR_ROTATION_FAILED'> {}

/**
 * Starts the deployed rotation workflow (found through the stack's outputs) as execution
 * `<issuer>--<rotation>`, joins it if that rotation already exists, and follows it step by step with the
 * local run's progress display until it ends. A rotation the keyring shows in flight is resumed instead
 * (RECOVERABLE): its running execution is joined, or, when that execution ended without ending the
 * rotation (stopped, timed out), a further execution of the same rotation id re-enters the workflow, each
 * step skipping what is done. `confirm` runs once the request is known to be valid, before anything starts.
 * Ctrl-C stops following only.
 */
export async function rotateOnAws(
  io: CliIo,
  request: AwsRotateRequest,
  confirm: () => Promise<void> = async () => undefined,
): Promise<void> {
  const stack = await readStack(request);
  const sfn = sfnClient(request.region);
  const goOn = awsGoOnCommands(request.issuerId, request);
  const keyring = await readAwsKeyring(stack, request.issuerId, request);
  if (keyring !== undefined && request.emergencyKid !== undefined) {
    assertEmergencyTarget(keyring, request.emergencyKid);
  }
  const planned =
    keyring === undefined
      ? { resumed: false, input: rotationInputOf(request) }
      : planRotation(keyring, request, goOn, new Date());
  const { input } = planned;
  const { issuerId, rotationId } = input;
  if (!planned.resumed) refuseShortLeadTime(input, keyring);
  await confirm();
  const { executionArn, joined } = planned.resumed
    ? await startOrJoinAttempt({
        stateMachineArn: stack.rotationStateMachineArn,
        issuerId,
        rotationId,
        kind: 'run',
        input,
        sfn,
      })
    : await startRotationExecution({ stateMachineArn: stack.rotationStateMachineArn, input, sfn });
  const consoleUrl = executionConsoleUrl(executionArn);
  const followAgain = `keyturn rotate --issuer ${issuerId} --rotation-id ${rotationId}${awsTargetFlags(request)}`;
  const resuming =
    planned.resumed && keyring?.rotation !== undefined
      ? `Resuming rotation ${rotationId} of issuer ${issuerId} (started ${keyring.rotation.startedAt}, ${describeRotationKeys(keyring, keyring.rotation)})\n` +
        `  ${joined ? 'its execution is still running: following it' : 'its last execution ended without ending it: started a further execution of the same rotation'}\n`
      : undefined;
  io.err(
    (resuming ??
      `${joined ? 'Joined' : 'Started'} rotation ${rotationId} of issuer ${issuerId}${joined ? ', started earlier' : ` (${input.mode})`}\n`) +
      `  execution: ${executionArn}\n  console:   ${consoleUrl}\n`,
  );
  if (!request.follow) {
    io.out(`${executionArn}\n`);
    io.err(`Not following it. Follow it with: ${followAgain}\n`);
    return;
  }
  io.err('Following it (one line per workflow step; Ctrl-C stops following, not the rotation):\n');
  const end = await followToEnd(io, {
    executionArn,
    sfn,
    progress: progressOf(io, input, keyring),
    stoppedMessage: `stopped following; rotation ${rotationId} goes on in AWS (${consoleUrl}). Follow it again with: ${followAgain}`,
  });
  if (end.status !== 'SUCCEEDED') {
    throw new RotationFailedError(
      'ERR_ROTATION_FAILED',
      describeFailedEnd(`rotation ${rotationId} of issuer ${issuerId}`, end, consoleUrl) +
        (await stillInFlight(stack, input, request, goOn)),
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

/**
 * After an execution that did not succeed: when the rotation is still in flight (the execution was stopped
 * or timed out; a rollback that could not finish), what state its keys are in and the two commands that go
 * on; else nothing (it rolled back, or never started).
 */
async function stillInFlight(
  stack: KeyturnStackOutputs,
  input: RotationExecutionInput,
  target: AwsTargetOptions,
  goOn: GoOnCommands,
): Promise<string> {
  const keyring = await readAwsKeyring(stack, input.issuerId, target).catch(() => undefined);
  const rotation = keyring?.rotation;
  if (keyring === undefined || rotation?.id !== input.rotationId) return '';
  return (
    ` Rotation ${rotation.id} is still in flight (${describeRotationKeys(keyring, rotation)}).` +
    ` Resume it with ${goOn.resume}, or end it safely with ${goOn.abort}`
  );
}

/** The step-by-step display, counting the lead-time wait down from `--lead-time` or the issuer's policy. */
function progressOf(io: CliIo, input: RotationExecutionInput, keyring: Keyring | undefined) {
  const leadTimeSeconds = input.leadTimeSeconds ?? keyring?.policy.leadTimeSeconds;
  return createRotationProgress(io.err, {
    tty: io.errIsTerminal === true,
    ...(leadTimeSeconds === undefined ? {} : { leadTimeSeconds }),
  });
}

/**
 * Refuses a new rotation's lead time (`--lead-time`, else the issuer's policy) below keys.json's max-age
 * outside an emergency, as the deployed prepare step would, before anything starts.
 */
function refuseShortLeadTime(input: RotationExecutionInput, keyring: Keyring | undefined): void {
  const leadTimeSeconds = input.leadTimeSeconds ?? keyring?.policy.leadTimeSeconds;
  if (leadTimeSeconds === undefined) return;
  assertLeadTimeFits(input.issuerId, leadTimeSeconds, input.mode, 'refuse');
}

function rotationInputOf(request: AwsRotateRequest): RotationExecutionInput {
  return {
    issuerId: request.issuerId,
    rotationId: request.rotationId ?? newRotationId(new Date()),
    mode: request.emergencyKid === undefined ? 'manual' : 'emergency',
    ...(request.emergencyKid === undefined ? {} : { compromisedKid: request.emergencyKid }),
    ...(request.leadTimeSeconds === undefined ? {} : { leadTimeSeconds: request.leadTimeSeconds }),
    ...(request.tokenRefresh === undefined ? {} : { tokenRefresh: request.tokenRefresh }),
  };
}
