import { access, rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '#cli/exit-codes.ts';
import { createFileKeyringStore, createLocalVault, keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import { makeKeyring, useTemporaryHome } from './local-home.ts';

const home = useTemporaryHome();

describe('local master key', () => {
  it('RECOVERABLE: refuses to recreate a missing master.key over sealed keys (ERR_VAULT_MASTER_KEY_MISSING, exit 3)', async () => {
    // Prepare
    const layout = keyturnHomeLayout(home.path);
    await createLocalVault({ home: home.path }).generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });
    await rm(layout.masterKey);

    // Act
    const error = await createLocalVault({ home: home.path })
      .open('demo/r1')
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ code: 'ERR_VAULT_MASTER_KEY_MISSING' });
    expect(exitCodeFor(error)).toBe(3);
    const message = (error as Error).message;
    expect(message).toContain('master key');
    expect(message).toContain('missing');
    expect(message).toContain('sealed keys cannot be opened');
    expect(message).toContain('restore master.key from your backup');
    await expect(access(layout.masterKey)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('RECOVERABLE: refuses to recreate a missing master.key over keyrings', async () => {
    // Prepare
    const layout = keyturnHomeLayout(home.path);
    await createFileKeyringStore({ home: home.path }).create(makeKeyring());
    await rm(layout.masterKey);

    // Act
    const read = createFileKeyringStore({ home: home.path }).read('demo');

    // Assess
    await expect(read).rejects.toMatchObject({ code: 'ERR_VAULT_MASTER_KEY_MISSING' });
    await expect(access(layout.masterKey)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('creates master.key on first use in an empty home', async () => {
    // Act
    await createLocalVault({ home: home.path }).generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });

    // Assess
    await expect(access(keyturnHomeLayout(home.path).masterKey)).resolves.toBeUndefined();
  });
});
