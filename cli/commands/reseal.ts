import type { Command } from 'commander';
import { createStackKeyringStore } from '#shared/adapters/aws/s3-keyring-store.ts';
import { createFileKeyringStore, createJsonLinesAuditLog } from '#shared/adapters/local/index.ts';
import type { ResealableKeyringStore, ResealOutcome } from '#shared/keyring/keyring-mac.ts';
import { type AwsTargetOptions, addAwsTargetOptions, namesAwsTarget, readStack } from '../aws-target.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import type { CliIo } from '../io.ts';
import { formatTable } from '../table.ts';

interface ResealOptions extends AwsTargetOptions {
  local?: boolean;
  aws?: boolean;
  home?: string;
  issuer: string;
}

/** What each MAC state before the reseal means, for the report. */
const FOUND: Readonly<Record<ResealOutcome['before'], string>> = {
  sealed: 'was already sealed under this key; nothing written',
  unsealed: 'carried no MAC (written before keyturn sealed keyrings, or stripped); sealed now',
  tampered: 'failed its MAC check; sealed now as it is, after your check',
};

/**
 * `keyturn reseal --local|--aws --issuer ID` seals a keyring as it is stored now: the manual path out of
 * ERR_KEYRING_UNSEALED (a keyring written before keyturn sealed keyrings) and, once a person has checked
 * every key in it, out of ERR_KEYRING_TAMPERED. It prints the keys it vouches for, records the reseal in
 * the local audit trail (the state bucket's versioning keeps the object it replaced), and is idempotent.
 */
export function registerReseal(program: Command, io: CliIo): void {
  const command = program
    .command('reseal')
    .description(
      'seal a keyring you have checked (one written before keyturn sealed keyrings, or one that failed its MAC check)',
    )
    .requiredOption('--issuer <id>', 'the issuer whose keyring to seal')
    .option('--local', 'the keyring in the keyturn home')
    .option('--aws', "the keyring in the deployed keyturn's state bucket")
    .option(...HOME_OPTION);
  addAwsTargetOptions(command).action(async (options: ResealOptions, self: Command) => {
    const aws = options.aws === true || namesAwsTarget(options);
    if (aws === (options.local === true) || (aws && options.home !== undefined)) {
      self.error(
        'error: say which keyring to seal: --local [--home DIR] or --aws [--stack NAME] [--region R]',
        {
          exitCode: 2,
        },
      );
    }
    const store: ResealableKeyringStore = aws
      ? createStackKeyringStore(await readStack(options), options.region)
      : createFileKeyringStore({ home: homeFrom(io, options.home) });
    const outcome = await store.reseal(options.issuer);
    if (!aws && outcome.before !== 'sealed') {
      await createJsonLinesAuditLog({ home: homeFrom(io, options.home) }).append({
        time: new Date().toISOString(),
        issuerId: options.issuer,
        step: 'reseal',
        actor: 'cli',
        outcome: 'ok',
        detail: `keyring ${outcome.before === 'tampered' ? 'that failed its MAC check' : 'without a MAC'} sealed by hand at revision ${outcome.stored.revision}`,
      });
    }
    io.out(describeReseal(options.issuer, outcome));
  });
}

function describeReseal(issuerId: string, outcome: ResealOutcome): string {
  const rows = outcome.stored.keyring.keys.map((key) => [key.kid, key.state, key.origin]);
  return [
    `The keyring of ${issuerId} ${FOUND[outcome.before]}.`,
    'It holds these keys; keyturn trusts them from now on:',
    formatTable(['KID', 'STATE', 'ORIGIN'], rows).trimEnd(),
    '',
  ].join('\n');
}
