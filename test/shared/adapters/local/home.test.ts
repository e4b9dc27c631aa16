import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertSafeName,
  createFileExclusively,
  keyturnHomeLayout,
  replaceFileAtomically,
  resolveKeyturnHome,
} from '#shared/adapters/local/index.ts';
import { useTemporaryHome } from './local-home.ts';

const home = useTemporaryHome();

describe('resolveKeyturnHome', () => {
  it.each([
    [{}, '/work/project/.keyturn'],
    [{ KEYTURN_HOME: '' }, '/work/project/.keyturn'],
    [{ KEYTURN_HOME: '  ' }, '/work/project/.keyturn'],
    [{ KEYTURN_HOME: 'state' }, '/work/project/state'],
    [{ KEYTURN_HOME: '/var/lib/keyturn' }, '/var/lib/keyturn'],
  ])('resolves %j to %s', (env, expected) => {
    expect(resolveKeyturnHome(env, '/work/project')).toBe(expected);
  });
});

describe('keyturnHomeLayout', () => {
  it('places every file of the home', () => {
    const layout = keyturnHomeLayout('/h');

    expect({
      masterKey: layout.masterKey,
      sealedKey: layout.sealedKey('demo', 'r1'),
      keyring: layout.keyring('demo'),
      auditLog: layout.auditLog('demo'),
      publicDir: layout.publicDir,
    }).toEqual({
      masterKey: '/h/master.key',
      sealedKey: '/h/vault/demo/r1.sealed',
      keyring: '/h/keyrings/demo.json',
      auditLog: '/h/audit/demo.jsonl',
      publicDir: '/h/public',
    });
  });
});

describe('assertSafeName', () => {
  it.each(['demo', 'r1', 'lab.eu-1', 'rot_2025-01-01t000000z', '0'])('accepts %j', (name) => {
    expect(assertSafeName(name, 'slot')).toBe(name);
  });

  it.each([
    '',
    '.',
    '..',
    'a..b',
    '../demo',
    'a/b',
    'a\\b',
    'Demo',
    '.hidden',
    '-rf',
    'a b',
    'a\0b',
    'x'.repeat(129),
  ])('refuses %j with ERR_UNSAFE_NAME', (name) => {
    expect(() => assertSafeName(name, 'slot')).toThrow(expect.objectContaining({ code: 'ERR_UNSAFE_NAME' }));
  });
});

describe('replaceFileAtomically', () => {
  it('replaces a file with the wanted mode and leaves no temporary file', async () => {
    const path = join(home.path, 'deep', 'file.json');
    await replaceFileAtomically(path, 'old');

    await replaceFileAtomically(path, 'new', { mode: 0o644 });

    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(join(home.path, 'deep'))).toEqual(['file.json']);
    if (process.platform !== 'win32') {
      expect((await stat(path)).mode & 0o777).toBe(0o644);
      expect((await stat(join(home.path, 'deep'))).mode & 0o777).toBe(0o700);
    }
  });

  it('never shows a reader a half-written file', async () => {
    const path = join(home.path, 'file.json');
    const versions = Array.from({ length: 20 }, (_, index) => String(index).repeat(64 * 1024));
    await replaceFileAtomically(path, versions[0] ?? '');

    const reads: string[] = [];
    await Promise.all([
      ...versions.map((version) => replaceFileAtomically(path, version)),
      ...versions.map(async () => reads.push(await readFile(path, 'utf8'))),
    ]);

    for (const read of reads) expect(versions).toContain(read);
  });
});

describe('createFileExclusively', () => {
  it('lets exactly one of many racing creators win, with its complete content', async () => {
    const path = join(home.path, 'once');

    const created = await Promise.all(
      Array.from({ length: 10 }, (_, index) => createFileExclusively(path, `writer ${index}`)),
    );

    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await readFile(path, 'utf8')).toBe(`writer ${created.indexOf(true)}`);
    expect(await readdir(home.path)).toEqual(['once']);
  });

  it('leaves an existing file alone', async () => {
    const path = join(home.path, 'once');
    await writeFile(path, 'first');

    expect(await createFileExclusively(path, 'second')).toBe(false);
    expect(await readFile(path, 'utf8')).toBe('first');
  });
});
