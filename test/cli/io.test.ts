import { describe, expect, it } from 'vitest';
import { type CliIo, MAX_INPUT_BYTES, readInput } from '#cli/io.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const CHUNK = 64 * 1024;

/** An io whose standard input yields `chunks` chunks of 64 KiB (endless by default), counting reads. */
function ioWithStdin(chunks = Number.POSITIVE_INFINITY): {
  io: CliIo;
  reads: () => number;
  closed: () => boolean;
} {
  let reads = 0;
  let closed = false;
  const io: CliIo = {
    out: () => undefined,
    err: () => undefined,
    stdin: () => ({
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          if (reads >= chunks) return { done: true, value: undefined };
          reads += 1;
          return { done: false, value: new Uint8Array(CHUNK) };
        },
        return: async () => {
          closed = true;
          return { done: true, value: undefined };
        },
      }),
    }),
    cwd: '/',
    env: {},
    untilStopped: () => new Promise<void>(() => {}),
    fetch: globalThis.fetch,
  };
  return { io, reads: () => reads, closed: () => closed };
}

describe('readInput', () => {
  it('refuses standard input past 1 MiB with ERR_CLI_FILE, stopping the read at the cap', async () => {
    // Prepare
    const { io, reads, closed } = ioWithStdin();

    // Act
    const read = readInput(io, '-', 'token');

    // Assess
    await expect(read).rejects.toMatchObject({ name: 'CliInputError', code: 'ERR_CLI_FILE' });
    await expect(read).rejects.toThrow(`token on standard input is more than ${MAX_INPUT_BYTES} bytes`);
    expect(reads()).toBe(MAX_INPUT_BYTES / CHUNK + 1);
    expect(closed()).toBe(true);
  });

  it('reads standard input of exactly 1 MiB', async () => {
    // Prepare
    const { io } = ioWithStdin(MAX_INPUT_BYTES / CHUNK);

    // Act
    const bytes = await readInput(io, '-', 'token');

    // Assess
    expect(bytes.length).toBe(MAX_INPUT_BYTES);
  });

  it('refuses a 2 MiB token piped to verify-token as it refuses a 2 MiB file (exit 3)', async () => {
    // Prepare
    const directory = await makeTempDirectory();
    const huge = 'a'.repeat(2 * MAX_INPUT_BYTES);

    // Act
    const run = await runKeyturn(['verify-token', '-', '--issuer', 'https://oidc.example.com/a'], {
      cwd: directory.path,
      stdin: huge,
    });
    await directory.remove();

    // Assess
    expect(run.code).toBe(3);
    expect(run.err).toContain('token on standard input is more than 1048576 bytes; that is too large');
  });
});
