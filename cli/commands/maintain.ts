import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runLocalMaintenance } from '#local/local-maintenance.ts';
import { LocalRotationError } from '#local/local-session.ts';
import { isIssuerId } from '#shared/identifiers.ts';
import { type AwsTargetOptions, addAwsTargetOptions, namesAwsTarget } from '../aws-target.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import type { CliIo } from '../io.ts';
import { assertNoDrift, describeMaintenanceOutcome } from '../maintenance-report.ts';
import { givenFlags } from '../option-sources.ts';
import { createRotationProgress } from '../rotation-progress.ts';
import { maintainOnAws } from './maintain-aws.ts';

interface MaintainOptions extends AwsTargetOptions {
  local?: boolean;
  aws?: boolean;
  home?: string;
  issuer?: string[];
  kubeconfig?: string;
  verbose?: boolean;
  publishDrift?: boolean;
}

/** The command that repairs drift found by a local run. */
const LOCAL_REPAIR = 'keyturn maintain --local --publish-drift';

/** Options only the local run understands (commander attribute names). */
const LOCAL_ONLY = ['home', 'kubeconfig', 'verbose'] as const;

/**
 * `keyturn maintain --local [--home DIR] [--issuer ID] [--kubeconfig FILE]` runs the maintenance workflow
 * on this machine; `keyturn maintain --aws [--issuer ID ...] [--stack NAME] [--region R]` starts the
 * deployed one (`--stack` or `--region` imply `--aws`) and follows it. Both print the same report, and
 * exit 1 (ERR_DRIFT) on drift; `--publish-drift` repairs it by publishing the cluster's key.
 */
export function registerMaintain(program: Command, io: CliIo): void {
  const command = program
    .command('maintain')
    .description(
      'run the maintenance workflow once: remove keys whose grace has passed, destroy their private keys, report drift',
    )
    .option('--local', 'run the workflow locally on the keyturn home')
    .option('--aws', 'start the deployed maintenance workflow in AWS and follow it')
    .option(...HOME_OPTION)
    .option(
      '--issuer <id>',
      'the issuer to maintain, repeatable with --aws (default: every issuer of the home or state bucket)',
      (id: string, ids: string[] | undefined) => [...(ids ?? []), id],
    )
    .option(
      '--kubeconfig <file>',
      "--local: a real cluster's kubeconfig (default: the simulated OpenShift, in-process)",
    )
    .option('--verbose', "--local: also print the handlers' structured logs and metrics")
    .option(
      '--publish-drift',
      'repair drift: publish the key the cluster signs with although keys.json lacks it (the next secret was deleted)',
    );
  addAwsTargetOptions(command).action(async (options: MaintainOptions, self: Command) => {
    const aws = options.aws === true || namesAwsTarget(options);
    if (aws && options.local === true) {
      self.error('error: --local and --aws/--stack/--region do not mix: maintain here or in AWS', {
        exitCode: 2,
      });
    }
    if (aws) {
      await maintainAwsFromOptions(io, options, self);
      return;
    }
    if (options.local !== true) {
      self.error(
        'error: say where to maintain: --local (the keyturn home on this machine) or --aws (the deployed stack)',
        { exitCode: 2 },
      );
    }
    if ((options.issuer?.length ?? 0) > 1) {
      self.error('error: --local maintains one issuer (--issuer ID) or every issuer of the home', {
        exitCode: 2,
      });
    }
    await maintainLocally(io, options);
  });
}

/** `maintain --aws`: refuses local-only flags and malformed ids, then runs the deployed workflow. */
async function maintainAwsFromOptions(io: CliIo, options: MaintainOptions, self: Command): Promise<void> {
  const localOnly = givenFlags(self, LOCAL_ONLY);
  if (localOnly.length > 0) self.error(`error: ${localOnly.join(', ')}: they need --local`, { exitCode: 2 });
  const bad = options.issuer?.find((id) => !isIssuerId(id));
  if (bad !== undefined) {
    self.error(`error: --issuer ${bad} is not an issuer id (lowercase letters, digits, '.', '-')`, {
      exitCode: 2,
    });
  }
  await maintainOnAws(io, {
    ...(options.issuer === undefined ? {} : { issuerIds: [...new Set(options.issuer)] }),
    ...(options.stack === undefined ? {} : { stack: options.stack }),
    ...(options.region === undefined ? {} : { region: options.region }),
    publishDrift: options.publishDrift === true,
  });
}

/** The local run, exactly as before the AWS workflow existed. */
async function maintainLocally(io: CliIo, options: MaintainOptions): Promise<void> {
  const progress = createRotationProgress(io.err);
  io.err('Maintaining (one line per workflow step):\n');
  const issuerId = options.issuer?.[0];
  const outcomes = await runLocalMaintenance({
    home: homeFrom(io, options.home),
    ...(issuerId === undefined ? {} : { issuerId }),
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: resolve(io.cwd, options.kubeconfig) }),
    onEvent: progress.onEvent,
    verbose: options.verbose === true,
    publishDrift: options.publishDrift === true,
  }).finally(progress.finish);
  const failed = outcomes.filter((outcome) => outcome.failed === true);
  io.out(outcomes.map((outcome) => describeMaintenanceOutcome(outcome, LOCAL_REPAIR)).join(''));
  if (failed.length > 0) {
    throw new LocalRotationError(
      `maintenance failed for ${failed.map((outcome) => outcome.issuerId).join(', ')} (see above)`,
    );
  }
  assertNoDrift(outcomes, LOCAL_REPAIR);
}
