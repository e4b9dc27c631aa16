import type { Command } from 'commander';
import { createLocalHomePorts, keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import { parsePrivateKey, type RsaBits } from '#shared/keys/index.ts';
import { initIssuer } from '#shared/rotation/index.ts';
import { parseDurationSeconds } from '../durations.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import { type CliIo, readInput } from '../io.ts';
import { parseBitsOption } from '../option-parsers.ts';

interface InitOptions {
  local?: boolean;
  issuer: string;
  id?: string;
  home?: string;
  adopt?: string;
  passphraseEnv?: string;
  bits?: RsaBits;
  leadTime?: number;
  grace?: number;
}

/** `keyturn init --local --issuer URL [--home DIR] [--adopt PRIVATE_KEY_FILE]` */
export function registerInit(program: Command, io: CliIo): void {
  program
    .command('init')
    .description(
      'create an issuer: its first signing key (or an adopted one), keyring, keys.json and discovery',
    )
    .option('--local', 'use the local backends under the keyturn home (the only backend so far)')
    .requiredOption('--issuer <url>', 'issuer URL, e.g. http://127.0.0.1:8080/demo (served by keyturn serve)')
    .option('--id <id>', 'issuer id (default: derived from the URL path)')
    .option(...HOME_OPTION)
    .option(
      '--adopt <private-key-file>',
      "adopt an existing cluster's key (ccoctl's serviceaccount-signer.private)",
    )
    .option(
      '--passphrase-env <var>',
      'environment variable holding the passphrase of an encrypted --adopt key',
    )
    .option('--bits <bits>', 'RSA size of generated keys: 2048, 3072, 4096 (default 4096)', parseBitsOption)
    .option(
      '--lead-time <duration>',
      'publish new keys this long before pushing them (default 1h)',
      parseDurationSeconds,
    )
    .option('--grace <duration>', 'keep retired keys published this long (default 48h)', parseDurationSeconds)
    .action(async (options: InitOptions, command: Command) => {
      if (options.local !== true) {
        command.error(
          'error: only --local is available for now (the AWS backends come with the infrastructure)',
          {
            exitCode: 2,
          },
        );
      }
      const home = homeFrom(io, options.home);
      const adopt = options.adopt === undefined ? undefined : await readAdopted(io, options);
      const result = await initIssuer(createLocalHomePorts({ home, fetch: io.fetch, actor: 'cli' }), {
        issuerUrl: options.issuer,
        ...(options.id === undefined ? {} : { issuerId: options.id }),
        ...(adopt === undefined ? {} : { adopt }),
        policy: {
          ...(options.bits === undefined ? {} : { keyBits: options.bits }),
          ...(options.leadTime === undefined ? {} : { leadTimeSeconds: options.leadTime }),
          ...(options.grace === undefined ? {} : { graceSeconds: options.grace }),
        },
      });
      io.out(
        `Created issuer ${result.issuerId} at ${result.issuerUrl}\n` +
          `  active key: ${result.kid} (${result.adopted ? 'adopted' : 'generated'})\n` +
          `  keyring and sealed key under ${home}\n` +
          `  keys.json and discovery in ${keyturnHomeLayout(home).publicDir}: serve them with keyturn serve --home ${home}\n`,
      );
    });
}

async function readAdopted(io: CliIo, options: InitOptions) {
  const file = options.adopt ?? '';
  const passphrase = options.passphraseEnv === undefined ? undefined : io.env[options.passphraseEnv];
  return parsePrivateKey(await readInput(io, file, 'private key'), file, {
    ...(passphrase === undefined ? {} : { passphrase }),
  });
}
