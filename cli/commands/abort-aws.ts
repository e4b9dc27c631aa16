import { sfnClient } from '#shared/adapters/aws/clients.ts';
import { executionConsoleUrl } from '#shared/adapters/aws/executions.ts';
import { findRotationAttempts, stopExecution } from '#shared/adapters/aws/rotation-attempts.ts';
import { isJsonObject } from '#shared/json.ts';
import { IssuerNotFoundError } from '#shared/keyring/errors.ts';
import { AbortFailedError } from '#shared/rotation/errors.ts';
import { type AbortResult, describeRotationKeys, requireRotationToAbort } from '#shared/rotation/index.ts';
import { describeAbort } from '../abort-report.ts';
import { describeFailedEnd, followToEnd } from '../aws-follow.ts';
import { awsGoOnCommands, readAwsKeyring, startOrJoinAttempt } from '../aws-rotation-state.ts';
import { type AwsTargetOptions, awsTargetFlags, readStack } from '../aws-target.ts';
import type { CliIo } from '../io.ts';
import { createRotationProgress } from '../rotation-progress.ts';

/** The abort to run in AWS. */
export interface AwsAbortRequest extends AwsTargetOptions {
  readonly issuerId: string;
  /** Follow the abort execution until it ends (else return once it started). */
  readonly follow: boolean;
}

/**
 * `keyturn rotate --abort --issuer ID` in AWS (RECOVERABLE): reads the rotation in flight from the state
 * bucket, stops its running execution (StopExecution), then starts the rotation workflow with
 * `action: "abort"` as execution `<issuer>--<rotation>--abort` (its Abort task runs
 * shared/rotation/abort.ts with the functions' own permissions) and follows it. An abort already running is
 * joined; one that failed is run again under the next name. Fails with ERR_ROTATION_NOT_IN_FLIGHT when
 * there is nothing to abort, and ERR_ABORT_FAILED (the rotation stays in flight) when the abort failed.
 */
export async function abortOnAws(io: CliIo, request: AwsAbortRequest): Promise<void> {
  const stack = await readStack(request);
  const sfn = sfnClient(request.region);
  const { issuerId } = request;
  const goOn = awsGoOnCommands(issuerId, request);
  const keyring = await readAwsKeyring(stack, issuerId, request);
  if (keyring === undefined) {
    throw new IssuerNotFoundError(
      'ERR_ISSUER_NOT_FOUND',
      `issuer ${issuerId} has no keyring in s3://${stack.stateBucketName}/keyrings/ (stack ${stack.stackName}); see the issuers with keyturn status --aws${awsTargetFlags(request)}`,
    );
  }
  const rotation = requireRotationToAbort(keyring);
  const where = { stateMachineArn: stack.rotationStateMachineArn, issuerId, rotationId: rotation.id, sfn };
  const runs = await findRotationAttempts({ ...where, kind: 'run' });
  for (const run of runs.filter((attempt) => attempt.status === 'RUNNING')) {
    await stopExecution(sfn, run.executionArn, `keyturn rotate --abort: ending rotation ${rotation.id}`);
    io.err(`Stopped execution ${run.executionArn}\n`);
  }
  const { executionArn, joined } = await startOrJoinAttempt({
    ...where,
    kind: 'abort',
    input: { issuerId, rotationId: rotation.id, mode: rotation.mode, action: 'abort' },
  });
  const consoleUrl = executionConsoleUrl(executionArn);
  io.err(
    `${joined ? 'Joined the abort, started earlier,' : 'Aborting'} of rotation ${rotation.id} of issuer ${issuerId} (${describeRotationKeys(keyring, rotation)})\n` +
      `  execution: ${executionArn}\n  console:   ${consoleUrl}\n`,
  );
  if (!request.follow) {
    io.out(`${executionArn}\n`);
    io.err(
      `Not following it. See how it ended with: keyturn status --aws --issuer ${issuerId}${awsTargetFlags(request)}\n`,
    );
    return;
  }
  const end = await followToEnd(io, {
    executionArn,
    sfn,
    progress: createRotationProgress(io.err, { tty: io.errIsTerminal === true }),
    stoppedMessage: `stopped following; the abort of rotation ${rotation.id} goes on in AWS (${consoleUrl}). Run ${goOn.abort} again to follow it`,
  });
  if (end.status !== 'SUCCEEDED') {
    throw new AbortFailedError(
      'ERR_ABORT_FAILED',
      `${describeFailedEnd(`the abort of rotation ${rotation.id} of issuer ${issuerId}`, end, consoleUrl)} ` +
        `The rotation stays in flight and both keys stay published (keyturn status --aws --issuer ${issuerId}${awsTargetFlags(request)} shows why); fix the cause and run ${goOn.abort} again`,
    );
  }
  const after = (await readAwsKeyring(stack, issuerId, request)) ?? keyring;
  const result = abortResultOf(end.output, rotation.id);
  io.out(describeAbort(issuerId, result, after, `keyturn maintain --aws${awsTargetFlags(request)}`));
}

const NEW_KEY = new Set(['dropped', 'kept', 'none']);
const STAGES = new Set(['prepared', 'generated', 'published', 'pushed', 'verified']);

/** The Abort task's result (`$.abort` of the execution output), read field by field. */
function abortResultOf(output: unknown, rotationId: string): AbortResult {
  const abort = isJsonObject(output) && isJsonObject(output.abort) ? output.abort : {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const newKid = text(abort.newKid);
  const newKey = text(abort.newKey);
  const stage = text(abort.stage);
  return {
    rotationId,
    stage: stage !== undefined && STAGES.has(stage) ? (stage as AbortResult['stage']) : 'prepared',
    activeKid: text(abort.activeKid),
    ...(newKid === undefined ? {} : { newKid }),
    newKey: newKey !== undefined && NEW_KEY.has(newKey) ? (newKey as AbortResult['newKey']) : 'none',
    pushedBack: abort.pushedBack === true,
  };
}
