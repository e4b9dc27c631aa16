import type { Command } from 'commander';
import { createStackKeyringStore } from '#shared/adapters/aws/s3-keyring-store.ts';
import { createFileKeyringStore } from '#shared/adapters/local/index.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import type { KeyringStore } from '#shared/ports.ts';
import { describeRotationKeys } from '#shared/rotation/index.ts';
import {
  type AwsTargetOptions,
  addAwsTargetOptions,
  awsTargetFlags,
  namesAwsTarget,
  readStack,
} from '../aws-target.ts';
import { formatDuration } from '../durations.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import type { CliIo } from '../io.ts';
import { localeIsUtf8, renderKeyHistory } from '../key-timeline.ts';
import { OUTPUT_OPTION, type OutputFormat, renderDocument } from '../output-format.ts';
import { goOnText, statusDocument } from '../status-document.ts';
import { formatTable } from '../table.ts';

/**
 * `keyturn status [--home DIR] [--issuer ID]` reads the keyrings under the keyturn home;
 * `keyturn status --aws [--issuer ID] [--stack NAME] [--region R]` (`--stack` or `--region` imply `--aws`)
 * reads them from the deployed stack's state bucket. Both print the same table.
 */
export function registerStatus(program: Command, io: CliIo): void {
  const command = program
    .command('status')
    .description('show each issuer keyring: kid, state, age, when retired keys leave keys.json')
    .option(...HOME_OPTION)
    .option('--issuer <id>', 'only this issuer')
    .option('--aws', "read the deployed keyturn's state bucket instead of the keyturn home")
    .option(
      '--history',
      "each key's generated, visible, pushed, active, retired and removed times, and a timeline",
    )
    .option(...OUTPUT_OPTION)
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  keyturn status                          # every issuer in the keyturn home',
        '  keyturn status --issuer cluster-a --history',
        "  keyturn status --aws -o json | jq '.issuers[].keys[] | {kid, state}'",
      ].join('\n'),
    );
  addAwsTargetOptions(command).action(async (options: StatusOptions, self: Command) => {
    const aws = options.aws === true || namesAwsTarget(options);
    if (aws && options.home !== undefined) {
      self.error('error: --home is for the local keyturn home, not with --aws/--stack/--region', {
        exitCode: 2,
      });
    }
    const keyrings = aws ? await awsKeyrings(options) : localKeyrings(io, options);
    await printStatus(io, keyrings, options, aws);
  });
}

async function printStatus(io: CliIo, keyrings: Keyrings, options: StatusOptions, aws: boolean) {
  const { store, where, create } = keyrings;
  const ids = options.issuer === undefined ? await store.list() : [options.issuer];
  const format = options.output ?? 'table';
  if (ids.length === 0 && format === 'table') {
    io.out(`No issuer ${where}. Create one with: ${create}\n`);
    return;
  }
  const now = new Date();
  const found: Keyring[] = [];
  const notFound: string[] = [];
  for (const id of ids) {
    const stored = await store.read(id);
    if (stored === undefined) notFound.push(id);
    else found.push(stored.keyring);
  }
  if (format !== 'table') {
    io.out(renderDocument(format, statusDocument({ keyrings: found, notFound, source: where, now })));
    return;
  }
  const unicode = localeIsUtf8(io.env);
  for (const keyring of found) {
    io.out(
      options.history === true ? renderKeyHistory(keyring, now, { unicode }) : describeKeyring(keyring, now),
    );
  }
  for (const id of notFound) {
    io.out(`issuer ${id}: not found ${where}${aws ? '' : ' (for the deployed stack add --aws)'}\n`);
  }
}

interface StatusOptions extends AwsTargetOptions {
  home?: string;
  issuer?: string;
  aws?: boolean;
  history?: boolean;
  output?: OutputFormat;
}

/** A keyring store, where it is (for messages) and how to create the first issuer there. */
interface Keyrings {
  readonly store: KeyringStore;
  /** `under DIR`, `in s3://bucket/keyrings/`. */
  readonly where: string;
  readonly create: string;
}

function localKeyrings(io: CliIo, options: StatusOptions): Keyrings {
  const home = homeFrom(io, options.home);
  return {
    store: createFileKeyringStore({ home }),
    where: `under ${home}`,
    create: 'keyturn init --local --issuer URL',
  };
}

async function awsKeyrings(options: StatusOptions): Promise<Keyrings> {
  const stack = await readStack(options);
  return {
    store: createStackKeyringStore(stack, options.region),
    where: `in s3://${stack.stateBucketName}/keyrings/ (stack ${stack.stackName})`,
    create: `keyturn init --aws --issuer-id ID${awsTargetFlags(options)}`,
  };
}

/** The status text of one keyring. */
export function describeKeyring(keyring: Keyring, now: Date): string {
  const { policy } = keyring;
  const rows = keyring.keys.map((key) => [
    key.kid,
    key.state,
    formatDuration((now.getTime() - Date.parse(key.generatedAt)) / 1000),
    key.state === 'removed' ? `removed ${key.removedAt ?? ''}` : (key.removeAfter ?? '-'),
  ]);
  const lines = [
    `issuer ${keyring.issuerId}  ${keyring.issuerUrl}`,
    `policy: lead time ${formatDuration(policy.leadTimeSeconds)}, grace ${formatDuration(policy.graceSeconds)}, ` +
      `RSA ${policy.keyBits}, rotate every ${policy.rotationIntervalDays} days, audience ${policy.audience}`,
    '',
    formatTable(['KID', 'STATE', 'AGE', 'REMOVES AT'], rows),
    '',
  ];
  const { rotation, lastRotation } = keyring;
  if (rotation !== undefined) {
    lines.push(
      `rotation in flight: ${rotation.id} (${rotation.mode}) since ${rotation.startedAt}: ${describeRotationKeys(keyring, rotation)}`,
      rotation.abortFailedAt === undefined
        ? `  go on: ${goOnText(rotation)}`
        : `  ABORT FAILED at ${rotation.abortFailedAt}: ${goOnText(rotation)}`,
    );
  }
  if (lastRotation !== undefined) {
    const reason = lastRotation.reason === undefined ? '' : `: ${lastRotation.reason}`;
    lines.push(
      `last rotation: ${lastRotation.id} (${lastRotation.mode}) ${lastRotation.outcome} at ${lastRotation.finishedAt}${reason}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
