import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runLocalRotation } from '#local/local-rotation.ts';
import { createRotationProgress } from '#local/rotation-progress.ts';
import { findKey } from '#shared/keyring/queries.ts';
import { parseDurationSeconds } from '../durations.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import type { CliIo } from '../io.ts';
import { describeKeyring } from './status.ts';

interface RotateOptions {
  local?: boolean;
  home?: string;
  issuer?: string;
  kubeconfig?: string;
  leadTime?: number;
  emergency?: string;
  verbose?: boolean;
}

/** `keyturn rotate --local [--home DIR] [--kubeconfig FILE] [--lead-time 5s] [--emergency KID]` */
export function registerRotate(program: Command, io: CliIo): void {
  program
    .command('rotate')
    .description('rotate the signing key: publish, confirm, push, watch the rollout, verify, activate')
    .option('--local', 'run the workflow locally on the keyturn home (the only backend so far)')
    .option(...HOME_OPTION)
    .option('--issuer <id>', 'the issuer to rotate (default: the only one)')
    .option(
      '--kubeconfig <file>',
      "a real cluster's kubeconfig (default: the simulated OpenShift, in-process)",
    )
    .option(
      '--lead-time <duration>',
      'wait this long after the key is public before pushing it',
      parseDurationSeconds,
    )
    .option(
      '--emergency <kid>',
      'the active key is compromised: remove it from keys.json once the new key works',
    )
    .option('--verbose', "also print the handlers' structured logs and metrics, as Lambda writes them")
    .action(async (options: RotateOptions, command: Command) => {
      if (options.local !== true) {
        command.error(
          'error: only --local is available for now (the AWS workflow comes with the infrastructure)',
          {
            exitCode: 2,
          },
        );
      }
      const progress = createRotationProgress(io.err);
      io.err('Rotating (one line per workflow step):\n');
      const result = await runLocalRotation({
        home: homeFrom(io, options.home),
        ...(options.issuer === undefined ? {} : { issuerId: options.issuer }),
        ...(options.kubeconfig === undefined ? {} : { kubeconfig: resolve(io.cwd, options.kubeconfig) }),
        ...(options.leadTime === undefined ? {} : { leadTimeSeconds: options.leadTime }),
        ...(options.emergency === undefined ? {} : { emergencyKid: options.emergency }),
        onEvent: progress.onEvent,
        verbose: options.verbose === true,
      }).finally(progress.finish);
      const previous = findKey(result.keyring, result.previousKid);
      io.out(
        `Rotated issuer ${result.issuerId} in ${(result.elapsedMs / 1000).toFixed(1)} s (rotation ${result.rotationId})\n` +
          `  old key: ${result.previousKid} (${previous?.state}${previous?.removeAfter === undefined ? '' : `, leaves keys.json after ${previous.removeAfter}`})\n` +
          `  new key: ${result.verified.kid} (active)\n` +
          `  a token freshly issued by the cluster verified against ${result.keySetUrl}\n\n` +
          describeKeyring(result.keyring, new Date()),
      );
    });
}
