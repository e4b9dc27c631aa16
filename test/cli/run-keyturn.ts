import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '#cli/io.ts';
import { runCli } from '#cli/main.ts';

/** What one in-process `keyturn` run printed and returned. */
export interface KeyturnRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the `keyturn` command line in-process, in `cwd`, capturing both streams. */
export async function runKeyturn(
  args: readonly string[],
  options: {
    cwd: string;
    stdin?: string | Uint8Array;
    fetch?: CliIo['fetch'];
    env?: CliIo['env'];
    untilStopped?: CliIo['untilStopped'];
    sleep?: CliIo['sleep'];
    /** Answers questions as the person at a terminal would (absent: no terminal). */
    ask?: CliIo['ask'];
    /** Sees standard error as it is written (for long-running commands). */
    onErr?: (text: string) => void;
  },
): Promise<KeyturnRun> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
      options.onErr?.(text);
    },
    stdin: async function* () {
      yield Buffer.from(options.stdin ?? '');
    },
    cwd: options.cwd,
    env: options.env ?? {},
    // By default nobody presses Ctrl-C: long-running commands run until they end on their own.
    untilStopped: options.untilStopped ?? (() => new Promise<void>(() => {})),
    fetch: options.fetch ?? globalThis.fetch,
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    ...(options.ask === undefined ? {} : { ask: options.ask }),
  };
  const code = await runCli(args, io);
  return { code, out, err };
}

/** A fresh temporary directory, and a function that removes it. */
export async function makeTempDirectory(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'keyturn-cli-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A port free right now on 127.0.0.1, for an issuer URL a local command serves itself. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
