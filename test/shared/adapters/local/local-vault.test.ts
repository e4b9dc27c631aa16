import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalVault, keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import { type PrivateSigningKey, parsePrivateKey, parsePublicKey } from '#shared/keys/index.ts';
import { VaultError } from '#shared/ports.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { privateSecretsOf, useTemporaryHome } from './local-home.ts';

const home = useTemporaryHome();
let fixtureKey: PrivateSigningKey;
let otherKey: PrivateSigningKey;

beforeAll(() => {
  fixtureKey = parsePrivateKey(readKeyFixture('rsa2048.private'));
  otherKey = parsePrivateKey(readKeyFixture('other2048.private'));
});

function flipFirstBit(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytes.toString('base64');
}

async function editSealed(path: string, edit: (sealed: Record<string, unknown>) => void): Promise<void> {
  const sealed = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(sealed);
  await writeFile(path, JSON.stringify(sealed));
}

describe('createLocalVault', () => {
  it('opens a sealed key as the same key', async () => {
    // Prepare
    const vault = createLocalVault({ home: home.path });

    // Act
    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    const opened = await vault.open(sealed.ref);

    // Assess
    expect(sealed).toEqual({
      kid: fixtureKey.publicKey.kid,
      bits: 2048,
      publicKeyPem: readKeyFixture('rsa2048.public'),
      ref: 'demo/r1',
    });
    expect(opened.publicKey.kid).toBe(fixtureKey.publicKey.kid);
    expect(opened.key.equals(fixtureKey.key)).toBe(true);
  });

  it('keeps the private key out of the sealed file and the public result (SEALED)', async () => {
    const vault = createLocalVault({ home: home.path });

    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    const file = await readFile(keyturnHomeLayout(home.path).sealedKey('demo', 'r1'), 'utf8');

    for (const secret of privateSecretsOf(fixtureKey)) {
      expect(file).not.toContain(secret);
      expect(JSON.stringify(sealed)).not.toContain(secret);
    }
    expect(file).not.toContain('PRIVATE KEY');
  });

  it.skipIf(process.platform === 'win32')(
    'creates the master key and sealed files with mode 0600',
    async () => {
      const vault = createLocalVault({ home: home.path });
      const layout = keyturnHomeLayout(home.path);

      await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });

      expect((await stat(layout.masterKey)).mode & 0o777).toBe(0o600);
      expect((await stat(layout.masterKey)).size).toBe(32);
      expect((await stat(layout.sealedKey('demo', 'r1'))).mode & 0o777).toBe(0o600);
      expect((await stat(layout.vaultIssuerDir('demo'))).mode & 0o777).toBe(0o700);
    },
  );

  it('returns the same key when generate runs twice for one slot (RETRY-SAFE)', async () => {
    const vault = createLocalVault({ home: home.path });

    const first = await vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });
    const again = await createLocalVault({ home: home.path }).generate({
      issuerId: 'demo',
      slot: 'r1',
      bits: 2048,
    });

    expect(again).toEqual(first);
    expect(parsePublicKey(first.publicKeyPem).kid).toBe(first.kid);
    expect((await vault.open(first.ref)).publicKey.kid).toBe(first.kid);
  });

  it('makes exactly one key when two vaults race to generate into one slot (RETRY-SAFE)', async () => {
    // Two vault instances share nothing but the home, like two processes (they also race on master.key).
    const request = { issuerId: 'demo', slot: 'r1', bits: 2048 } as const;

    const [one, two] = await Promise.all([
      createLocalVault({ home: home.path }).generate(request),
      createLocalVault({ home: home.path }).generate(request),
    ]);

    expect(two).toEqual(one);
    const opened = await createLocalVault({ home: home.path }).open('demo/r1');
    expect(opened.publicKey.kid).toBe(one.kid);
  });

  it('returns the sealed key when the same key is sealed again (RETRY-SAFE)', async () => {
    const vault = createLocalVault({ home: home.path });

    const first = await vault.seal({ issuerId: 'demo', slot: 'adopted', privateKey: fixtureKey });
    const again = await vault.seal({ issuerId: 'demo', slot: 'adopted', privateKey: fixtureKey });

    expect(again).toEqual(first);
  });

  it('refuses to seal another key into an occupied slot', async () => {
    const vault = createLocalVault({ home: home.path });
    await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });

    await expect(vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: otherKey })).rejects.toMatchObject({
      code: 'ERR_VAULT_SLOT_TAKEN',
    });
    expect((await vault.open('demo/r1')).publicKey.kid).toBe(fixtureKey.publicKey.kid);
  });

  it('refuses to generate a key of another size into an occupied slot', async () => {
    const vault = createLocalVault({ home: home.path });
    await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });

    await expect(vault.generate({ issuerId: 'demo', slot: 'r1', bits: 4096 })).rejects.toMatchObject({
      code: 'ERR_VAULT_SLOT_TAKEN',
    });
  });

  it('refuses a key size keyturn does not generate', async () => {
    const vault = createLocalVault({ home: home.path });

    await expect(vault.generate({ issuerId: 'demo', slot: 'r1', bits: 1024 })).rejects.toMatchObject({
      code: 'ERR_KEY_STRENGTH',
    });
  });

  it('keys sealed in separate slots open separately', async () => {
    const vault = createLocalVault({ home: home.path });

    await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
    await vault.seal({ issuerId: 'demo', slot: 'r2', privateKey: otherKey });

    expect((await vault.open('demo/r1')).publicKey.kid).toBe(fixtureKey.publicKey.kid);
    expect((await vault.open('demo/r2')).publicKey.kid).toBe(otherKey.publicKey.kid);
  });

  /** Each variant damages the sealed `demo/r1` and returns the ref to open. */
  const tamperings: [string, (paths: { sealed: string; masterKey: string }) => Promise<string>][] = [
    [
      'a flipped bit in the ciphertext',
      async ({ sealed }) => {
        await editSealed(sealed, (file) => {
          file.ciphertext = flipFirstBit(String(file.ciphertext));
        });
        return 'demo/r1';
      },
    ],
    [
      'a flipped bit in the tag',
      async ({ sealed }) => {
        await editSealed(sealed, (file) => {
          file.tag = flipFirstBit(String(file.tag));
        });
        return 'demo/r1';
      },
    ],
    [
      'a flipped bit in the iv',
      async ({ sealed }) => {
        await editSealed(sealed, (file) => {
          file.iv = flipFirstBit(String(file.iv));
        });
        return 'demo/r1';
      },
    ],
    [
      'an edited kid',
      async ({ sealed }) => {
        await editSealed(sealed, (file) => {
          file.kid = otherKey.publicKey.kid;
        });
        return 'demo/r1';
      },
    ],
    [
      'an edited public key',
      async ({ sealed }) => {
        await editSealed(sealed, (file) => {
          file.publicKeyPem = readKeyFixture('other2048.public');
        });
        return 'demo/r1';
      },
    ],
    [
      'an edited size',
      async ({ sealed }) => {
        await editSealed(sealed, (file) => {
          file.bits = 4096;
        });
        return 'demo/r1';
      },
    ],
    [
      'an unknown version',
      async ({ sealed }) => {
        await editSealed(sealed, (file) => {
          file.version = 2;
        });
        return 'demo/r1';
      },
    ],
    [
      'a truncated file',
      async ({ sealed }) => {
        const text = await readFile(sealed, 'utf8');
        await writeFile(sealed, text.slice(0, text.length / 2));
        return 'demo/r1';
      },
    ],
    [
      'an empty file',
      async ({ sealed }) => {
        await writeFile(sealed, '');
        return 'demo/r1';
      },
    ],
    [
      'a shortened ciphertext',
      async ({ sealed }) => {
        await editSealed(sealed, (file) => {
          file.ciphertext = String(file.ciphertext).slice(0, 400);
        });
        return 'demo/r1';
      },
    ],
    [
      'a file copied to another slot',
      async ({ sealed }) => {
        await copyFile(sealed, sealed.replace('r1.sealed', 'r2.sealed'));
        return 'demo/r2';
      },
    ],
    [
      'a file copied to another issuer',
      async ({ sealed }) => {
        const target = sealed.replace('/demo/', '/other/');
        await mkdir(dirname(target), { recursive: true });
        await copyFile(sealed, target);
        return 'other/r1';
      },
    ],
    [
      'another master key',
      async ({ masterKey }) => {
        await writeFile(masterKey, randomBytes(32), { mode: 0o600 });
        return 'demo/r1';
      },
    ],
  ];

  it.each(tamperings)('detects %s with ERR_VAULT_TAMPERED', async (_variant, tamper) => {
    // Prepare
    const layout = keyturnHomeLayout(home.path);
    await createLocalVault({ home: home.path }).seal({
      issuerId: 'demo',
      slot: 'r1',
      privateKey: fixtureKey,
    });
    const ref = await tamper({ sealed: layout.sealedKey('demo', 'r1'), masterKey: layout.masterKey });

    // Act
    const error = await createLocalVault({ home: home.path })
      .open(ref)
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(VaultError);
    expect(error).toMatchObject({ code: 'ERR_VAULT_TAMPERED' });
    expect((error as VaultError).cause).toBeUndefined();
    const message = (error as VaultError).message;
    expect(message).toContain(ref);
    for (const secret of privateSecretsOf(fixtureKey)) {
      expect(message).not.toContain(secret);
    }
  });

  it('refuses to generate over a tampered slot instead of replacing it', async () => {
    const layout = keyturnHomeLayout(home.path);
    await createLocalVault({ home: home.path }).seal({
      issuerId: 'demo',
      slot: 'r1',
      privateKey: fixtureKey,
    });
    await editSealed(layout.sealedKey('demo', 'r1'), (file) => {
      file.tag = flipFirstBit(String(file.tag));
    });

    await expect(
      createLocalVault({ home: home.path }).generate({ issuerId: 'demo', slot: 'r1', bits: 2048 }),
    ).rejects.toMatchObject({ code: 'ERR_VAULT_TAMPERED' });
  });

  it('refuses a master key file of the wrong size', async () => {
    await writeFile(keyturnHomeLayout(home.path).masterKey, randomBytes(16), { mode: 0o600 });

    await expect(
      createLocalVault({ home: home.path }).seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey }),
    ).rejects.toMatchObject({ code: 'ERR_VAULT_MASTER_KEY' });
  });

  it.skipIf(process.platform === 'win32')('refuses a master key readable by group or others', async () => {
    const { masterKey } = keyturnHomeLayout(home.path);
    await writeFile(masterKey, randomBytes(32), { mode: 0o600 });
    await chmod(masterKey, 0o640);

    const error = await createLocalVault({ home: home.path })
      .seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey })
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'ERR_VAULT_MASTER_KEY' });
    expect((error as Error).message).toContain('chmod 600');
  });

  it('answers ERR_VAULT_NOT_FOUND for a ref with no sealed key', async () => {
    await expect(createLocalVault({ home: home.path }).open('demo/nothing')).rejects.toMatchObject({
      code: 'ERR_VAULT_NOT_FOUND',
    });
  });

  it.each([
    'demo',
    'demo/r1/extra',
    '../r1',
    'demo/..',
    'demo/../../master',
    'Demo/r1',
    '/r1',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:keyturn/demo/r1',
  ])('refuses the ref %s with ERR_VAULT_REF', async (ref) => {
    const vault = createLocalVault({ home: home.path });

    await expect(vault.open(ref)).rejects.toMatchObject({ code: 'ERR_VAULT_REF' });
    await expect(vault.destroy(ref)).rejects.toMatchObject({ code: 'ERR_VAULT_REF' });
  });

  it.each([
    ['Demo', 'r1'],
    ['demo', '../r1'],
    ['demo', 'a/b'],
    ['demo', ''],
    ['demo', '.hidden'],
  ])('refuses issuer %j slot %j with ERR_UNSAFE_NAME', async (issuerId, slot) => {
    await expect(
      createLocalVault({ home: home.path }).seal({ issuerId, slot, privateKey: fixtureKey }),
    ).rejects.toMatchObject({ code: 'ERR_UNSAFE_NAME' });
  });

  it('destroys a sealed key, and destroying again or an unknown ref is fine', async () => {
    const vault = createLocalVault({ home: home.path });
    const sealed = await vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });

    await vault.destroy(sealed.ref);
    await vault.destroy(sealed.ref);
    await vault.destroy('demo/never-sealed');

    await expect(vault.open(sealed.ref)).rejects.toMatchObject({ code: 'ERR_VAULT_NOT_FOUND' });
  });
});
