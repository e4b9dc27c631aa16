import { readdir, rm, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Command } from 'commander';
import { claimInit } from '#local/issuer-claims.ts';
import { servableIssuerOrigin } from '#local/servable-issuer.ts';
import { createLocalHomePorts, issuerDirectory, keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import type { Policy } from '#shared/keyring/keyring.ts';
import { type PrivateSigningKey, parsePrivateKey, type RsaBits } from '#shared/keys/index.ts';
import { initIssuer } from '#shared/rotation/index.ts';
import { shortLeadTimeWarning } from '#shared/rotation/lead-time-bound.ts';
import { type AwsTargetOptions, addAwsTargetOptions } from '../aws-target.ts';
import { parseDurationSeconds } from '../durations.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import { type CliIo, readInput } from '../io.ts';
import { parseBitsOption, parseIssuerIdOption, parseTokenRefreshOption } from '../option-parsers.ts';
import { givenFlags } from '../option-sources.ts';
import { initOnAws } from './init-aws.ts';

interface InitOptions extends AwsTargetOptions {
  local?: boolean;
  aws?: boolean;
  issuer?: string;
  id?: string;
  home?: string;
  adopt?: string;
  passphraseEnv?: string;
  bits?: RsaBits;
  leadTime?: number;
  grace?: number;
  tokenRefresh?: 'wait' | 'reboot';
  stablePeriod?: number;
  issuerId?: string;
  issuerUrl?: string;
  issuerBucket?: string;
  distributionId?: string;
}

/** Options of one backend only (commander attribute names). */
const LOCAL_ONLY = ['issuer', 'id', 'home'] as const;
const AWS_ONLY = ['issuerId', 'issuerUrl', 'issuerBucket', 'distributionId', 'stack', 'region'] as const;

/**
 * `keyturn init --local --issuer URL [--home DIR] [--adopt PRIVATE_KEY_FILE]` creates an issuer under the
 * keyturn home; `keyturn init --aws --issuer-id ID [--issuer-url URL] [--adopt PRIVATE_KEY_FILE]
 * [--issuer-bucket NAME [--distribution-id ID]] [--stack NAME] [--region R]` creates it in the deployed
 * stack: key in KMS + Secrets Manager, keyring in the state bucket, documents in the issuer bucket.
 */
export function registerInit(program: Command, io: CliIo): void {
  const command = program
    .command('init')
    .description(
      'create an issuer: its first signing key (or an adopted one), keyring, keys.json and discovery',
    )
    .option('--local', 'use the local backends under the keyturn home')
    .option('--aws', 'use the deployed keyturn stack: KMS, Secrets Manager, S3, CloudFront')
    .option(
      '--issuer <url>',
      '--local: issuer URL, e.g. http://127.0.0.1:8080/demo (served by keyturn serve)',
    )
    .option('--id <id>', '--local: issuer id (default: derived from the URL path)')
    .option(...HOME_OPTION)
    .option('--issuer-id <id>', '--aws: the issuer id (its path under the stack URL)', parseIssuerIdOption)
    .option('--issuer-url <url>', '--aws: issuer URL (default: the stack’s IssuerBaseUrl/<issuer-id>)')
    .option(
      '--issuer-bucket <name>',
      '--aws: publish to this bucket (an issuer migrated in place from ccoctl)',
    )
    .option('--distribution-id <id>', '--aws: the CloudFront distribution in front of --issuer-bucket')
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
    .option(
      '--token-refresh <policy>',
      'after activation: wait (keep the old key for the grace, default) or reboot (reboot the nodes, then drop it)',
      parseTokenRefreshOption,
    )
    .option(
      '--stable-period <duration>',
      'how long the cluster must be stable before and after a rollout (default 5m)',
      parseDurationSeconds,
    );
  addAwsTargetOptions(command).action(async (options: InitOptions, self: Command) => {
    const usage = (message: string): never => self.error(`error: ${message}`, { exitCode: 2 });
    if (options.local === options.aws) {
      usage('choose --local (the keyturn home) or --aws (the deployed keyturn stack)');
    }
    const foreign = givenFlags(self, options.local === true ? AWS_ONLY : LOCAL_ONLY);
    if (foreign.length > 0) {
      usage(`${foreign.join(', ')}: not with ${options.local === true ? '--local' : '--aws'}`);
    }
    if (options.local === true) {
      const issuerUrl = options.issuer ?? usage("required option '--issuer <url>' not specified");
      await initLocally(io, issuerUrl, options);
      return;
    }
    await initAwsFromOptions(io, options, usage);
  });
}

/** `init --aws`: checks the flags that go together, then creates (or adopts) the issuer on the stack. */
async function initAwsFromOptions(
  io: CliIo,
  options: InitOptions,
  usage: (message: string) => never,
): Promise<void> {
  const issuerId = options.issuerId ?? usage("required option '--issuer-id <id>' not specified");
  if (options.issuerBucket !== undefined && options.issuerUrl === undefined) {
    usage('--issuer-bucket needs --issuer-url: the URL clusters already use for that bucket');
  }
  if (options.distributionId !== undefined && options.issuerBucket === undefined) {
    usage("--distribution-id goes with --issuer-bucket (the stack's own distribution is known)");
  }
  const adopt = options.adopt === undefined ? undefined : await readAdopted(io, options);
  await initOnAws(io, {
    issuerId,
    policy: policyOf(options),
    ...(adopt === undefined ? {} : { adopt }),
    ...(options.issuerUrl === undefined ? {} : { issuerUrl: options.issuerUrl }),
    ...(options.issuerBucket === undefined ? {} : { issuerBucket: options.issuerBucket }),
    ...(options.distributionId === undefined ? {} : { distributionId: options.distributionId }),
    ...(options.stack === undefined ? {} : { stack: options.stack }),
    ...(options.region === undefined ? {} : { region: options.region }),
  });
}

function policyOf(options: InitOptions): Partial<Policy> {
  return {
    ...(options.bits === undefined ? {} : { keyBits: options.bits }),
    ...(options.leadTime === undefined ? {} : { leadTimeSeconds: options.leadTime }),
    ...(options.grace === undefined ? {} : { graceSeconds: options.grace }),
    ...(options.tokenRefresh === undefined ? {} : { tokenRefresh: options.tokenRefresh }),
    ...(options.stablePeriod === undefined ? {} : { stablePeriodSeconds: options.stablePeriod }),
  };
}

/** The local init: one servable URL, one init of the home at a time. */
async function initLocally(io: CliIo, issuerUrl: string, options: InitOptions): Promise<void> {
  const adopt = options.adopt === undefined ? undefined : await readAdopted(io, options);
  // The one rule for local issuer URLs: what keyturn serve and rotate --local can serve.
  servableIssuerOrigin(issuerUrl);
  const home = homeFrom(io, options.home);
  const { publicDir } = keyturnHomeLayout(home);
  const claim = await claimInit(home, 'keyturn init --local');
  const masterKeyExisted = await pathExists(keyturnHomeLayout(home).masterKey);
  const result = await initIssuer(createLocalHomePorts({ home, fetch: io.fetch, actor: 'cli' }), {
    issuerUrl,
    // Every issuer of the home is served from one directory, whatever the host and port of its URL.
    publishedAt: (url) => join(issuerDirectory(publicDir, url), sep),
    ...(options.id === undefined ? {} : { issuerId: options.id }),
    ...(adopt === undefined ? {} : { adopt }),
    policy: policyOf(options),
  })
    .catch(async (error: unknown) => {
      // initIssuer destroyed the key it sealed; a master key this run created goes too (RECOVERABLE).
      if (!masterKeyExisted) await removeUnusedMasterKey(home);
      throw error;
    })
    .finally(() => claim.release());
  io.out(
    `Created issuer ${result.issuerId} at ${result.issuerUrl}\n` +
      `  active key: ${result.kid} (${result.adopted ? 'adopted' : 'generated'})\n` +
      `  keyring and sealed key under ${home}\n` +
      `  keys.json and discovery in ${publicDir}: serve them with keyturn serve --home ${home}\n`,
  );
  const warning =
    options.leadTime === undefined ? undefined : shortLeadTimeWarning(result.issuerId, options.leadTime);
  if (warning !== undefined) io.err(`${warning}\n`);
}

async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Removes the home's master key when no sealed key is left under it: nothing needs it. */
async function removeUnusedMasterKey(home: string): Promise<void> {
  const { masterKey, vaultDir } = keyturnHomeLayout(home);
  const files = await readdir(vaultDir, { recursive: true }).catch(() => []);
  if (!files.some((file) => file.endsWith('.sealed'))) await rm(masterKey, { force: true });
}

async function readAdopted(io: CliIo, options: InitOptions): Promise<PrivateSigningKey> {
  const file = options.adopt ?? '';
  const passphrase = options.passphraseEnv === undefined ? undefined : io.env[options.passphraseEnv];
  return parsePrivateKey(await readInput(io, file, 'private key'), file, {
    ...(passphrase === undefined ? {} : { passphrase }),
  });
}
