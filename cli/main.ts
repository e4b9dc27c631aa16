import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, Help } from 'commander';
import { COMMANDS, commandNamed } from './command-table.ts';
import { ExitCode, type ExitCodeValue, exitCodeFor } from './exit-codes.ts';
import type { CliIo } from './io.ts';

/** keyturn's version, from its package.json (read once, synchronously: no import of the rest). */
export const KEYTURN_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * Builds the `keyturn` program; a fresh one per run so in-process tests never share state. Only the command
 * `argv` names is loaded and registered in full; the others stand in the help as their name and summary
 * (cli/command-table.ts), so a run pays only for the modules its command uses.
 */
export async function buildProgram(io: CliIo, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('keyturn')
    .description(
      'Rotate Kubernetes/OpenShift service-account signing keys published as an OIDC issuer for AWS STS',
    )
    .version(KEYTURN_VERSION, '-V, --version', 'print the keyturn version')
    .option('--debug', 'show stack traces of errors')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)');
  const named = commandNamed(argv);
  const terms = new Map<string, string>();
  for (const entry of COMMANDS) {
    if (entry === named) {
      (await entry.load())(program, io);
    } else {
      program.command(entry.name).description(entry.summary);
      terms.set(entry.name, entry.term);
    }
  }
  const standard = new Help();
  program.configureHelp({
    subcommandTerm: (command) => terms.get(command.name()) ?? standard.subcommandTerm(command),
  });
  return program;
}

/** Runs one command line and returns its exit code; errors become one clear line on stderr. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const program = await buildProgram(io, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    // Commander has already printed usage errors and help itself.
    if (!(error instanceof CommanderError)) {
      reportError(io, error, argv.includes('--debug'));
    }
    return exitCodeFor(error);
  }
}

function reportError(io: CliIo, error: unknown, debug: boolean): void {
  const code = exitCodeFor(error);
  const message = error instanceof Error ? error.message : String(error);
  const prefix = code === ExitCode.internal ? 'keyturn: internal error (please report it): ' : 'keyturn: ';
  io.err(`${prefix}${message}\n`);
  if (debug && error instanceof Error && error.stack !== undefined) {
    io.err(`${error.stack}\n`);
  }
}

/** The real process's streams, working directory and network. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stdin: () => process.stdin,
    cwd: process.cwd(),
    env: process.env,
    untilStopped: () =>
      new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }),
    fetch: globalThis.fetch,
    ...(process.stdin.isTTY && process.stderr.isTTY ? { ask: askOnTerminal } : {}),
    errIsTerminal: process.stderr.isTTY === true,
  };
}

/** Reads one answer from the terminal; the question goes to standard error, as all prompts and progress do. */
async function askOnTerminal(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}
