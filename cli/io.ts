import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KeyturnError } from '#shared/errors.ts';
import type { Fetch } from '#shared/issuer/index.ts';

/** Everything a command touches outside itself, so tests can run commands in-process. */
export interface CliIo {
  /** Writes to standard output (results). */
  readonly out: (text: string) => void;
  /** Writes to standard error (progress and errors). */
  readonly err: (text: string) => void;
  /**
   * Standard input as chunks (for `-` as a file name). Read through {@link readInput}, which stops at
   * the input cap instead of buffering whatever is piped in.
   */
  readonly stdin: () => AsyncIterable<Uint8Array>;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  /** Environment variables (KEYTURN_HOME...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the user asks a long-running command (serve) to stop: Ctrl-C or SIGTERM. */
  readonly untilStopped: () => Promise<void>;
  /** HTTP client for issuer and JWKS URLs. */
  readonly fetch: Fetch;
  /** Waits between polls of a workflow running in AWS; tests advance the workflow instead. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Asks the person at the terminal a question (on standard error) and resolves with the line typed.
   * Absent when standard input or standard error is not a terminal: nobody can answer, so a command that
   * needs a confirmation refuses unless told `--yes`. @default absent (no terminal)
   */
  readonly ask?: (question: string) => Promise<string>;
  /** Standard error is a terminal: progress may rewrite a line in place. @default false */
  readonly errIsTerminal?: boolean;
}

/** A file the command needs could not be read or written; the message names the file and what to do. */
export class CliInputError extends KeyturnError<'ERR_CLI_FILE'> {}

const ALREADY_EXISTS =
  'a file with that name already exists; keyturn never overwrites key files (move it away or choose another directory)';

/** Largest input read from a file or standard input (keys, tokens, key sets are a few KiB): 1 MiB. */
export const MAX_INPUT_BYTES = 1024 * 1024;

/**
 * Reads an input file (or standard input for `-`), with clear errors for missing, unreadable or huge
 * inputs: both are capped at {@link MAX_INPUT_BYTES}.
 */
export async function readInput(io: CliIo, path: string, what: string): Promise<Buffer> {
  if (path === '-') {
    return readStandardInput(io, what);
  }
  const fullPath = resolve(io.cwd, path);
  try {
    const info = await stat(fullPath);
    if (!info.isFile()) {
      throw new CliInputError('ERR_CLI_FILE', `${what} ${path} is not a file`);
    }
    if (info.size > MAX_INPUT_BYTES) {
      throw new CliInputError('ERR_CLI_FILE', `${what} ${path} is ${info.size} bytes; that is too large`);
    }
    return await readFile(fullPath);
  } catch (error) {
    throw asCliError(error, `cannot read ${what} ${path}`);
  }
}

/**
 * Reads standard input up to the cap, and stops reading (closing the stream) as soon as it is passed:
 * a command fed an endless pipe fails at once instead of buffering it.
 */
async function readStandardInput(io: CliIo, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin()) {
    size += chunk.byteLength;
    if (size > MAX_INPUT_BYTES) {
      throw new CliInputError(
        'ERR_CLI_FILE',
        `${what} on standard input is more than ${MAX_INPUT_BYTES} bytes; that is too large`,
      );
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Writes text to `--output` atomically (temp file + rename), or to standard output without one. */
export async function writeOutput(io: CliIo, text: string, outputPath: string | undefined): Promise<void> {
  if (outputPath === undefined) {
    io.out(text.endsWith('\n') ? text : `${text}\n`);
    return;
  }
  const fullPath = resolve(io.cwd, outputPath);
  const temporary = `${fullPath}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { flag: 'wx', mode: 0o644 });
    await rename(temporary, fullPath);
  } catch (error) {
    await rm(temporary, { force: true });
    throw asCliError(error, `cannot write ${outputPath}`);
  }
  io.err(`Wrote ${outputPath}\n`);
}

/** Files to create together: all of them are written, or none is left behind. */
export interface NewFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

/** Fails early, before slow work, when any of these files already exists in `directory`. */
export async function assertNoneExist(io: CliIo, directory: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const fullPath = resolve(io.cwd, directory, name);
    const exists = await stat(fullPath).then(
      () => true,
      () => false,
    );
    if (exists) {
      throw new CliInputError('ERR_CLI_FILE', `cannot create ${fullPath}: ${ALREADY_EXISTS}`);
    }
  }
}

/** Creates new files, never overwriting: if any exists or a write fails, the ones created are removed. */
export async function writeNewFiles(
  io: CliIo,
  directory: string,
  files: readonly NewFile[],
): Promise<string[]> {
  const fullDirectory = resolve(io.cwd, directory);
  await mkdir(fullDirectory, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw asCliError(error, `cannot create ${directory}`);
  });
  const created: string[] = [];
  for (const file of files) {
    const fullPath = resolve(fullDirectory, file.path);
    try {
      const handle = await open(fullPath, 'wx', file.mode);
      created.push(fullPath);
      await handle.writeFile(file.content);
      await handle.close();
    } catch (error) {
      await Promise.all(created.map((path) => rm(path, { force: true })));
      throw asCliError(error, `cannot create ${fullPath}`);
    }
  }
  return created;
}

function asCliError(error: unknown, context: string): unknown {
  if (error instanceof KeyturnError) {
    return error;
  }
  const code = (error as { code?: string }).code;
  const reasons: Record<string, string> = {
    ENOENT: 'it does not exist',
    EACCES: 'permission denied',
    EEXIST:
      'a file with that name already exists; keyturn never overwrites key files (move it away or choose another directory)',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a parent of it is not a directory',
  };
  const reason =
    (code !== undefined && reasons[code]) || (error instanceof Error ? error.message : String(error));
  return new CliInputError('ERR_CLI_FILE', `${context}: ${reason}`, { cause: error });
}
