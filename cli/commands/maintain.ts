import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runLocalMaintenance } from '#local/local-maintenance.ts';
import { LocalRotationError } from '#local/local-session.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import type { CliIo } from '../io.ts';
import { createRotationProgress } from '../rotation-progress.ts';

interface MaintainOptions {
  local?: boolean;
  home?: string;
  issuer?: string;
  kubeconfig?: string;
  verbose?: boolean;
}

/**
 * `keyturn maintain --local [--home DIR] [--issuer ID] [--kubeconfig FILE]`
 *
 * No `--publish-drift` yet: the maintenance ASL passes only `issuerId` to its task, so the workflow
 * cannot carry it (the step itself supports it).
 */
export function registerMaintain(program: Command, io: CliIo): void {
  program
    .command('maintain')
    .description(
      'run the maintenance workflow once: remove keys whose grace has passed, destroy their private keys, report drift',
    )
    .option('--local', 'run the workflow locally on the keyturn home (the only backend so far)')
    .option(...HOME_OPTION)
    .option('--issuer <id>', 'the issuer to maintain (default: every issuer of the home)')
    .option(
      '--kubeconfig <file>',
      "a real cluster's kubeconfig (default: the simulated OpenShift, in-process)",
    )
    .option('--verbose', "also print the handlers' structured logs and metrics, as Lambda writes them")
    .action(async (options: MaintainOptions, command: Command) => {
      if (options.local !== true) {
        command.error(
          'error: only --local is available for now (the AWS workflow comes with the infrastructure)',
          { exitCode: 2 },
        );
      }
      const progress = createRotationProgress(io.err);
      io.err('Maintaining (one line per workflow step):\n');
      const outcomes = await runLocalMaintenance({
        home: homeFrom(io, options.home),
        ...(options.issuer === undefined ? {} : { issuerId: options.issuer }),
        ...(options.kubeconfig === undefined ? {} : { kubeconfig: resolve(io.cwd, options.kubeconfig) }),
        onEvent: progress.onEvent,
        verbose: options.verbose === true,
      }).finally(progress.finish);
      const failed = outcomes.filter((outcome) => outcome.failed === true);
      io.out(outcomes.map(describeOutcome).join(''));
      if (failed.length > 0) {
        throw new LocalRotationError(
          `maintenance failed for ${failed.map((outcome) => outcome.issuerId).join(', ')} (see above)`,
        );
      }
    });
}

const list = (kids: readonly string[]) => (kids.length === 0 ? 'none' : kids.join(', '));

function describeOutcome(outcome: Awaited<ReturnType<typeof runLocalMaintenance>>[number]): string {
  if (outcome.failed === true) {
    return `Issuer ${outcome.issuerId}: FAILED with ${outcome.error}${outcome.cause === undefined ? '' : ` (${outcome.cause})`}\n`;
  }
  const { removed, held, destroyed, republished, drift } = outcome.maintain;
  const driftLines =
    drift.unpublishedSigningKid === undefined && drift.unpublishedTrustedKids.length === 0
      ? '  drift: none (the cluster signs and trusts only published keys)\n'
      : `  drift: ${drift.unpublishedSigningKid === undefined ? '' : `the cluster signs with ${drift.unpublishedSigningKid}, which keys.json lacks (STS rejects its tokens); `}` +
        `trusted but unpublished: ${list(drift.unpublishedTrustedKids)}\n`;
  return (
    `Issuer ${outcome.issuerId}:\n` +
    `  removed from keys.json: ${list(removed)}\n` +
    (held.length === 0 ? '' : `  kept (the cluster may still sign with them): ${list(held)}\n`) +
    `  private keys destroyed: ${list(destroyed)}\n` +
    `  keys.json republished: ${republished ? 'yes' : 'no'}\n` +
    driftLines
  );
}
