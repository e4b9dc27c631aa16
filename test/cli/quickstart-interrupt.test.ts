import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from './run-keyturn.ts';

const run = promisify(execFile);
const quickstart = join(import.meta.dirname, '..', '..', 'cli', 'quickstart.ts');

describe('npm start, interrupted (RECOVERABLE)', () => {
  it('stops on SIGINT with exit 130 naming npm start and the abort, and the next npm start resumes the rotation', {
    timeout: 120_000,
  }, async () => {
    // Prepare
    const home = await mkdtemp(join(tmpdir(), 'keyturn-home-'));
    const env = { ...process.env, KEYTURN_HOME: home, KEYTURN_DEMO_PORT: String(await freePort()) };
    try {
      // Act: Ctrl-C while the demo waits out its lead time.
      const interrupted = await new Promise<{ code: number | null; out: string; err: string }>(
        (resolve, reject) => {
          const child = spawn(process.execPath, [quickstart], { env });
          let out = '';
          let err = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes('… WaitForLeadTime')) child.kill('SIGINT');
          });
          child.stderr.on('data', (chunk: Buffer) => {
            err += chunk.toString();
          });
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, out, err }));
        },
      );
      const rotationId = /interrupted: rotation (\S+)/.exec(interrupted.err)?.[1];
      const resumed = await run(process.execPath, [quickstart], { env, timeout: 60_000 });

      // Assess
      expect(interrupted.code, interrupted.err).toBe(130);
      expect(interrupted.err).toMatch(/npm start {2,}resume it where it stopped/);
      expect(interrupted.err).toContain('npx keyturn rotate --local --abort  end it safely');
      expect(resumed.stdout).toContain(`Resuming rotation ${rotationId} (started `);
      expect(resumed.stdout).toContain(`Rotation ${rotationId} took`);
      expect(resumed.stdout).toContain('Verified: a token freshly issued by the simulated cluster');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
