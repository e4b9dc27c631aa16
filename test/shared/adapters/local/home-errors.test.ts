import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFolderPrivate, HomeUnusableError, homeAccessError } from '#shared/adapters/local/errors.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'keyturn-home-errors-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('homeAccessError: file-system errors in the keyturn home, as a person can act on them (RECOVERABLE)', () => {
  it.each([
    ['ENOTDIR', 'a part of it is a file, not a directory'],
    ['EISDIR', 'it is a directory, where keyturn keeps a file'],
    ['EACCES', 'this user may not read or write it'],
    ['EPERM', 'this user may not read or write it'],
  ])('turns %s into ERR_HOME_UNUSABLE naming the path and what to do', (code, reason) => {
    // Arrange
    const cause = Object.assign(new Error('raw'), { code });

    // Act
    const error = homeAccessError(cause, '/home/x/.keyturn/keyrings');

    // Assess
    expect(error).toBeInstanceOf(HomeUnusableError);
    expect(error).toMatchObject({ code: 'ERR_HOME_UNUSABLE', cause });
    expect((error as Error).message).toContain(
      `/home/x/.keyturn/keyrings in the keyturn home: ${reason} (${code})`,
    );
    expect((error as Error).message).toContain('give --home a directory');
  });

  it.each([
    ['another code', Object.assign(new Error('raw'), { code: 'ENOSPC' })],
    ['no code', new Error('raw')],
    ['a thrown string', 'raw'],
    ['null', null],
  ])('returns %s as it is', (_name, cause) => {
    expect(homeAccessError(cause, '/p')).toBe(cause);
  });
});

describe('assertFolderPrivate (SEALED: nobody else may swap the keyrings)', () => {
  it('accepts an owner-only folder and a folder that does not exist yet', async () => {
    // Arrange
    const owned = join(root, 'owned');
    await mkdir(owned, { mode: 0o700 });

    // Act + Assess
    await expect(assertFolderPrivate(owned)).resolves.toBeUndefined();
    await expect(assertFolderPrivate(join(root, 'absent'))).resolves.toBeUndefined();
  });

  it('refuses a folder others may write, with the chmod that fixes it', async () => {
    // Arrange
    const open = join(root, 'open');
    await mkdir(open);
    await chmod(open, 0o777);

    // Act
    const error = await assertFolderPrivate(open).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ code: 'ERR_HOME_UNSAFE' });
    expect((error as Error).message).toContain(`mode 777`);
    expect((error as Error).message).toContain(`chmod go-w ${open}`);
  });

  it('names a path under a file as unusable', async () => {
    // Arrange
    const file = join(root, 'a-file');
    await writeFile(file, 'x');

    // Act
    const error = await assertFolderPrivate(join(file, 'keyrings')).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ code: 'ERR_HOME_UNUSABLE' });
  });
});
