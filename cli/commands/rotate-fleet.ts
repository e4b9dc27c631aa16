import { sfnClient } from '#shared/adapters/aws/clients.ts';
import { executionConsoleUrl } from '#shared/adapters/aws/executions.ts';
import {
  type FleetIssuerResult,
  fleetResultsOf,
  followFleetExecution,
  readFleetItems,
  startFleetExecution,
} from '#shared/adapters/aws/fleet-executions.ts';
import type { ExecutionEnd } from '#shared/adapters/aws/follow-execution.ts';
import type { MapRunProgress } from '#shared/adapters/aws/map-runs.ts';
import { KeyturnError } from '#shared/errors.ts';
import { newRotationId } from '#shared/rotation/index.ts';
import { describeFailedEnd, FollowStoppedError, followControlsOf } from '../aws-follow.ts';
import { briefList, selectAwsIssuers } from '../aws-issuers.ts';
import { type AwsTargetOptions, awsTargetFlags, readStack } from '../aws-target.ts';
import {
  describeFleetIssuers,
  describeFleetProgress,
  describeFleetTally,
  mergeFleetResults,
  plannedIssuers,
} from '../fleet-report.ts';
import type { CliIo } from '../io.ts';

/** The bounds of a fleet rotation unless the command line sets them: keyturn.config.json's defaults. */
export const FLEET_DEFAULTS = { maxConcurrency: 2, toleratedFailurePercentage: 0 } as const;

/** One fleet rotation to run in AWS. */
export interface AwsFleetRequest extends AwsTargetOptions {
  /** @default every issuer with a keyring in the state bucket */
  readonly issuerIds?: readonly string[];
  /** @default {@link FLEET_DEFAULTS} */
  readonly maxConcurrency?: number;
  /** @default {@link FLEET_DEFAULTS} */
  readonly toleratedFailurePercentage?: number;
  /** Names the fleet run (execution `fleet--<id>`); an existing run of that id is followed. @default a new id */
  readonly runId?: string;
  /** Follow the execution until it ends (else return once it started). */
  readonly follow: boolean;
}

/** The fleet workflow failed: more issuers failed than tolerated, or it timed out or was aborted. */
export class FleetRotationFailedError extends KeyturnError<'ERR_FLEET_FAILED'> {}

/** The item statuses of rotations that did not succeed. */
const NOT_SUCCEEDED = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** The error a Distributed Map fails with when more items failed than its tolerated share. */
const THRESHOLD_EXCEEDED = 'States.ExceedToleratedFailureThreshold';

/**
 * Starts the deployed fleet workflow (execution `fleet--<run id>`) for the chosen issuers, follows it with
 * a line when the map run starts and one each time its item counts change, then prints one line per
 * issuer: the results of a fleet that succeeded, and the failed rotations (from the map run's failed child
 * executions) with their errors. Ctrl-C stops following only.
 */
export async function rotateFleetOnAws(io: CliIo, request: AwsFleetRequest): Promise<void> {
  const stack = await readStack(request);
  const sfn = sfnClient(request.region);
  const issuerIds = await selectAwsIssuers(stack, {
    ...request,
    ...(request.issuerIds === undefined ? {} : { requested: request.issuerIds }),
  });
  const runId = request.runId ?? newRotationId(new Date());
  const input = {
    issuerIds,
    mode: 'manual' as const,
    maxConcurrency: request.maxConcurrency ?? FLEET_DEFAULTS.maxConcurrency,
    toleratedFailurePercentage:
      request.toleratedFailurePercentage ?? FLEET_DEFAULTS.toleratedFailurePercentage,
  };
  const { executionArn, joined } = await startFleetExecution({
    stateMachineArn: stack.fleetStateMachineArn,
    runId,
    input,
    sfn,
  });
  const consoleUrl = executionConsoleUrl(executionArn);
  const followAgain = `keyturn rotate --fleet --rotation-id ${runId}${awsTargetFlags(request)}`;
  const what = joined
    ? ', started earlier'
    : ` of ${issuerIds.length} issuer${issuerIds.length === 1 ? '' : 's'} (${briefList(issuerIds)}), ` +
      `at most ${input.maxConcurrency} at once, tolerating ${input.toleratedFailurePercentage} % failed`;
  io.err(
    `${joined ? 'Joined' : 'Started'} fleet rotation ${runId}${what}\n` +
      `  execution: ${executionArn}\n  console:   ${consoleUrl}\n`,
  );
  if (!request.follow) {
    io.out(`${executionArn}\n`);
    io.err(`Not following it. Follow it with: ${followAgain}\n`);
    return;
  }
  io.err('Following it (Ctrl-C stops following, not the rotations):\n');
  const { followed, mapRun } = await followFleetExecution({
    executionArn,
    sfn,
    onMapRunStarted: (mapRunArn) => io.err(`  … map run started: ${mapRunArn}\n`),
    onProgress: (progress) => io.err(`  ${describeFleetProgress(progress.counts)}\n`),
    ...followControlsOf(io),
  });
  if (followed.outcome === 'stopped') {
    throw new FollowStoppedError(
      'ERR_FOLLOW_STOPPED',
      `stopped following; fleet rotation ${runId} goes on in AWS (${consoleUrl}). Follow it again with: ${followAgain}`,
    );
  }
  const { end } = followed;
  const results = await readFleetResults(sfn, stack.rotationStateMachineArn, end, mapRun, issuerIds);
  if (mapRun !== undefined || results.length > 0) {
    const verdict = end.status === 'SUCCEEDED' ? 'succeeded' : 'failed';
    const tally = mapRun === undefined ? `${results.length} issuers` : describeFleetTally(mapRun.counts);
    io.out(`Fleet rotation ${runId} ${verdict}: ${tally}\n${describeFleetIssuers(results)}`);
  }
  if (end.status === 'SUCCEEDED') {
    io.out(`See a keyring with: keyturn status --aws --issuer ID${awsTargetFlags(request)}\n`);
    return;
  }
  throw fleetFailureOf(`fleet rotation ${runId}`, end, mapRun, input.toleratedFailurePercentage, consoleUrl);
}

/**
 * One line per issuer of the run: a succeeded fleet's output lists each rotation, and the map run's
 * children tell what did not succeed; a failed fleet has no output, so its children tell everything.
 */
async function readFleetResults(
  sfn: ReturnType<typeof sfnClient>,
  rotationStateMachineArn: string,
  end: ExecutionEnd,
  mapRun: MapRunProgress | undefined,
  issuerIds: readonly string[],
): Promise<FleetIssuerResult[]> {
  const succeeded = end.status === 'SUCCEEDED';
  const items =
    mapRun === undefined
      ? []
      : await readFleetItems({
          mapRun,
          statuses: succeeded ? NOT_SUCCEEDED : ['SUCCEEDED', ...NOT_SUCCEEDED],
          rotationStateMachineArn,
          sfn,
        });
  return mergeFleetResults(
    plannedIssuers(end.input) ?? issuerIds,
    succeeded ? fleetResultsOf(end.output) : [],
    items,
  );
}

/** The error of a fleet that failed: over its tolerated share (said plainly), or otherwise. */
function fleetFailureOf(
  subject: string,
  end: ExecutionEnd,
  mapRun: MapRunProgress | undefined,
  requestedPercentage: number,
  consoleUrl: string,
): FleetRotationFailedError {
  if (end.error !== THRESHOLD_EXCEEDED) {
    return new FleetRotationFailedError('ERR_FLEET_FAILED', describeFailedEnd(subject, end, consoleUrl));
  }
  const tolerated = mapRun?.toleratedFailurePercentage ?? requestedPercentage;
  const aborted =
    (mapRun?.counts.aborted ?? 0) > 0
      ? ' Rotations the fleet stopped when it failed are ABORTED: check each with keyturn status --aws --issuer ID.'
      : '';
  return new FleetRotationFailedError(
    'ERR_FLEET_FAILED',
    `${subject} failed: more issuers failed than the tolerated ${tolerated} % (${THRESHOLD_EXCEEDED}). ` +
      `A failed rotation has rolled back on its own; see each issuer above.${aborted} ` +
      `Execution: ${end.executionArn} (${consoleUrl})`,
  );
}
