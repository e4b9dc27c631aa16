import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseKeySet } from '#shared/issuer/index.ts';
import { parsePrivateKey } from '#shared/keys/index.ts';

const run = promisify(execFile);
const quickstart = join(import.meta.dirname, '..', '..', 'local', 'quickstart.ts');

describe('npm start (local/quickstart.ts)', () => {
  it('publishes a key, verifies a fresh token over HTTP and refuses forged ones', async () => {
    const home = await mkdtemp(join(tmpdir(), 'keyturn-home-'));
    try {
      const { stdout } = await run(process.execPath, [quickstart], {
        env: { ...process.env, KEYTURN_HOME: home },
      });

      expect(stdout).toContain('The issuer works');
      expect(stdout).toContain('ERR_TOKEN_KID_UNKNOWN, ERR_TOKEN_SIGNATURE');
      const privatePath = join(home, 'quickstart', 'keys', 'serviceaccount-signer.private');
      expect((await stat(privatePath)).mode & 0o777).toBe(0o600);
      const privateKey = parsePrivateKey(await readFile(privatePath));
      const published = parseKeySet(
        await readFile(join(home, 'quickstart', 'public', 'quickstart-cluster', 'keys.json'), 'utf8'),
      );
      expect(published.keys.map((key) => key.kid)).toEqual([privateKey.publicKey.kid]);
      expect(stdout).not.toContain('PRIVATE KEY');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
