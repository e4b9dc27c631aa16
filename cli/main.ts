import { createInterface } from 'node:readline/promises';
import { Command, CommanderError } from 'commander';
import { registerCreateKeyPair } from './commands/create-key-pair.ts';
import { registerDiscovery } from './commands/discovery.ts';
import { registerInit } from './commands/init.ts';
import { registerJwks } from './commands/jwks.ts';
import { registerKid } from './commands/kid.ts';
import { registerMaintain } from './commands/maintain.ts';
import { registerRotate } from './commands/rotate.ts';
import { registerServe } from './commands/serve.ts';
import { registerSim } from './commands/sim.ts';
import { registerStatus } from './commands/status.ts';
import { registerVerifyToken } from './commands/verify-token.ts';
import { ExitCode, type ExitCodeValue, exitCodeFor } from './exit-codes.ts';
import type { CliIo } from './io.ts';

/** Builds the `keyturn` program; a fresh one per run so in-process tests never share state. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('keyturn')
    .description(
      'Rotate Kubernetes/OpenShift service-account signing keys published as an OIDC issuer for AWS STS',
    )
    .option('--debug', 'show stack traces of errors')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)');
  for (const register of [
    registerCreateKeyPair,
    registerKid,
    registerJwks,
    registerDiscovery,
    registerVerifyToken,
    registerInit,
    registerStatus,
    registerRotate,
    registerMaintain,
    registerServe,
    registerSim,
  ]) {
    register(program, io);
  }
  return program;
}

/** Runs one command line and returns its exit code; errors become one clear line on stderr. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const program = buildProgram(io);
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
    readStdin: readStandardInput,
    cwd: process.cwd(),
    env: process.env,
    untilStopped: () =>
      new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }),
    fetch: globalThis.fetch,
    ...(process.stdin.isTTY && process.stderr.isTTY ? { ask: askOnTerminal } : {}),
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

async function readStandardInput(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
