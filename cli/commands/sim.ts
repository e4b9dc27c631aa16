import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { SIMULATED_OPERATORS } from '#local/openshift-sim/cluster-operators.ts';
import { type OpenShiftSimulator, startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { errorCode } from '#shared/adapters/local/home.ts';
import {
  createFileKeyringStore,
  createLocalVault,
  replaceFileAtomically,
} from '#shared/adapters/local/index.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import { generateSigningKeyPair, type PrivateSigningKey } from '#shared/keys/index.ts';
import { formatDuration, parseDurationSeconds } from '../durations.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import { CliInputError, type CliIo } from '../io.ts';
import { parsePortOption } from '../option-parsers.ts';

/** The simulated cluster's issuer when the keyturn home has none. */
export const DEFAULT_SIM_ISSUER = 'https://oidc.example.com/keyturn-sim';

interface SimOptions {
  home?: string;
  port: number;
  nodes: number;
  nodeRollout: number;
  issuer?: string;
  stuckNode?: string;
  failRate?: number;
  failWith: 'InternalError' | 'Conflict';
  apiDelayMs?: number;
  workers: number;
  nodeReboot: number;
  workloads: number;
  tokenTtl: number;
  degradedOperator: string[];
  maxTokenExpiration?: number;
}

/** `keyturn sim [--home DIR] [--port 6443] [--nodes 3] [--node-rollout 2s] [--issuer URL]` */
export function registerSim(program: Command, io: CliIo): void {
  program
    .command('sim')
    .description(
      'run a simulated OpenShift control plane over HTTPS (a test and demo target for kubectl and keyturn), until stopped',
    )
    .option(...HOME_OPTION)
    .option('--port <port>', 'port to listen on (127.0.0.1)', parsePortOption, 6443)
    .option('--nodes <count>', 'control-plane nodes', parseNodeCount, 3)
    .option(
      '--node-rollout <duration>',
      'how long one node takes to roll to a new revision',
      parseDurationSeconds,
      2,
    )
    .option(
      '--issuer <url>',
      `issuer URL when the home has no issuer (default: ${DEFAULT_SIM_ISSUER})`,
      parseUrl,
    )
    .option('--stuck-node <name>', 'a node (master-0, master-1, ...) that never finishes a rollout')
    .option('--fail-rate <fraction>', 'make this fraction of API calls fail, e.g. 0.1', parseFraction)
    .addOption(
      new Option('--fail-with <reason>', 'how --fail-rate calls fail: 500 or 409')
        .choices(['InternalError', 'Conflict'])
        .default('InternalError'),
    )
    .option('--api-delay-ms <ms>', 'answer every API call this much later', parseMilliseconds)
    .option('--workers <count>', 'worker nodes (the worker machine config pool)', parseCount, 2)
    .option(
      '--node-reboot <duration>',
      'how long one node takes to drain and reboot when its machine config pool updates',
      parseDurationSeconds,
      10,
    )
    .option('--workloads <count>', 'workload pods in namespace workloads, on the worker nodes', parseCount, 4)
    .option(
      '--token-ttl <duration>',
      "lifetime of the workload pods' projected STS tokens (at least 10m)",
      parseTokenTtl,
      3600,
    )
    .addOption(
      new Option('--degraded-operator <name>', 'a ClusterOperator held Degraded=True (repeatable)')
        .choices([...SIMULATED_OPERATORS])
        .argParser((value: string, previous: string[] = []) => {
          if (!(SIMULATED_OPERATORS as readonly string[]).includes(value)) {
            throw new InvalidArgumentError(`expected one of ${SIMULATED_OPERATORS.join(', ')}`);
          }
          return [...previous, value];
        })
        .default([]),
    )
    .option(
      '--max-token-expiration <duration>',
      "the kube-apiserver's service-account-max-token-expiration (at least 1h; unset by default, as on OpenShift)",
      parseMaxTokenExpiration,
    )
    .action(async (options: SimOptions, command: Command) => {
      const nodeNames = Array.from({ length: options.nodes }, (_, index) => `master-${index}`);
      if (options.stuckNode !== undefined && !nodeNames.includes(options.stuckNode)) {
        command.error(`error: --stuck-node must name a node: ${nodeNames.join(', ')}`, { exitCode: 2 });
      }
      const home = homeFrom(io, options.home);
      const initial = await loadInitialKey(home, options.issuer);
      if (initial.ignoredIssuer) {
        io.err(`Ignoring --issuer: the cluster uses the issuer of the keyturn home, ${initial.issuerUrl}\n`);
      }
      const sim = await listen(options, initial);
      injectFaults(sim, options);
      const kubeconfig = join(home, 'kubeconfig');
      await replaceFileAtomically(kubeconfig, sim.kubeconfig(), { mode: 0o600 });
      io.err(
        `OpenShift simulator at ${sim.url} (${options.nodes} nodes, ${formatDuration(options.nodeRollout)} per node ` +
          `rollout), issuer ${initial.issuerUrl}, signing with ${initial.source}\n` +
          `Kubeconfig: ${kubeconfig}\n` +
          `Try: KUBECONFIG=${kubeconfig} kubectl get kubeapiserver cluster -o yaml\n` +
          '(Ctrl-C to stop)\n',
      );
      await io.untilStopped();
      await sim.close();
      io.err('Stopped.\n');
    });
}

interface InitialKey {
  readonly issuerUrl: string;
  readonly key: PrivateSigningKey;
  /** Where the key came from, for the banner. */
  readonly source: string;
  readonly ignoredIssuer: boolean;
}

/**
 * The cluster's installer key: the active key of the home's first issuer (so tokens verify against what
 * keyturn published), else a new RSA 2048 key for `--issuer`.
 */
async function loadInitialKey(home: string, issuerOption: string | undefined): Promise<InitialKey> {
  const store = createFileKeyringStore({ home });
  const [issuerId] = await store.list();
  if (issuerId === undefined) {
    return {
      issuerUrl: issuerOption ?? DEFAULT_SIM_ISSUER,
      key: await generateSigningKeyPair(2048),
      source: 'a new RSA 2048 key',
      ignoredIssuer: false,
    };
  }
  const keyring = (await store.read(issuerId))?.keyring;
  const active = keyring === undefined ? undefined : activeKey(keyring);
  if (keyring === undefined || active?.vaultRef === undefined) {
    throw new CliInputError(
      'ERR_CLI_FILE',
      `issuer ${issuerId} under ${home} has no active key in the vault to install in the simulated cluster; ` +
        'finish or roll back its rotation first, or use another --home',
    );
  }
  return {
    issuerUrl: keyring.issuerUrl,
    key: await createLocalVault({ home }).open(active.vaultRef),
    source: `the active key ${active.kid} of issuer ${issuerId}`,
    ignoredIssuer: issuerOption !== undefined && issuerOption !== keyring.issuerUrl,
  };
}

async function listen(options: SimOptions, initial: InitialKey): Promise<OpenShiftSimulator> {
  try {
    return await startOpenShiftSimulator({
      issuerUrl: initial.issuerUrl,
      initialKey: initial.key,
      nodes: options.nodes,
      nodeRolloutSeconds: options.nodeRollout,
      workerNodes: options.workers,
      nodeRebootSeconds: options.nodeReboot,
      workloads: options.workloads,
      tokenTtlSeconds: options.tokenTtl,
      degradedOperators: options.degradedOperator,
      ...(options.maxTokenExpiration === undefined
        ? {}
        : { maxTokenExpirationSeconds: options.maxTokenExpiration }),
      port: options.port,
    });
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const why = code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied';
      throw new CliInputError(
        'ERR_CLI_FILE',
        `cannot listen on 127.0.0.1:${options.port}: ${why}; choose another with --port`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** Applies the fault flags; each is also available in-process on `sim.model`. */
function injectFaults(sim: OpenShiftSimulator, options: SimOptions): void {
  if (options.stuckNode !== undefined) {
    sim.model.stickNode(options.stuckNode);
  }
  if (options.failRate !== undefined) {
    sim.model.faults.setFailureRate(options.failRate, options.failWith);
  }
  if (options.apiDelayMs !== undefined) {
    sim.model.faults.setApiDelay(options.apiDelayMs);
  }
}

/** `--fail-rate`: a fraction from 0 to 1. */
function parseFraction(value: string): number {
  const fraction = Number(value);
  if (value.trim() === '' || !(fraction >= 0 && fraction <= 1)) {
    throw new InvalidArgumentError('expected a fraction from 0 to 1, e.g. 0.1');
  }
  return fraction;
}

/** `--api-delay-ms`: whole milliseconds up to a minute. */
function parseMilliseconds(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) {
    throw new InvalidArgumentError('expected whole milliseconds from 0 to 60000');
  }
  return ms;
}

/** `--nodes`: 1–99 control-plane nodes. */
function parseNodeCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 99) {
    throw new InvalidArgumentError('expected a whole number of nodes from 1 to 99');
  }
  return count;
}

/** `--workers`, `--workloads`: 0–99. */
function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0 || count > 99) {
    throw new InvalidArgumentError('expected a whole number from 0 to 99');
  }
  return count;
}

/** `--token-ttl`: a duration of at least 10 minutes, TokenRequest's minimum. */
function parseTokenTtl(value: string): number {
  const seconds = parseDurationSeconds(value);
  if (seconds < 600) {
    throw new InvalidArgumentError(
      'expected a duration of at least 10m, the shortest token TokenRequest issues',
    );
  }
  return seconds;
}

/** `--max-token-expiration`: at least an hour, as kube-apiserver requires of the flag. */
function parseMaxTokenExpiration(value: string): number {
  const seconds = parseDurationSeconds(value);
  if (seconds < 3600) {
    throw new InvalidArgumentError('expected a duration of at least 1h, as kube-apiserver requires');
  }
  return seconds;
}

/** `--issuer`: an absolute http(s) URL. */
function parseUrl(value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new InvalidArgumentError(
      'expected an absolute https:// URL, e.g. https://oidc.example.com/cluster',
    );
  }
  return value;
}
