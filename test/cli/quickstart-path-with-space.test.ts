import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from './run-keyturn.ts';

const run = promisify(execFile);
const REPO_ROOT = join(import.meta.dirname, '..', '..');
/** What `npm start` needs of a checkout: the sources it loads and the manifest with the `#` aliases. */
const CHECKOUT = ['shared', 'functions', 'infra', 'cli', 'local', 'package.json'];

describe('npm start in a checkout whose path has a space', () => {
  it('rotates and verifies as it does anywhere else', { timeout: 120_000 }, async () => {
    // Prepare: a copy of the sources under `<tmp>/key turn/`. Node resolves a symlinked module to its
    // real path, so the sources are copied; only node_modules is linked.
    const temp = await mkdtemp(join(tmpdir(), 'keyturn-space-'));
    const checkout = join(temp, 'key turn');
    const home = join(checkout, '.keyturn home');
    try {
      await mkdir(checkout);
      for (const entry of CHECKOUT) {
        await cp(join(REPO_ROOT, entry), join(checkout, entry), { recursive: true });
      }
      await symlink(join(REPO_ROOT, 'node_modules'), join(checkout, 'node_modules'), 'dir');
      const port = await freePort();

      // Act: what `npm start` runs, from the checkout; a failure rejects with its exit code and output.
      const { stdout } = await run(process.execPath, ['cli/quickstart.ts'], {
        cwd: checkout,
        env: { ...process.env, KEYTURN_HOME: home, KEYTURN_DEMO_PORT: String(port) },
        timeout: 100_000,
      });

      // Assess
      expect(stdout).toContain(`Created issuer demo at http://127.0.0.1:${port}/demo`);
      expect(stdout).toContain('Verified: a token freshly issued by the simulated cluster');
      expect(stdout).toContain(`State lives in ${home}.`);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  });
});
