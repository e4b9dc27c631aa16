import { sfnClient } from '#shared/adapters/aws/clients.ts';
import { executionConsoleUrl } from '#shared/adapters/aws/executions.ts';
import {
  followMaintenanceExecution,
  maintenanceOutcomesOf,
  startMaintenanceExecution,
} from '#shared/adapters/aws/maintenance-executions.ts';
import { KeyturnError } from '#shared/errors.ts';
import { newRotationId } from '#shared/rotation/index.ts';
import { describeFailedEnd, FollowStoppedError, followControlsOf } from '../aws-follow.ts';
import { briefList, selectAwsIssuers } from '../aws-issuers.ts';
import { type AwsTargetOptions, readStack } from '../aws-target.ts';
import type { CliIo } from '../io.ts';
import { assertNoDrift, describeMaintenanceOutcome } from '../maintenance-report.ts';

/** The command that repairs drift found in AWS. */
const AWS_REPAIR = 'keyturn maintain --aws --publish-drift';

/** One maintenance run to start in AWS. */
export interface AwsMaintainRequest extends AwsTargetOptions {
  /** @default every issuer with a keyring in the state bucket */
  readonly issuerIds?: readonly string[];
  /** Repair drift: publish the key the cluster signs with (adopt-drift). @default false */
  readonly publishDrift?: boolean;
}

/** The maintenance workflow failed for at least one issuer, or as a whole (timed out, aborted). */
export class MaintenanceFailedError extends KeyturnError<'ERR_MAINTENANCE_FAILED'> {}

/**
 * Starts the deployed maintenance workflow (execution `maintain--<run id>`) for the chosen issuers, the
 * one the hourly schedule runs, follows it with a line per issuer done, and prints what it did for each
 * issuer in the words of `keyturn maintain --local`. Fails (exit 1) when any issuer's maintenance failed;
 * the others were still maintained; then fails (ERR_DRIFT, exit 1) on drift, naming `--publish-drift`.
 * Ctrl-C stops following only.
 */
export async function maintainOnAws(io: CliIo, request: AwsMaintainRequest): Promise<void> {
  const stack = await readStack(request);
  const sfn = sfnClient(request.region);
  const issuerIds = await selectAwsIssuers(stack, {
    ...request,
    ...(request.issuerIds === undefined ? {} : { requested: request.issuerIds }),
  });
  const runId = newRotationId(new Date());
  const { executionArn } = await startMaintenanceExecution({
    stateMachineArn: stack.maintenanceStateMachineArn,
    runId,
    issuerIds,
    publishDrift: request.publishDrift === true,
    sfn,
  });
  const consoleUrl = executionConsoleUrl(executionArn);
  const count = `${issuerIds.length} issuer${issuerIds.length === 1 ? '' : 's'}`;
  io.err(
    `Started maintenance ${runId} of ${count} (${briefList(issuerIds)})\n` +
      `  execution: ${executionArn}\n  console:   ${consoleUrl}\n` +
      'Following it (Ctrl-C stops following, not the maintenance):\n',
  );
  const followed = await followMaintenanceExecution({
    executionArn,
    sfn,
    onIssuerDone: (done) => io.err(`  maintenance: ${done}/${issuerIds.length} issuers done\n`),
    ...followControlsOf(io),
  });
  if (followed.outcome === 'stopped') {
    throw new FollowStoppedError(
      'ERR_FOLLOW_STOPPED',
      `stopped following; maintenance ${runId} goes on in AWS (${consoleUrl})`,
    );
  }
  const { end } = followed;
  if (end.status !== 'SUCCEEDED') {
    throw new MaintenanceFailedError(
      'ERR_MAINTENANCE_FAILED',
      describeFailedEnd(`maintenance ${runId}`, end, consoleUrl),
    );
  }
  const outcomes = maintenanceOutcomesOf(end.output, issuerIds);
  io.out(outcomes.map((outcome) => describeMaintenanceOutcome(outcome, AWS_REPAIR)).join(''));
  const failed = outcomes.filter((outcome) => outcome.failed === true);
  if (failed.length > 0) {
    throw new MaintenanceFailedError(
      'ERR_MAINTENANCE_FAILED',
      `maintenance failed for ${failed.map((outcome) => outcome.issuerId).join(', ')} (see above); ` +
        `the other issuers were maintained. Execution: ${executionArn} (${consoleUrl})`,
    );
  }
  assertNoDrift(outcomes, AWS_REPAIR);
}
