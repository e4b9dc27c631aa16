import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditLog } from '#shared/adapters/local/index.ts';
import { freePort, makeTempDirectory, runKeyturn } from './run-keyturn.ts';

let directory: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(async () => {
  await directory.remove();
});

const home = () => join(directory.path, '.keyturn');
const keyringFile = () => join(home(), 'keyrings', 'demo.json');
const APPENDED_KID = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Creates issuer demo in the home, with a 1 s grace so maintenance would act at once. */
async function initIssuer(): Promise<void> {
  const issuer = `http://127.0.0.1:${await freePort()}/demo`;
  const init = await runKeyturn(['init', '--local', '--issuer', issuer, '--bits', '2048', '--grace', '1s'], {
    cwd: directory.path,
  });
  expect(init.code, init.err).toBe(0);
}

async function editKeyring(edit: (json: Record<string, unknown>) => void): Promise<void> {
  const json = JSON.parse(await readFile(keyringFile(), 'utf8')) as Record<string, unknown>;
  edit(json);
  await writeFile(keyringFile(), `${JSON.stringify(json, null, 2)}\n`);
}

describe('tamper-evident keyrings through the CLI', () => {
  it('SEALED: maintain refuses a keyring with a retired key appended by hand, exit 3, and publishes nothing', async () => {
    // Prepare
    await initIssuer();
    const published = await readFile(join(home(), 'public', 'demo', 'keys.json'), 'utf8');
    await editKeyring((json) => {
      const [key] = json.keys as Record<string, unknown>[];
      (json.keys as unknown[]).push({ ...key, kid: APPENDED_KID, state: 'retired' });
    });

    // Act
    const maintain = await runKeyturn(['maintain', '--local'], { cwd: directory.path });

    // Assess
    expect(maintain.code).toBe(3);
    expect(maintain.err).toContain('fails its MAC check');
    expect(maintain.err).toContain('keyturn reseal --local --issuer demo');
    const after = await readFile(join(home(), 'public', 'demo', 'keys.json'), 'utf8');
    expect(after).toBe(published);
    expect(after).not.toContain(APPENDED_KID);
  });

  it('RECOVERABLE: a keyring without a MAC is refused by status (exit 3) until reseal, which is audited', async () => {
    // Prepare: a keyring as keyturn wrote them before it sealed keyrings.
    await initIssuer();
    await editKeyring((json) => {
      delete json.mac;
    });

    // Act
    const refused = await runKeyturn(['status'], { cwd: directory.path });
    const reseal = await runKeyturn(['reseal', '--local', '--issuer', 'demo'], { cwd: directory.path });
    const again = await runKeyturn(['reseal', '--local', '--issuer', 'demo'], { cwd: directory.path });
    const status = await runKeyturn(['status'], { cwd: directory.path });

    // Assess
    expect(refused.code).toBe(3);
    expect(refused.err).toContain('carries no MAC');
    expect(refused.err).toContain('keyturn reseal --local --issuer demo');
    expect(reseal.code, reseal.err).toBe(0);
    expect(reseal.out).toContain('carried no MAC');
    expect(reseal.out).toMatch(/KID\s+STATE\s+ORIGIN/);
    expect(again.out).toContain('already sealed');
    expect(status.code, status.err).toBe(0);
    const audit = await readAuditLog(home(), 'demo');
    expect(audit.filter((entry) => entry.step === 'reseal')).toHaveLength(1);
  });

  it('refuses reseal without --local or --aws (exit 2)', async () => {
    const run = await runKeyturn(['reseal', '--issuer', 'demo'], { cwd: directory.path });

    expect(run.code).toBe(2);
    expect(run.err).toContain('--local');
  });
});
