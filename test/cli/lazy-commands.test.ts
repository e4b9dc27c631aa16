import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command, Help } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '#cli/command-table.ts';
import type { CliIo } from '#cli/io.ts';
import { KEYTURN_VERSION } from '#cli/main.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'cli', 'keyturn.js');
const vector = join(import.meta.dirname, '..', 'fixtures', 'keys', 'k8s-keyid-vector.public');

/** Packages a light command must never load (issue 14: fast start). */
const HEAVY = ['@aws-sdk/', '@smithy/', '@kubernetes/client-node', 'aws-local-stepfunctions', 'undici'];

const silentIo = { out: () => undefined, err: () => undefined } as unknown as CliIo;

/** Every command registered in full, as a program that loads them all would have it. */
async function eagerProgram(): Promise<Command> {
  const program = new Command('keyturn');
  for (const entry of COMMANDS) (await entry.load())(program, silentIo);
  return program;
}

let work: { path: string; remove: () => Promise<void> };
let hook: string;
beforeAll(async () => {
  work = await makeTempDirectory();
  // Records every module URL the process resolves, written at exit.
  hook = join(await mkdtemp(join(tmpdir(), 'keyturn-loads-')), 'record-loads.mjs');
  await writeFile(
    hook,
    [
      "import { registerHooks } from 'node:module';",
      "import { writeFileSync } from 'node:fs';",
      'const seen = new Set();',
      'registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.add(r.url); return r; } });',
      "process.on('exit', () => writeFileSync(process.env.KEYTURN_LOADS_FILE, [...seen].join('\\n')));",
    ].join('\n'),
  );
});
afterAll(async () => {
  await work.remove();
  await rm(join(hook, '..'), { recursive: true, force: true });
});

/** Runs the real bin and returns the module URLs it loaded. */
async function modulesLoadedBy(args: readonly string[]): Promise<string[]> {
  const loads = join(work.path, `loads-${args.join('-').replaceAll(/[^a-z-]/g, '')}.txt`);
  await run(process.execPath, ['--import', hook, bin, ...args], {
    env: { ...process.env, KEYTURN_LOADS_FILE: loads },
  }).catch((error: unknown) => error);
  return (await readFile(loads, 'utf8')).split('\n');
}

describe('the command table (cli/command-table.ts) that lets keyturn load only the command a run names', () => {
  it('lists every command with the term and summary the command itself registers', async () => {
    // Arrange
    const program = await eagerProgram();
    const help = new Help();

    // Act
    const registered = program.commands.map((command) => ({
      name: command.name(),
      term: help.subcommandTerm(command),
      summary: command.description(),
    }));

    // Assess
    expect(COMMANDS.map(({ name, term, summary }) => ({ name, term, summary }))).toEqual(registered);
  });

  it('prints the same top-level help as a program with every command loaded', async () => {
    // Arrange
    const eager = await eagerProgram();
    eager
      .description(
        'Rotate Kubernetes/OpenShift service-account signing keys published as an OIDC issuer for AWS STS',
      )
      .version(KEYTURN_VERSION, '-V, --version', 'print the keyturn version')
      .option('--debug', 'show stack traces of errors');

    // Act
    const lazy = await runKeyturn(['--help'], { cwd: work.path });

    // Assess
    expect(lazy.code).toBe(0);
    expect(lazy.out).toBe(eager.helpInformation());
  });
});

describe('fast start (issue 14)', () => {
  it.each([
    ['--help'],
    ['kid', vector],
    ['jwks', vector],
    ['verify-token', '--help'],
    ['create-key-pair', '--help'],
  ])(
    'keyturn %s never imports the AWS SDK, the Kubernetes client or the workflow runner',
    async (...args) => {
      // Act
      const loaded = await modulesLoadedBy(args);

      // Assess
      expect(loaded.length).toBeGreaterThan(1);
      expect(loaded.filter((url) => HEAVY.some((name) => url.includes(`/node_modules/${name}`)))).toEqual([]);
      expect(loaded.filter((url) => url.includes('/local/workflow/'))).toEqual([]);
    },
  );

  it('loads the heavy modules only for the commands that use them (keyturn status)', async () => {
    // Act
    const loaded = await modulesLoadedBy(['status', '--help']);

    // Assess: the probe above would see them, so its empty lists mean something.
    expect(loaded.some((url) => url.includes('/node_modules/@aws-sdk/'))).toBe(true);
  });
});

describe('keyturn --version and keyturn completion', () => {
  it('prints the version of package.json', async () => {
    // Arrange
    const manifest = JSON.parse(
      await readFile(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
    );

    // Act
    const result = await runKeyturn(['--version'], { cwd: work.path });

    // Assess
    expect(result).toEqual({ code: 0, out: `${manifest.version}\n`, err: '' });
  });

  it('writes a bash script that completes commands, a command’s options and file names', async () => {
    // Arrange
    const script = join(work.path, 'keyturn.bash');
    await writeFile(script, (await runKeyturn(['completion', 'bash'], { cwd: work.path })).out);
    const complete = async (...words: string[]) => {
      const line = ['keyturn', ...words].map((word) => `'${word}'`).join(' ');
      const { stdout } = await run('bash', [
        '-c',
        `source '${script}'; COMP_WORDS=(${line}); COMP_CWORD=${words.length}; _keyturn; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ]);
      return stdout.trim().split('\n');
    };

    // Act
    const commands = await complete('ro');
    const rotateOptions = await complete('rotate', '--ab');
    const programOptions = await complete('--ver');

    // Assess
    expect(commands).toEqual(['rotate']);
    expect(rotateOptions).toEqual(['--abort']);
    expect(programOptions).toEqual(['--version']);
  });

  it('writes a zsh script that bash-completion compatibility can load', async () => {
    // Act
    const result = await runKeyturn(['completion', 'zsh'], { cwd: work.path });

    // Assess
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^#compdef keyturn\n/);
    expect(result.out).toContain('bashcompinit');
    for (const { name } of COMMANDS) expect(result.out).toContain(name);
  });

  it('refuses a shell it has no script for, as a usage error (exit 2)', async () => {
    // Act
    const result = await runKeyturn(['completion', 'fish'], { cwd: work.path });

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toContain('Allowed choices are bash, zsh');
  });
});
