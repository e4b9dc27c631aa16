import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { IssuerServing } from '#local/home-server.ts';
import { createFileKeyringStore } from '#shared/adapters/local/index.ts';
import { createClusterPreflightReads } from '#shared/adapters/openshift/cluster-preflight.ts';
import { createOpenShiftClusterSigner } from '#shared/adapters/openshift/index.ts';
import { isKeyturnError } from '#shared/errors.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import type { KeyringStore } from '#shared/ports.ts';
import type { CheckResult } from '#shared/preflight/check-result.ts';
import { PreflightError } from '#shared/preflight/errors.ts';
import { preflightDocument } from '#shared/preflight/preflight-document.ts';
import { type PreflightReport, runPreflight } from '#shared/preflight/run-preflight.ts';
import { type AwsTargetOptions, addAwsTargetOptions, namesAwsTarget, readStack } from '../aws-target.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import type { CliIo } from '../io.ts';
import { localeIsUtf8 } from '../key-timeline.ts';
import { OUTPUT_OPTION, type OutputFormat, renderDocument } from '../output-format.ts';

interface PreflightOptions extends AwsTargetOptions {
  kubeconfig?: string;
  issuer?: string;
  home?: string;
  aws?: boolean;
  output: OutputFormat;
}

/**
 * `keyturn preflight --kubeconfig FILE [--issuer ID] [--home DIR | --aws …] [-o json|yaml|table]`: the
 * read-only checks before the first rotation on a cluster, one line each, then a summary; exit 1 when one
 * fails, 3 when there is nothing to check (no kubeconfig, no issuer).
 */
export function registerPreflight(program: Command, io: CliIo): void {
  const command = program
    .command('preflight')
    .description(
      'check a cluster before its first rotation: reachable, permissions, issuer, keys, caches, guard, stability (reads only)',
    )
    .option('--kubeconfig <file>', "the cluster's kubeconfig (default: the first file of $KUBECONFIG)")
    .option('--issuer <id>', 'the issuer to check the cluster against (default: the only one)')
    .option(...HOME_OPTION)
    .option('--aws', "read the issuer from the deployed keyturn's state bucket instead of the keyturn home")
    .option(...OUTPUT_OPTION)
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  keyturn preflight --kubeconfig ~/.kube/config              # the home’s only issuer',
        '  keyturn preflight --kubeconfig cluster-a.kubeconfig --issuer cluster-a --aws',
        '  keyturn preflight --kubeconfig kc -o json | jq \'.checks[] | select(.outcome != "pass")\'',
        '',
        'Exit status: 0 every check passed, 1 a check failed, 3 nothing to check (no kubeconfig, no issuer).',
      ].join('\n'),
    );
  addAwsTargetOptions(command).action(async (options: PreflightOptions, self: Command) => {
    const aws = options.aws === true || namesAwsTarget(options);
    if (aws && options.home !== undefined) {
      self.error('error: --home is for the local keyturn home, not with --aws/--stack/--region', {
        exitCode: 2,
      });
    }
    const kubeconfig = kubeconfigFrom(io, options.kubeconfig);
    const home = aws ? undefined : homeFrom(io, options.home);
    const keyring = await readKeyring(
      home === undefined ? await stackStore(options) : createFileKeyringStore({ home }),
      options.issuer,
      home === undefined ? 'in the stack’s state bucket' : `under ${home}`,
    );
    const report = await checkCluster(io, keyring, kubeconfig, home);
    io.out(
      options.output === 'table'
        ? renderReport(report, localeIsUtf8(io.env))
        : renderDocument(options.output, preflightDocument(report, new Date())),
    );
    if (!report.passed) {
      const failed = report.checks.filter((check) => check.outcome !== 'pass').map((check) => check.id);
      throw new PreflightError(
        'ERR_PREFLIGHT_FAILED',
        `preflight of issuer ${keyring.issuerId} on ${report.server}: ${failed.join(', ')} did not pass; fix what each line says, then run keyturn preflight again`,
      );
    }
  });
}

async function checkCluster(
  io: CliIo,
  keyring: Keyring,
  kubeconfig: string,
  home: string | undefined,
): Promise<PreflightReport> {
  const onWarning = (message: string) => io.err(`warning: ${message}\n`);
  const cluster = createOpenShiftClusterSigner({ kubeconfig: { file: kubeconfig }, onWarning });
  const reads = createClusterPreflightReads({ kubeconfig: { file: kubeconfig }, onWarning });
  const serving = home === undefined ? undefined : await serveLocalIssuer(home, keyring);
  try {
    return await runPreflight({ keyring, cluster, reads, fetch: io.fetch });
  } finally {
    await serving?.close();
  }
}

/**
 * A local issuer is served by `keyturn serve` or, for its own duration, by the run that rotates it: the
 * preflight serves it as that run would, so the headers checked are the ones relying parties will get.
 * When it cannot (the port is held), the issuer is read as it is served now.
 */
async function serveLocalIssuer(home: string, keyring: Keyring): Promise<IssuerServing | undefined> {
  const { serveIssuerFor } = await import('#local/home-server.ts');
  try {
    return await serveIssuerFor(home, keyring, 'keyturn preflight');
  } catch (error) {
    if (isKeyturnError(error)) return undefined;
    throw error;
  }
}

function kubeconfigFrom(io: CliIo, option: string | undefined): string {
  const file = option ?? io.env.KUBECONFIG?.split(':').find((entry) => entry !== '');
  if (file === undefined) {
    throw new PreflightError(
      'ERR_PREFLIGHT_SETUP',
      'no cluster to check: give --kubeconfig FILE (oc login writes ~/.kube/config) or set KUBECONFIG, then run keyturn preflight again',
    );
  }
  return resolve(io.cwd, file);
}

async function stackStore(options: PreflightOptions): Promise<KeyringStore> {
  const { createStackKeyringStore } = await import('#shared/adapters/aws/s3-keyring-store.ts');
  return createStackKeyringStore(await readStack(options), options.region);
}

/** The issuer asked for, or the only one; ERR_PREFLIGHT_SETUP when there is none to check. */
async function readKeyring(
  store: KeyringStore,
  issuerId: string | undefined,
  where: string,
): Promise<Keyring> {
  const ids = issuerId === undefined ? await store.list() : [issuerId];
  const setup = (message: string) => new PreflightError('ERR_PREFLIGHT_SETUP', message);
  if (ids.length === 0) {
    throw setup(
      `no issuer ${where} to check the cluster against: create one with keyturn init, then run keyturn preflight again`,
    );
  }
  if (ids.length > 1) {
    throw setup(
      `several issuers ${where} (${ids.join(', ')}): choose one with keyturn preflight --issuer ID`,
    );
  }
  const stored = await store.read(ids[0] ?? '');
  if (stored === undefined) {
    throw setup(`no issuer ${ids[0]} ${where}: check --issuer (keyturn status lists them)`);
  }
  return stored.keyring;
}

/** One line per check (✓/✗, or ok/FAIL without a UTF-8 locale), its details indented, then a summary. */
function renderReport(report: PreflightReport, unicode: boolean): string {
  const mark = (check: CheckResult) =>
    check.outcome === 'pass'
      ? unicode
        ? '✓'
        : 'ok  '
      : check.outcome === 'fail'
        ? unicode
          ? '✗'
          : 'FAIL'
        : unicode
          ? '–'
          : '--  ';
  const lines = [`Preflight of issuer ${report.issuerId} (${report.issuerUrl}) on ${report.server}`];
  for (const check of report.checks) {
    lines.push(`${mark(check)} ${check.title}: ${check.reason}`);
    for (const detail of check.details ?? []) lines.push(`    ${detail}`);
  }
  const count = (outcome: CheckResult['outcome']) =>
    report.checks.filter((check) => check.outcome === outcome).length;
  const notRun = count('not-run');
  lines.push(
    report.passed
      ? `preflight passed: all ${report.checks.length} checks; the cluster is ready for keyturn rotate`
      : `preflight FAILED: ${count('pass')} passed, ${count('fail')} failed${notRun === 0 ? '' : `, ${notRun} not run`}`,
  );
  return `${lines.join('\n')}\n`;
}
