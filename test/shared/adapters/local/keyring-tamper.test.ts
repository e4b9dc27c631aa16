import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '#cli/exit-codes.ts';
import { createFileKeyringStore, keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import { KeyringTamperedError } from '#shared/keyring/keyring-mac.ts';
import { makeKeyring, useTemporaryHome } from './local-home.ts';

const home = useTemporaryHome();
const otherHome = useTemporaryHome();

/** The stored keyring file as JSON, changed by `edit`, written back as a person editing it would. */
async function editKeyringFile(path: string, edit: (json: Record<string, unknown>) => void): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(json);
  await writeFile(path, `${JSON.stringify(json, null, 2)}\n`);
}

/** A retired key appended by hand: what an attacker with write access to keyrings/ would add. */
function appendRetiredKey(json: Record<string, unknown>): void {
  const [key] = json.keys as Record<string, unknown>[];
  (json.keys as unknown[]).push({
    ...key,
    kid: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    state: 'retired',
  });
}

describe('file keyring store: tamper evidence', () => {
  it('SEALED: refuses a keyring with a key appended by hand (ERR_KEYRING_TAMPERED, exit 3)', async () => {
    // Prepare
    const store = createFileKeyringStore({ home: home.path });
    await store.create(makeKeyring());
    await editKeyringFile(keyturnHomeLayout(home.path).keyring('demo'), appendRetiredKey);

    // Act
    const error = await store.read('demo').catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(KeyringTamperedError);
    expect(error).toMatchObject({ code: 'ERR_KEYRING_TAMPERED' });
    expect(exitCodeFor(error)).toBe(3);
    expect((error as Error).message).toContain('keyturn reseal --local --issuer demo');
    expect((error as Error).message).toContain('docs/local.md');
  });

  it('SEALED: refuses to update a tampered keyring, leaving the file as it found it', async () => {
    // Prepare
    const store = createFileKeyringStore({ home: home.path });
    const created = await store.create(makeKeyring());
    const path = keyturnHomeLayout(home.path).keyring('demo');
    await editKeyringFile(path, appendRetiredKey);
    const tampered = await readFile(path, 'utf8');

    // Act
    const update = store.update(makeKeyring(), created.revision);

    // Assess
    await expect(update).rejects.toMatchObject({ code: 'ERR_KEYRING_TAMPERED' });
    expect(await readFile(path, 'utf8')).toBe(tampered);
  });

  it('RECOVERABLE: refuses a keyring whose MAC was stripped (ERR_KEYRING_UNSEALED) and names reseal', async () => {
    // Prepare
    const store = createFileKeyringStore({ home: home.path });
    await store.create(makeKeyring());
    await editKeyringFile(keyturnHomeLayout(home.path).keyring('demo'), (json) => {
      delete json.mac;
    });

    // Act
    const error = await store.read('demo').catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ code: 'ERR_KEYRING_UNSEALED' });
    expect(exitCodeFor(error)).toBe(3);
    expect((error as Error).message).toContain('keyturn reseal --local --issuer demo');
  });

  it('SEALED: refuses a keyring sealed in another home (another master key)', async () => {
    // Prepare
    await createFileKeyringStore({ home: otherHome.path }).create(makeKeyring());
    await mkdir(keyturnHomeLayout(home.path).keyringsDir, { recursive: true, mode: 0o700 });
    await createFileKeyringStore({ home: home.path }).create(makeKeyring('unrelated'));
    await writeFile(
      keyturnHomeLayout(home.path).keyring('demo'),
      await readFile(keyturnHomeLayout(otherHome.path).keyring('demo')),
    );

    // Act
    const read = createFileKeyringStore({ home: home.path }).read('demo');

    // Assess
    await expect(read).rejects.toMatchObject({ code: 'ERR_KEYRING_TAMPERED' });
  });

  it('RECOVERABLE: reseal seals a checked keyring once, then reads succeed and a second reseal writes nothing', async () => {
    // Prepare
    const store = createFileKeyringStore({ home: home.path });
    await store.create(makeKeyring());
    const path = keyturnHomeLayout(home.path).keyring('demo');
    await editKeyringFile(path, (json) => {
      delete json.mac;
    });

    // Act
    const first = await store.reseal('demo');
    const second = await store.reseal('demo');
    const read = await store.read('demo');

    // Assess
    expect(first.before).toBe('unsealed');
    expect(second).toEqual({ stored: first.stored, before: 'sealed' });
    expect(read).toEqual(first.stored);
    expect(read?.keyring).toEqual(makeKeyring());
  });

  it('RECOVERABLE: reseal of an issuer without a keyring fails with ERR_ISSUER_NOT_FOUND', async () => {
    await expect(createFileKeyringStore({ home: home.path }).reseal('demo')).rejects.toMatchObject({
      code: 'ERR_ISSUER_NOT_FOUND',
    });
  });
});

describe.skipIf(process.platform === 'win32')('file keyring store: folder permissions', () => {
  const folders = [
    ['the home', (path: string) => keyturnHomeLayout(path).home],
    ['the keyrings folder', (path: string) => keyturnHomeLayout(path).keyringsDir],
  ] as const;

  for (const [what, folderOf] of folders) {
    for (const mode of [0o770, 0o707, 0o777]) {
      it(`SEALED: refuses ${what} at mode ${mode.toString(8)} with ERR_HOME_UNSAFE and the chmod that fixes it`, async () => {
        // Prepare
        const store = createFileKeyringStore({ home: home.path });
        await store.create(makeKeyring());
        const folder = folderOf(home.path);
        await chmod(folder, mode);

        // Act
        const error = await store.read('demo').catch((caught: unknown) => caught);
        await chmod(folder, 0o700);

        // Assess
        expect(error).toMatchObject({ code: 'ERR_HOME_UNSAFE' });
        expect(exitCodeFor(error)).toBe(3);
        expect((error as Error).message).toContain(`chmod go-w ${folder}`);
      });
    }
  }

  it('accepts a home readable by others but writable by its owner only', async () => {
    // Prepare
    const store = createFileKeyringStore({ home: home.path });
    await store.create(makeKeyring());
    await chmod(home.path, 0o755);

    // Act
    const read = await store.read('demo');

    // Assess
    expect(read?.keyring).toEqual(makeKeyring());
  });

  it('refuses to create a keyring in a group-writable keyrings folder', async () => {
    // Prepare
    await mkdir(keyturnHomeLayout(home.path).keyringsDir, { recursive: true });
    await chmod(keyturnHomeLayout(home.path).keyringsDir, 0o775);

    // Act
    const create = createFileKeyringStore({ home: home.path }).create(makeKeyring());

    // Assess
    await expect(create).rejects.toMatchObject({ code: 'ERR_HOME_UNSAFE' });
    await rm(keyturnHomeLayout(home.path).keyringsDir, { recursive: true, force: true });
  });
});
