/**
 * Every exit code docs/cli.md documents, per command of `keyturn --help`, produced by the real command line
 * (in-process, offline) in a situation that must produce it. Each case asserts the code and that standard
 * error says what was wrong and what to do, never "internal error" (70 is for bugs only: no situation may
 * produce it; test/cli/exit-codes.test.ts pins the one code that maps to 70).
 *
 * The matrix (command × documented code). "here" is this file; the other cells are covered by the test
 * named, and are not repeated here. "-" is a code the command cannot give (nothing to refuse, nothing to
 * interrupt). 130 needs a Ctrl-C while a workflow is followed or runs; those tests exist already.
 *
 * | command            | 0                     | 1                                  | 2                           | 3                                                            | 130                   |
 * | ------------------ | --------------------- | ---------------------------------- | --------------------------- | ------------------------------------------------------------ | --------------------- |
 * | create-key-pair    | key-commands          | -                                  | key-commands (--bits), here | key-commands (exists), here (dir under a file)               | -                     |
 * | kid                | key-commands          | key-commands (private key)         | here                        | key-commands (missing file)                                  | -                     |
 * | jwks               | key-commands          | key-commands (duplicate, RSA 1024) | here                        | here (missing key file, --output dir missing)                | -                     |
 * | discovery          | key-commands          | key-commands (plain http)          | here                        | here (--output dir missing)                                  | -                     |
 * | verify-token       | verify-token          | verify-token (each refusal)        | verify-token                | verify-token (issuer unreachable), here (token file missing) | -                     |
 * | init --local       | issuer-commands       | issuer-commands (exists, URL taken)| issuer-commands             | issuer-commands (--adopt missing), here (home is a file)| -                     |
 * | init --aws         | aws-issuer-commands   | aws-issuer-commands                | aws-issuer-commands         | here (no stack, AWS refused)                                 | -                     |
 * | status             | issuer-commands       | here (damaged keyring)             | exit-code-commands          | here (home is a file)                                   | -                     |
 * | status --aws       | aws-issuer-commands   | here (damaged keyring)             | aws-issuer-commands         | aws-issuer-commands (no stack), here (AWS refused)           | -                     |
 * | rotate --local     | rotate-command        | exit-code-commands, rotate-command, drift-command | rotate-command, rotate-interrupt | rotate-command (no issuer), here (cluster down, kubeconfig missing or without context, issuer port busy, another rotation in flight, unknown issuer) | rotate-interrupt |
 * | rotate --local --abort | rotate-interrupt  | rotate-interrupt (nothing in flight, push back failed) | rotate-interrupt  | here (no issuer)                                             | -                     |
 * | rotate (AWS)       | aws-rotate-command    | aws-rotate-command                 | aws-rotate-command          | aws-rotate-command (stack), aws-unreachable (DNS), here      | aws-rotate-command    |
 * | rotate --fleet     | aws-fleet-command     | aws-fleet-command                  | aws-fleet-command           | aws-fleet-command (no issuers), here (AWS refused)           | aws-fleet-command     |
 * | maintain --local   | maintain-command      | maintain-command (drift)           | maintain-command            | maintain-command (no issuer), here (cluster down, issuer port busy) | -              |
 * | maintain --aws     | aws-maintain-command  | aws-maintain-command               | aws-maintain-command        | aws-maintain-command, aws-unreachable (DNS), here            | aws-maintain-command  |
 * | serve              | issuer-commands       | -                                  | here (bad --port)           | exit-code-commands (busy port)                               | - (Ctrl-C stops: 0)   |
 * | sim                | here                  | -                                  | here                        | here (busy port)                                             | - (Ctrl-C stops: 0)   |
 * | completion         | lazy-commands         | -                                  | lazy-commands (other shell) | -                                                            | -                     |
 * | every command      | here (--help)         |                                    | here (unknown flag)         |                                                              |                       |
 *
 * A keyturn home that is not a directory (`--home FILE`, or KEYTURN_HOME naming a file) exited 70
 * "internal error: ENOTDIR" in status, init --local, rotate --local (and --abort), maintain --local and sim;
 * it is ERR_HOME_UNUSABLE (3) naming the home now (cli/home.ts, shared/adapters/local/errors.ts).
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsWorld, createAwsWorld, STACK } from './aws-world.ts';
import { freePort, type KeyturnRun, makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'keys');
const PUBLIC_KEY = join(fixtures, 'rsa2048.public');

/** A temporary working directory; `home` is its default keyturn home. */
interface Workspace {
  readonly cwd: string;
}

/** What a cell's `prepare` returns. */
interface Prepared {
  readonly args?: readonly string[];
  /** A port held busy while the command runs (0: any free one); `BUSY` in `args` becomes its number. */
  readonly busy?: number;
}

/** One cell: the command line to run after `prepare`, the exit code it must give and what stderr must say. */
interface Cell {
  readonly command: string;
  readonly why: string;
  readonly code: number;
  /** Sets up the situation; returns the arguments (default: `args`) and a port to hold busy meanwhile. */
  readonly prepare?: (workspace: Workspace) => Promise<Prepared>;
  /** Checks what the command left behind, before the directory is removed. */
  readonly afterwards?: (workspace: Workspace) => Promise<void>;
  readonly args?: readonly string[];
  /** What standard error (or, for a report, standard output) must name. */
  readonly says: readonly RegExp[];
  readonly options?: Partial<Parameters<typeof runKeyturn>[1]>;
  readonly timeout?: number;
}

/** Asserts the exit code and the message, and that nothing is reported as a bug. */
function assessCell(run: KeyturnRun, cell: Pick<Cell, 'code' | 'says'>, label: string): void {
  expect(run.code, `${label}\n${run.err}`).toBe(cell.code);
  expect(run.err).not.toMatch(/internal error/);
  for (const pattern of cell.says) expect(run.err + run.out, label).toMatch(pattern);
}

/** A home with one issuer (RSA 2048, no lead time) served at a free port of its own; returns that port. */
async function withIssuer(cwd: string): Promise<number> {
  const port = await freePort();
  const init = await runKeyturn(
    ['init', '--local', '--issuer', `http://127.0.0.1:${port}/demo`, '--bits', '2048', '--lead-time', '0s'],
    { cwd },
  );
  expect(init.code, init.err).toBe(0);
  return port;
}

/** Listens on `port` (0: any) on 127.0.0.1, so a command finds it busy. */
async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as { port: number }).port;

/** Runs `use` while a server holds `port` (0: a free one, given to `use`), then frees it. */
async function whileBusy<T>(port: number, use: (port: number) => Promise<T>): Promise<T> {
  const server = await occupy(port);
  try {
    return await use(portOf(server));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A kubeconfig whose only cluster is at a loopback port nothing listens on (the cluster is down). */
function downKubeconfig(port: number): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: down, cluster: {server: "https://127.0.0.1:${port}"}}]`,
    'users: [{name: operator, user: {token: not-a-secret}}]',
    'contexts: [{name: down, context: {cluster: down, user: operator}}]',
    'current-context: down',
    '',
  ].join('\n');
}

const HOME_IS_A_FILE = async ({ cwd }: Workspace) => {
  await writeFile(join(cwd, 'a-file'), 'not a directory');
  return {};
};

/** Cells run offline with the local backends, each in its own directory, all at once. */
const LOCAL_CELLS: readonly Cell[] = [
  {
    command: 'create-key-pair',
    why: 'without --output-dir',
    code: 2,
    args: ['create-key-pair'],
    says: [/required option '--output-dir <dir>'/, /--help/],
  },
  {
    command: 'create-key-pair',
    why: 'when --output-dir runs through a file',
    code: 3,
    prepare: async ({ cwd }) => {
      await writeFile(join(cwd, 'a-file'), 'x');
      return { args: ['create-key-pair', '--output-dir', 'a-file/keys', '--bits', '2048'] };
    },
    says: [/cannot create a-file\/keys: a parent of it is not a directory/],
  },
  {
    command: 'kid',
    why: 'without a key file',
    code: 2,
    args: ['kid'],
    says: [/missing required argument 'public-key-file'/, /--help/],
  },
  {
    command: 'jwks',
    why: 'without key files',
    code: 2,
    args: ['jwks'],
    says: [/missing required argument 'public-key-files'/, /--help/],
  },
  {
    command: 'jwks',
    why: 'when a key file is missing',
    code: 3,
    args: ['jwks', PUBLIC_KEY, 'missing.public'],
    says: [/cannot read public key missing\.public: it does not exist/],
  },
  {
    command: 'jwks',
    why: "when --output's directory is missing",
    code: 3,
    args: ['jwks', PUBLIC_KEY, '--output', 'no/such/keys.json'],
    says: [/cannot write no\/such\/keys\.json: it does not exist/],
  },
  {
    command: 'discovery',
    why: 'without --issuer',
    code: 2,
    args: ['discovery'],
    says: [/required option '--issuer <url>'/, /--help/],
  },
  {
    command: 'discovery',
    why: "when --output's directory is missing",
    code: 3,
    args: ['discovery', '--issuer', 'https://oidc.example.com/a', '--output', 'no/such/openid.json'],
    says: [/cannot write no\/such\/openid\.json: it does not exist/],
  },
  {
    command: 'verify-token',
    why: 'when the token file is missing',
    code: 3,
    args: ['verify-token', 'missing.jwt', '--public-key', PUBLIC_KEY],
    says: [/cannot read token missing\.jwt: it does not exist/],
  },
  {
    command: 'status',
    why: 'when a keyring is damaged',
    code: 1,
    prepare: async ({ cwd }) => {
      await withIssuer(cwd);
      await writeFile(join(cwd, '.keyturn', 'keyrings', 'demo.json'), '{"issuerId":');
      return { args: ['status'] };
    },
    says: [/keyrings\/demo\.json: is not JSON \(truncated or damaged\?\)/],
  },
  {
    command: 'rotate --local',
    why: 'when the --kubeconfig cluster is down (the requested case)',
    code: 3,
    prepare: async ({ cwd }) => {
      await withIssuer(cwd);
      await writeFile(join(cwd, 'down.kubeconfig'), downKubeconfig(await freePort()));
      return { args: ['rotate', '--local', '--kubeconfig', 'down.kubeconfig'] };
    },
    // Prepare failed before any write: nothing to resume or abort.
    afterwards: async ({ cwd }) => {
      const status = await runKeyturn(['status'], { cwd });
      expect(status.code, status.err).toBe(0);
      expect(status.out).not.toContain('rotation in flight');
    },
    says: [
      /workflow failed in state Prepare with ClusterApiCallError/,
      /ECONNREFUSED \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); the API server is unavailable/,
      /run keyturn status to see where the issuer stands, then run the same command again/,
    ],
    // Prepare's Retry (infra/workflows/rotation.asl.json) waits up to 2+4+8+16+30 s with full jitter: a real
    // cluster's waits are not scaled down.
    timeout: 90_000,
  },
  {
    command: 'rotate --local',
    why: 'when the --kubeconfig file is missing',
    code: 3,
    prepare: async ({ cwd }) => {
      await withIssuer(cwd);
      return { args: ['rotate', '--local', '--kubeconfig', 'missing.kubeconfig'] };
    },
    says: [/the kubeconfig ".*missing\.kubeconfig" cannot be read: no such file/],
  },
  {
    command: 'rotate --local',
    why: 'when the kubeconfig names no context',
    code: 3,
    prepare: async ({ cwd }) => {
      await withIssuer(cwd);
      await writeFile(join(cwd, 'empty.kubeconfig'), 'apiVersion: v1\nkind: Config\n');
      return { args: ['rotate', '--local', '--kubeconfig', 'empty.kubeconfig'] };
    },
    says: [/has no current-context naming both a cluster and a user; run oc login or set current-context/],
  },
  {
    command: 'rotate --local',
    why: "when the issuer URL's port is busy",
    code: 3,
    prepare: async ({ cwd }) => ({ args: ['rotate', '--local'], busy: await withIssuer(cwd) }),
    says: [/cannot serve .*http:\/\/127\.0\.0\.1:(\d+)\/demo: port \1 .*\bstop\b/],
  },
  {
    command: 'rotate --local',
    why: 'for an issuer the home does not hold',
    code: 3,
    prepare: async ({ cwd }) => {
      await withIssuer(cwd);
      return { args: ['rotate', '--local', '--issuer', 'nope'] };
    },
    says: [/no issuer nope under /],
  },
  {
    command: 'rotate --local --abort',
    why: 'when the home holds no issuer',
    code: 3,
    args: ['rotate', '--local', '--abort'],
    says: [/keyturn init --local/],
  },
  {
    command: 'maintain --local',
    why: 'when the --kubeconfig cluster is down',
    code: 3,
    prepare: async ({ cwd }) => {
      await withIssuer(cwd);
      await writeFile(join(cwd, 'down.kubeconfig'), downKubeconfig(await freePort()));
      return { args: ['maintain', '--local', '--kubeconfig', 'down.kubeconfig'] };
    },
    says: [/maintenance failed for demo \(see above\)/, /ECONNREFUSED/],
  },
  {
    command: 'maintain --local',
    why: "when the issuer URL's port is busy",
    code: 3,
    prepare: async ({ cwd }) => ({ args: ['maintain', '--local'], busy: await withIssuer(cwd) }),
    says: [/cannot serve .*http:\/\/127\.0\.0\.1:(\d+)\/demo: port \1 .*\bstop\b/],
  },
  {
    command: 'serve',
    why: 'for a --port that is not a port',
    code: 2,
    args: ['serve', '--port', 'http'],
    says: [/argument 'http' is invalid\. expected a port number/, /--help/],
  },
  {
    command: 'sim',
    why: 'started, then stopped with Ctrl-C',
    code: 0,
    args: ['sim', '--port', '0', '--nodes', '1'],
    options: { untilStopped: () => Promise.resolve() },
    says: [/OpenShift simulator at https:\/\/127\.0\.0\.1:\d+/, /Stopped\./],
  },
  {
    command: 'sim',
    why: 'for --nodes 0',
    code: 2,
    args: ['sim', '--nodes', '0'],
    says: [/expected a whole number of nodes from 1 to 99/, /--help/],
  },
  {
    command: 'sim',
    why: 'for a --stuck-node that is not a node',
    code: 2,
    args: ['sim', '--nodes', '2', '--stuck-node', 'master-7'],
    says: [/--stuck-node must name a node: master-0, master-1/],
  },
  {
    command: 'sim',
    why: 'when its port is busy',
    code: 3,
    prepare: async () => ({ args: ['sim', '--port', 'BUSY'], busy: 0 }),
    says: [/cannot listen on 127\.0\.0\.1:\d+: the port is in use; choose another with --port/],
  },
];

/** A keyturn home that is a file: exit 3, naming it (these exited 70 before ERR_HOME_UNUSABLE). */
const HOME_IS_A_FILE_CELLS: readonly Cell[] = [
  ['status', ['status']],
  ['init --local', ['init', '--local', '--issuer', 'http://127.0.0.1:18080/demo', '--bits', '2048']],
  ['rotate --local', ['rotate', '--local']],
  ['rotate --local --abort', ['rotate', '--local', '--abort']],
  ['maintain --local', ['maintain', '--local']],
  ['sim', ['sim', '--port', '0']],
].map(([command, args]) => ({
  command: String(command),
  why: 'when the keyturn home is a file',
  code: 3,
  prepare: HOME_IS_A_FILE,
  args: [...(args as string[]), '--home', 'a-file'],
  says: [/a-file/],
  options: { untilStopped: () => Promise.resolve() },
}));

/** Runs one cell in a fresh directory, holding its busy port while the command runs. */
async function runCell(cell: Cell): Promise<KeyturnRun> {
  const directory = await makeTempDirectory();
  const workspace = { cwd: directory.path };
  try {
    const prepared = (await cell.prepare?.(workspace)) ?? {};
    const args = prepared.args ?? cell.args ?? [];
    const options = { cwd: directory.path, ...cell.options };
    const run =
      prepared.busy === undefined
        ? await runKeyturn(args, options)
        : await whileBusy(prepared.busy, (port) =>
            runKeyturn(
              args.map((arg) => (arg === 'BUSY' ? String(port) : arg)),
              options,
            ),
          );
    await cell.afterwards?.(workspace);
    return run;
  } finally {
    await directory.remove();
  }
}

describe.concurrent('keyturn exit codes per command (local backends, offline)', () => {
  for (const cell of LOCAL_CELLS) {
    it(`exits ${cell.code} for keyturn ${cell.command} ${cell.why}`, { timeout: cell.timeout }, async () => {
      // Act
      const run = await runCell(cell);

      // Assess
      assessCell(run, cell, `keyturn ${cell.command} ${cell.why}`);
    });
  }

  for (const cell of HOME_IS_A_FILE_CELLS) {
    it(`exits 3 for keyturn ${cell.command} ${cell.why}`, async () => {
      // Act
      const run = await runCell(cell);

      // Assess
      assessCell(run, cell, `keyturn ${cell.command} ${cell.why}`);
    });
  }

  it('exits 3 for keyturn rotate --local --rotation-id ID while another rotation is in flight, naming resume and abort', async () => {
    // Prepare: a rotation interrupted (Ctrl-C) once its key is published.
    const directory = await makeTempDirectory();
    const cwd = directory.path;
    await withIssuer(cwd);
    let pressCtrlC: () => void = () => {};
    const ctrlC = new Promise<void>((resolve) => {
      pressCtrlC = resolve;
    });
    const interrupted = await runKeyturn(['rotate', '--local'], {
      cwd,
      untilStopped: () => ctrlC,
      onErr: (text) => {
        if (text.includes('✓ Publish')) pressCtrlC();
      },
    });

    // Act
    const run = await runKeyturn(['rotate', '--local', '--rotation-id', 'other-1'], { cwd }).finally(
      directory.remove,
    );

    // Assess
    expect(interrupted.code, interrupted.err).toBe(130);
    assessCell(run, { code: 3, says: [/keyturn rotate --local\b/, /--abort/] }, 'another rotation in flight');
  });
});

/** The commands `keyturn --help` lists, read from it so that a new command is checked too. */
async function listedCommands(cwd: string): Promise<string[]> {
  const help = await runKeyturn(['--help'], { cwd });
  const commands = help.out.split('Commands:')[1] ?? '';
  return [...commands.matchAll(/^ {2}([a-z-]+)/gm)]
    .flatMap((match) => match[1] ?? [])
    .filter((name) => name !== 'help');
}

describe('keyturn --help and unknown flags, per command', () => {
  let directory: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    directory = await makeTempDirectory();
  });
  afterAll(async () => {
    await directory.remove();
  });

  it('lists the commands this file covers', async () => {
    expect(await listedCommands(directory.path)).toEqual([
      'create-key-pair',
      'kid',
      'jwks',
      'discovery',
      'verify-token',
      'init',
      'status',
      'preflight',
      'rotate',
      'maintain',
      'reseal',
      'serve',
      'sim',
      'completion',
    ]);
  });

  it('exits 0 for --help and 2 for an unknown flag naming --help, for every command', async () => {
    // Prepare
    const commands = await listedCommands(directory.path);

    // Act
    const runs = await Promise.all(
      commands.map(async (command) => ({
        command,
        help: await runKeyturn([command, '--help'], { cwd: directory.path }),
        unknown: await runKeyturn([command, '--no-such-flag'], { cwd: directory.path }),
      })),
    );

    // Assess
    for (const { command, help, unknown } of runs) {
      expect(help.code, `${command} --help: ${help.err}`).toBe(0);
      expect(help.out).toContain(`Usage: keyturn ${command}`);
      expect(unknown.code, `${command} --no-such-flag: ${unknown.err}`).toBe(2);
      // Commander reports a missing required option first (create-key-pair, discovery): a usage error too.
      expect(unknown.err).toMatch(/unknown option '--no-such-flag'|required option '.+' not specified/);
      expect(unknown.err).toContain('run with --help for usage');
    }
  });
});

/** The five commands that talk to the deployed stack, each with `--region` (fresh SDK clients). */
const AWS_COMMANDS: readonly (readonly string[])[] = [
  ['status', '--aws'],
  ['init', '--aws', '--issuer-id', 'demo', '--bits', '2048'],
  ['rotate', '--issuer', 'demo'],
  ['rotate', '--fleet'],
  ['maintain', '--aws'],
];

describe('keyturn commands in AWS when the AWS endpoint refuses the connection (a closed loopback port)', () => {
  const saved: Record<string, string | undefined> = {};
  let directory: { path: string; remove: () => Promise<void> };
  let port: number;

  beforeAll(async () => {
    directory = await makeTempDirectory();
    port = await freePort();
    // Read by the SDK when it creates the --region clients below; no fakes are installed here.
    const env = {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEOFFLINE',
      AWS_SECRET_ACCESS_KEY: 'offline',
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
    };
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await directory.remove();
  });

  it('exits 3 naming the call, ECONNREFUSED and the endpoint, per command', async () => {
    // Act
    const runs = await Promise.all(
      AWS_COMMANDS.map(async (args) => ({
        args,
        run: await runKeyturn([...args, '--region', 'eu-west-1'], { cwd: directory.path }),
      })),
    );

    // Assess
    for (const { args, run } of runs) {
      assessCell(
        run,
        {
          code: 3,
          says: [
            /CloudFormation DescribeStacks on Keyturn failed: ECONNREFUSED/,
            new RegExp(`127\\.0\\.0\\.1:${port} could not be reached; check the network, the region`),
          ],
        },
        `keyturn ${args.join(' ')}`,
      );
    }
  });
});

describe('keyturn commands in AWS (fakes): the cells no other test covers', () => {
  let world: AwsWorld;
  let directory: { path: string; remove: () => Promise<void> };

  beforeEach(async () => {
    world = createAwsWorld();
    directory = await makeTempDirectory();
  });
  afterEach(async () => {
    world.restore();
    await directory.remove();
  });

  it('exits 3 for keyturn init --aws when the stack is not deployed, saying to deploy it', async () => {
    // Prepare
    world.cloudFormation.deleteStack(STACK.name);

    // Act
    const run = await runKeyturn(['init', '--aws', '--issuer-id', 'demo', '--bits', '2048'], {
      cwd: directory.path,
    });

    // Assess
    assessCell(
      run,
      { code: 3, says: [/no stack Keyturn/, /deploy keyturn with npx cdk deploy/] },
      'init --aws',
    );
    expect(world.kms.calls).toEqual([]);
  });

  it('exits 1 for keyturn status --aws when a keyring in the state bucket is damaged, naming it', async () => {
    // Prepare
    world.s3.putObject(STACK.stateBucket, 'keyrings/demo.json', '{"issuerId":', {
      contentType: 'application/json',
    });

    // Act
    const run = await runKeyturn(['status', '--aws', '--issuer', 'demo'], { cwd: directory.path });

    // Assess
    assessCell(run, { code: 1, says: [/keyrings\/demo\.json/, /not JSON/] }, 'status --aws');
  });
});
