import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseKeySet } from '#shared/issuer/index.ts';
import { findInvariantViolations } from '#shared/keyring/invariants.ts';
import { parseKeyring } from '#shared/keyring/keyring.ts';
import { freePort } from './run-keyturn.ts';

const run = promisify(execFile);
const quickstart = join(import.meta.dirname, '..', '..', 'cli', 'quickstart.ts');

describe('npm start (cli/quickstart.ts)', () => {
  it('creates an issuer, rotates through the workflow, and verifies a fresh cluster token over HTTP', {
    timeout: 120_000,
  }, async () => {
    const home = await mkdtemp(join(tmpdir(), 'keyturn-home-'));
    const port = await freePort();
    try {
      // Act
      const { stdout, stderr } = await run(process.execPath, [quickstart], {
        env: { ...process.env, KEYTURN_HOME: home, KEYTURN_DEMO_PORT: String(port) },
        timeout: 60_000,
      });

      // Assess: the summary, the state on disk, and the invariants.
      expect(stdout).toContain(`Created issuer demo at http://127.0.0.1:${port}/demo`);
      expect(stdout).toMatch(/✓ WaitForLeadTime\s+\d/);
      expect(stdout).toContain('Verified: a token freshly issued by the simulated cluster');
      const keyring = parseKeyring(await readFile(join(home, 'keyrings', 'demo.json'), 'utf8'), 'keyring');
      expect(keyring.keys.map((key) => key.state)).toEqual(['retired', 'active']);
      const published = parseKeySet(await readFile(join(home, 'public', 'demo', 'keys.json'), 'utf8'));
      expect(published.keys.map((key) => key.kid)).toEqual(keyring.keys.map((key) => key.kid));
      expect(
        findInvariantViolations({
          keyring,
          publicKids: published.keys.map((key) => key.kid),
          now: new Date(),
        }),
      ).toEqual([]);
      expect((await stat(join(home, 'master.key'))).mode & 0o777).toBe(0o600);
      // SEALED: nothing printed or stored in the clear holds a private key.
      expect(stdout + stderr).not.toContain('PRIVATE KEY');
      for (const file of await readdir(home, { recursive: true, withFileTypes: true })) {
        if (file.isFile())
          expect(await readFile(join(file.parentPath, file.name), 'latin1')).not.toContain('PRIVATE KEY');
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it.each(['65536', 'http'])('refuses KEYTURN_DEMO_PORT=%s before creating an issuer', async (port) => {
    const home = await mkdtemp(join(tmpdir(), 'keyturn-home-'));
    try {
      // Act
      const failed = await run(process.execPath, [quickstart], {
        env: { ...process.env, KEYTURN_HOME: home, KEYTURN_DEMO_PORT: port },
        timeout: 60_000,
      }).catch((error: { code?: number; stderr?: string }) => error);

      // Assess
      expect(failed).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('KEYTURN_DEMO_PORT must be a port'),
      });
      expect(await readdir(join(home, 'keyrings')).catch(() => [])).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
