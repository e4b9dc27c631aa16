import { createServer, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort, makeTempDirectory, runKeyturn } from './run-keyturn.ts';

let directory: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(async () => {
  await directory.remove();
});

/** Listens on a free loopback port until closed, so a command finds it busy. */
async function occupyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('keyturn exit codes', () => {
  it('exits 3 naming the port and what to do when keyturn serve finds its port busy', async () => {
    // Prepare
    const { port, server } = await occupyPort();

    // Act
    const run = await runKeyturn(['serve', '--port', String(port)], { cwd: directory.path }).finally(
      () => new Promise((resolve) => server.close(resolve)),
    );

    // Assess
    expect(run.code, run.err).toBe(3);
    expect(run.err).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    expect(run.err).toMatch(/--port/);
    expect(run.err).not.toMatch(/internal error/);
  });

  it('exits 3 when the home holds no issuer, per local command', async () => {
    for (const args of [
      ['rotate', '--local'],
      ['maintain', '--local'],
    ]) {
      const run = await runKeyturn(args, { cwd: directory.path });
      expect(run.code, `${args.join(' ')}: ${run.err}`).toBe(3);
      expect(run.err).toMatch(/keyturn init --local/);
    }
  });

  it('exits 2 for an unknown flag, per command', async () => {
    for (const command of ['rotate', 'serve', 'init', 'status', 'maintain']) {
      const run = await runKeyturn([command, '--no-such-flag'], { cwd: directory.path });
      expect(run.code, `${command}: ${run.err}`).toBe(2);
    }
  });

  it('exits 0 for init and 1 for an emergency rotation naming a kid that is not the active key', async () => {
    // Prepare
    const issuer = `http://127.0.0.1:${await freePort()}/demo`;
    const init = await runKeyturn(
      ['init', '--local', '--issuer', issuer, '--bits', '2048', '--lead-time', '0s'],
      {
        cwd: directory.path,
      },
    );

    // Act
    const run = await runKeyturn(['rotate', '--local', '--emergency', 'no-such-kid', '--yes'], {
      cwd: directory.path,
    });

    // Assess
    expect(init.code, init.err).toBe(0);
    expect((await runKeyturn(['status'], { cwd: directory.path })).code).toBe(0);
    expect(run.code, run.err).toBe(1);
    expect(run.err).toMatch(/no-such-kid/);
    expect(run.err).not.toMatch(/internal error/);
  });
});
