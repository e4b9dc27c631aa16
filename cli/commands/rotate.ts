import { resolve } from 'node:path';
import type { Command } from 'commander';
import { closingCheckWarning } from '#local/closing-check.ts';
import { describeResume } from '#local/local-resume.ts';
import { runLocalRotation } from '#local/local-rotation.ts';
import { readIssuer } from '#local/local-session.ts';
import { isIssuerId } from '#shared/identifiers.ts';
import { activeKey, findKey } from '#shared/keyring/queries.ts';
import { assertEmergencyTarget } from '#shared/rotation/index.ts';
import { shortLeadTimeWarning } from '#shared/rotation/lead-time-bound.ts';
import { planRotation, type RotationAsked } from '#shared/rotation/resume-plan.ts';
import { type AwsTargetOptions, addAwsTargetOptions } from '../aws-target.ts';
import { parseDurationSeconds } from '../durations.ts';
import { confirmEmergency } from '../emergency-confirmation.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import type { CliIo } from '../io.ts';
import {
  parseIssuerListOption,
  parseMaxConcurrencyOption,
  parseRotationIdOption,
  parseToleratedFailurePercentageOption,
} from '../option-parsers.ts';
import { givenFlags } from '../option-sources.ts';
import { createRotationProgress } from '../rotation-progress.ts';
import { abortOnAws } from './abort-aws.ts';
import { rotateOnAws } from './rotate-aws.ts';
import { type AwsFleetRequest, FLEET_DEFAULTS, rotateFleetOnAws } from './rotate-fleet.ts';
import { abortLocally, interruptSignal, localGoOnCommands } from './rotate-local.ts';
import { describeKeyring } from './status.ts';

interface RotateOptions extends AwsTargetOptions {
  local?: boolean;
  home?: string;
  issuer?: string;
  kubeconfig?: string;
  leadTime?: number;
  emergency?: string;
  verbose?: boolean;
  rotationId?: string;
  follow: boolean;
  fleet?: boolean;
  issuers?: string[];
  maxConcurrency?: number;
  toleratedFailurePercentage?: number;
  abort?: boolean;
  yes?: boolean;
  /** False with `--no-reboot`. */
  reboot: boolean;
}

/** Options that only one of the two backends understands (commander attribute names). */
const LOCAL_ONLY = ['home', 'kubeconfig', 'verbose'] as const;
const AWS_ONLY = ['stack', 'region', 'follow'] as const;
/** Options that start a rotation, which `--abort` (it ends one) refuses. */
const NOT_ABORT = ['emergency', 'leadTime', 'rotationId', 'reboot'] as const;
/** Options of a fleet rotation only, and those a fleet rotation refuses. */
const FLEET_ONLY = ['issuers', 'maxConcurrency', 'toleratedFailurePercentage'] as const;
const NOT_FLEET = ['local', 'issuer', 'emergency', 'leadTime', 'abort', 'reboot'] as const;

/**
 * `keyturn rotate --issuer ID [--emergency KID] [--lead-time D] [--stack NAME] [--region R]
 * [--rotation-id ID] [--no-follow]` starts the deployed rotation workflow in AWS and follows it, resuming
 * the rotation in flight if there is one; `keyturn rotate --abort --issuer ID` ends that one safely;
 * `keyturn rotate --fleet [--issuers a,b] [--max-concurrency N] [--tolerated-failure-percentage P]
 * [--rotation-id ID] [--stack NAME] [--region R] [--no-follow]` does so for many issuers at once, through
 * the fleet workflow;
 * `keyturn rotate --local [--home DIR] [--issuer ID] [--kubeconfig FILE] [--lead-time 5s] [--emergency KID]
 * [--rotation-id ID]` runs the same workflow on this machine, resuming the rotation in flight if there is
 * one (Ctrl-C stops it between steps and says how to go on); `keyturn rotate --local --abort [--issuer ID]`
 * ends the rotation in flight safely.
 */
export function registerRotate(program: Command, io: CliIo): void {
  const command = program
    .command('rotate')
    .description(
      'rotate the signing key: publish, confirm, push, watch the rollout, verify, activate (in AWS, or --local)',
    )
    .option('--local', 'run the workflow on this machine, on the keyturn home, instead of in AWS')
    .option(...HOME_OPTION)
    .option('--issuer <id>', 'the issuer to rotate (required in AWS; --local: default the only one)')
    .option(
      '--kubeconfig <file>',
      "--local: a real cluster's kubeconfig (default: the simulated OpenShift, in-process)",
    )
    .option(
      '--lead-time <duration>',
      'wait this long after the key is public before pushing it (default: the issuer policy)',
      parseDurationSeconds,
    )
    .option(
      '--emergency <kid>',
      'the active key is compromised: remove it from keys.json once the new key works',
    )
    .option('--yes', '--emergency: do not ask for confirmation (needed without a terminal)')
    .option(
      '--no-reboot',
      '--emergency: do not reboot the nodes; drop the compromised key at once (pods holding its tokens lose STS until kubelet refreshes them)',
    )
    .option(
      '--verbose',
      "--local: also print the handlers' structured logs and metrics, as Lambda writes them",
    )
    .option('--abort', 'end the rotation in flight safely (drop the new key, or push the previous key back)');
  addAwsTargetOptions(command)
    .option(
      '--rotation-id <id>',
      'the rotation id (default: a new one; with --fleet, the fleet run’s; --local: the one in flight, resumed); an existing one is followed, not restarted',
      parseRotationIdOption,
    )
    .option('--no-follow', 'start the rotation and return at once, without following it')
    .option('--fleet', 'rotate many issuers through the fleet workflow, within bounds (AWS only)')
    .option(
      '--issuers <ids>',
      '--fleet: the issuers, comma-separated (default: every issuer with a keyring in the state bucket)',
      parseIssuerListOption,
    )
    .option(
      '--max-concurrency <n>',
      `--fleet: rotations at once, 1-1000 (default ${FLEET_DEFAULTS.maxConcurrency})`,
      parseMaxConcurrencyOption,
    )
    .option(
      '--tolerated-failure-percentage <p>',
      `--fleet: the share of issuers that may fail before the fleet fails, 0-100 (default ${FLEET_DEFAULTS.toleratedFailurePercentage})`,
      parseToleratedFailurePercentageOption,
    )
    .action(async (options: RotateOptions, self: Command) => {
      if (options.fleet === true) {
        refuse(
          self,
          givenFlags(self, NOT_FLEET),
          'not with --fleet (it rotates in AWS, each issuer in manual mode)',
        );
        refuse(self, givenFlags(self, LOCAL_ONLY), 'they need --local');
        await rotateFleetOnAws(io, fleetRequestOf(options));
        return;
      }
      refuse(self, givenFlags(self, FLEET_ONLY), 'they need --fleet');
      refuseNoRebootAlone(self, options);
      if (options.local === true) {
        await runLocally(io, self, options);
        return;
      }
      refuse(self, givenFlags(self, LOCAL_ONLY), 'they need --local');
      if (options.issuer === undefined) {
        self.error(
          'error: rotating in AWS needs --issuer ID or --fleet (or --local to rotate on this machine)',
          {
            exitCode: 2,
          },
        );
      }
      if (!isIssuerId(options.issuer)) {
        self.error(
          `error: --issuer ${options.issuer} is not an issuer id (lowercase letters, digits, '.', '-')`,
          {
            exitCode: 2,
          },
        );
      }
      const target = {
        issuerId: options.issuer,
        follow: options.follow,
        ...(options.stack === undefined ? {} : { stack: options.stack }),
        ...(options.region === undefined ? {} : { region: options.region }),
      };
      if (options.abort === true) {
        refuse(self, givenFlags(self, NOT_ABORT), 'they start a rotation; --abort ends the one in flight');
        await abortOnAws(io, target);
        return;
      }
      await rotateOnAws(
        io,
        {
          ...target,
          ...(options.rotationId === undefined ? {} : { rotationId: options.rotationId }),
          ...(options.emergency === undefined ? {} : { emergencyKid: options.emergency }),
          ...(options.leadTime === undefined ? {} : { leadTimeSeconds: options.leadTime }),
          ...tokenRefreshAsked(options),
        },
        () => confirmEmergencyOf(io, self, options),
      );
    });
}

/** `--local`: rotate (or resume), or with `--abort` end the rotation in flight; refuses AWS options. */
async function runLocally(io: CliIo, command: Command, options: RotateOptions): Promise<void> {
  refuse(command, givenFlags(command, AWS_ONLY), 'they apply to AWS, not to --local');
  if (options.abort !== true) {
    if (options.emergency !== undefined) {
      // Refuse a wrong kid, or a conflict with the rotation in flight, before asking anything.
      const keyring = await readIssuer(homeFrom(io, options.home), options.issuer);
      assertEmergencyTarget(keyring, options.emergency);
      planRotation(keyring, asked(options), localGoOnCommands(options), new Date());
    }
    await confirmEmergencyOf(io, command, options);
    if (options.emergency === undefined) await warnShortLeadTime(io, options);
    await rotateLocally(io, options);
    return;
  }
  refuse(command, givenFlags(command, NOT_ABORT), 'they start a rotation; --abort ends the one in flight');
  await abortLocally(io, options);
}

/**
 * Warns (and goes on) when a new local rotation would wait less than keys.json's max-age: `--lead-time`, or
 * the issuer's policy. A rotation in flight was warned about when it started (its lead time is fixed), and a
 * keyring it cannot read yet is left to the rotation, which names the problem.
 */
async function warnShortLeadTime(io: CliIo, options: RotateOptions): Promise<void> {
  const keyring = await readIssuer(homeFrom(io, options.home), options.issuer).catch(() => undefined);
  if (keyring === undefined || keyring.rotation !== undefined) return;
  const leadTime = options.leadTime ?? keyring.policy.leadTimeSeconds;
  const warning = shortLeadTimeWarning(keyring.issuerId, leadTime, 'manual');
  if (warning !== undefined) io.err(`${warning}\n`);
}

/** What the command line asks of the rotation (a rotation in flight is resumed instead). */
function asked(options: RotateOptions): RotationAsked {
  return {
    ...(options.rotationId === undefined ? {} : { rotationId: options.rotationId }),
    ...(options.emergency === undefined ? {} : { emergencyKid: options.emergency }),
    ...(options.leadTime === undefined ? {} : { leadTimeSeconds: options.leadTime }),
    ...tokenRefreshAsked(options),
  };
}

/** `--no-reboot`: the emergency drops the compromised key at once (tokenRefresh `wait`). */
function tokenRefreshAsked(options: RotateOptions): { tokenRefresh?: 'wait' } {
  return options.reboot ? {} : { tokenRefresh: 'wait' };
}

/** `--no-reboot` says how an emergency lets its key go; any other rotation follows the issuer's policy. */
function refuseNoRebootAlone(command: Command, options: RotateOptions): void {
  if (options.reboot || options.emergency !== undefined || options.abort === true) return;
  command.error(
    "error: --no-reboot goes with --emergency KID (other rotations follow the issuer's tokenRefresh policy)",
    { exitCode: 2 },
  );
}

/** `--emergency KID` drops a key that signed tokens: asks first on a terminal, unless `--yes`. */
async function confirmEmergencyOf(io: CliIo, command: Command, options: RotateOptions): Promise<void> {
  if (options.emergency === undefined) return;
  await confirmEmergency(io, command, {
    kid: options.emergency,
    yes: options.yes === true,
    reboot: options.reboot,
    ...(options.issuer === undefined ? {} : { issuerId: options.issuer }),
  });
}

function refuse(command: Command, flags: readonly string[], why: string): void {
  if (flags.length > 0) {
    command.error(`error: ${flags.join(', ')}: ${why}`, { exitCode: 2 });
  }
}

/** The fleet rotation the command line asks for; unset bounds and issuers take their defaults later. */
function fleetRequestOf(options: RotateOptions): AwsFleetRequest {
  return {
    follow: options.follow,
    ...(options.issuers === undefined ? {} : { issuerIds: options.issuers }),
    ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
    ...(options.toleratedFailurePercentage === undefined
      ? {}
      : { toleratedFailurePercentage: options.toleratedFailurePercentage }),
    ...(options.rotationId === undefined ? {} : { runId: options.rotationId }),
    ...(options.stack === undefined ? {} : { stack: options.stack }),
    ...(options.region === undefined ? {} : { region: options.region }),
  };
}

/** The local run, exactly as before the AWS workflow existed. */
async function rotateLocally(io: CliIo, options: RotateOptions): Promise<void> {
  const progress = createRotationProgress(io.err, {
    tty: io.errIsTerminal === true,
    ...(options.leadTime === undefined ? {} : { leadTimeSeconds: options.leadTime }),
  });
  const result = await runLocalRotation({
    home: homeFrom(io, options.home),
    ...(options.issuer === undefined ? {} : { issuerId: options.issuer }),
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: resolve(io.cwd, options.kubeconfig) }),
    ...asked(options),
    onEvent: progress.onEvent,
    verbose: options.verbose === true,
    signal: interruptSignal(io),
    goOn: localGoOnCommands(options),
    onStart: ({ resumed }, keyring) =>
      io.err(`${resumed ? describeResume(keyring) : ''}Rotating (one line per workflow step):\n`),
  }).finally(progress.finish);
  const previous = findKey(result.keyring, result.previousKid);
  io.out(
    `Rotated issuer ${result.issuerId} in ${(result.elapsedMs / 1000).toFixed(1)} s (rotation ${result.rotationId})\n` +
      `  old key: ${result.previousKid} (${previous?.state}${previous?.removeAfter === undefined ? '' : `, leaves keys.json after ${previous.removeAfter}`})\n` +
      `  new key: ${activeKey(result.keyring)?.kid} (active)\n` +
      (result.verified === undefined
        ? ''
        : `  a token freshly issued by the cluster verified against ${result.keySetUrl}\n`) +
      `\n${describeKeyring(result.keyring, new Date())}`,
  );
  if (result.closingCheckProblem !== undefined) {
    io.err(`keyturn: ${closingCheckWarning(result.keyring, result.closingCheckProblem)}`);
  }
}
