import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort, makeTempDirectory, runKeyturn } from './run-keyturn.ts';

let directory: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(async () => {
  await directory.remove();
});

const home = () => join(directory.path, '.keyturn');

async function servedKids(): Promise<string[]> {
  const keys = JSON.parse(await readFile(join(home(), 'public', 'demo', 'keys.json'), 'utf8')) as {
    keys: { kid: string }[];
  };
  return keys.keys.map((key) => key.kid);
}

async function vaultFiles(): Promise<string[]> {
  return readdir(join(home(), 'vault', 'demo'));
}

describe('keyturn maintain --local', () => {
  it('removes the retired key once its grace has passed and destroys its private key', async () => {
    // Prepare: an issuer rotated once, its old key retired with a 1 s grace that has passed.
    const issuer = `http://127.0.0.1:${await freePort()}/demo`;
    const init = await runKeyturn(
      ['init', '--local', '--issuer', issuer, '--bits', '2048', '--lead-time', '1s', '--grace', '1s'],
      { cwd: directory.path },
    );
    expect(init.code, init.err).toBe(0);
    const rotate = await runKeyturn(['rotate', '--local'], { cwd: directory.path });
    expect(rotate.code, rotate.err).toBe(0);
    const oldKid = /old key: (\S+)/.exec(rotate.out)?.[1] ?? '';
    const newKid = /new key: (\S+)/.exec(rotate.out)?.[1] ?? '';
    expect(await servedKids()).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect(await vaultFiles()).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // Act
    const run = await runKeyturn(['maintain', '--local'], { cwd: directory.path });

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/✓ MaintainIssuer\s+\d+\.\d\d s/);
    expect(run.out).toContain('Issuer demo:');
    expect(run.out).toContain(`removed from keys.json: ${oldKid}`);
    expect(run.out).toContain(`private keys destroyed: ${oldKid}`);
    expect(run.out).toContain('keys.json republished: yes');
    expect(run.out).toContain('drift: none');
    expect(await servedKids()).toEqual([newKid]);
    expect(await vaultFiles()).toHaveLength(1);
    expect(run.out + run.err).not.toContain('PRIVATE KEY');

    // A second run finds nothing left to do.
    const again = await runKeyturn(['maintain', '--local', '--issuer', 'demo'], { cwd: directory.path });
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('removed from keys.json: none');
    expect(again.out).toContain('private keys destroyed: none');
    expect(await servedKids()).toEqual([newKid]);
  });

  it('refuses without --local (exit 2) and explains a missing issuer (exit 3)', async () => {
    const withoutLocal = await runKeyturn(['maintain'], { cwd: directory.path });
    const noIssuer = await runKeyturn(['maintain', '--local'], { cwd: directory.path });
    const unknownIssuer = await runKeyturn(['maintain', '--local', '--issuer', 'nope'], {
      cwd: directory.path,
    });

    expect(withoutLocal.code).toBe(2);
    expect(noIssuer.code).toBe(3);
    expect(noIssuer.err).toContain('keyturn init --local');
    expect(unknownIssuer.code).toBe(3);
    expect(unknownIssuer.err).toContain('no issuer nope');
  });
});
