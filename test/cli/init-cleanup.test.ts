import { mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

let directory: { path: string; remove: () => Promise<void> };
let home: string;

beforeEach(async () => {
  directory = await makeTempDirectory();
  home = join(directory.path, 'home');
});

afterEach(async () => {
  await directory.remove();
});

/** Every file under the home, relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort();
}

function init(...args: string[]) {
  return runKeyturn(['init', '--local', '--home', home, '--bits', '2048', ...args], { cwd: directory.path });
}

describe('keyturn init --local, when a check fails', () => {
  it.each([
    [
      'an issuer id the keyring cannot hold',
      ['--issuer', 'http://127.0.0.1:8080/demo', '--id', 'a'.repeat(64)],
    ],
    [
      'a URL path segment no directory can be named',
      ['--issuer', `http://127.0.0.1:8080/${'x'.repeat(300)}`],
    ],
  ])('refuses %s before sealing a key or creating master.key (RECOVERABLE)', async (_case, args) => {
    // Act
    const run = await init(...args);

    // Assess
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/nothing was created|cannot be published to a directory/);
    expect(await filesUnder(home)).toEqual([]);
  });

  it('destroys the key it sealed and the master.key it created when the keyring cannot be written (RECOVERABLE)', async () => {
    // Prepare: a dangling link where the keyring goes: nothing to read, but the exclusive create fails.
    await mkdir(join(home, 'keyrings'), { recursive: true });
    await symlink(join(directory.path, 'nowhere'), join(home, 'keyrings', 'demo.json'));

    // Act
    const run = await init('--issuer', 'http://127.0.0.1:8080/demo');

    // Assess
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/issuer demo already/);
    expect(await filesUnder(home)).toEqual(['keyrings/demo.json']);
  });

  it('keeps a master.key that existed before the failed init (RECOVERABLE)', async () => {
    // Prepare
    expect((await init('--issuer', 'http://127.0.0.1:8080/first')).code).toBe(0);
    const masterKey = await readFile(join(home, 'master.key'));
    await symlink(join(directory.path, 'nowhere'), join(home, 'keyrings', 'second.json'));

    // Act
    const run = await init('--issuer', 'http://127.0.0.1:8080/second');

    // Assess
    expect(run.code).not.toBe(0);
    expect(await readFile(join(home, 'master.key'))).toEqual(masterKey);
    expect((await filesUnder(join(home, 'vault'))).sort()).toEqual(['first/initial.sealed']);
  });
});
