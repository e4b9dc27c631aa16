import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildKeySet } from '#shared/issuer/index.ts';
import { parsePrivateKey, parsePublicKey } from '#shared/keys/index.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'keys');
const VECTOR_KID = 'JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU';

let directory: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(async () => {
  await directory.remove();
});

describe('keyturn create-key-pair', () => {
  it('writes ccoctl-compatible files, the private one with mode 0600', async () => {
    const run = await runKeyturn(['create-key-pair', '--output-dir', 'out', '--bits', '2048'], {
      cwd: directory.path,
    });

    expect(run.code).toBe(0);
    const privatePem = await readFile(join(directory.path, 'out', 'serviceaccount-signer.private'), 'utf8');
    const publicPem = await readFile(join(directory.path, 'out', 'serviceaccount-signer.public'), 'utf8');
    expect(privatePem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect((await stat(join(directory.path, 'out', 'serviceaccount-signer.private'))).mode & 0o777).toBe(
      0o600,
    );
    const privateKey = parsePrivateKey(privatePem);
    expect(privateKey.publicKey.bits).toBe(2048);
    expect(run.out).toContain(`kid: ${parsePublicKey(publicPem).kid}`);
  });

  it('never prints key material (SEALED)', async () => {
    const run = await runKeyturn(['create-key-pair', '--output-dir', 'out', '--bits', '2048'], {
      cwd: directory.path,
    });

    const privatePem = await readFile(join(directory.path, 'out', 'serviceaccount-signer.private'), 'utf8');
    const bodyLines = privatePem.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
    for (const line of bodyLines) {
      expect(run.out + run.err).not.toContain(line);
    }
  });

  it('refuses to overwrite an existing key and leaves it untouched', async () => {
    await runKeyturn(['create-key-pair', '--output-dir', 'out', '--bits', '2048'], { cwd: directory.path });
    const before = await readFile(join(directory.path, 'out', 'serviceaccount-signer.private'));

    const run = await runKeyturn(['create-key-pair', '--output-dir', 'out', '--bits', '2048'], {
      cwd: directory.path,
    });

    expect(run.code).toBe(3);
    expect(run.err).toContain('already exists');
    expect(run.err).not.toMatch(/\n\s+at /);
    expect(await readFile(join(directory.path, 'out', 'serviceaccount-signer.private'))).toEqual(before);
  });

  it('writes neither file when only the public one exists', async () => {
    await mkdir(join(directory.path, 'out'));
    await writeFile(join(directory.path, 'out', 'serviceaccount-signer.public'), 'keep me');

    const run = await runKeyturn(['create-key-pair', '--output-dir', 'out', '--bits', '2048'], {
      cwd: directory.path,
    });

    expect(run.code).toBe(3);
    expect(run.err).toContain('serviceaccount-signer.public');
    await expect(stat(join(directory.path, 'out', 'serviceaccount-signer.private'))).rejects.toThrow();
    expect(await readFile(join(directory.path, 'out', 'serviceaccount-signer.public'), 'utf8')).toBe(
      'keep me',
    );
  });

  it.each(['1024', '1000', '8192', 'big'])('rejects --bits %s as a usage error', async (bits) => {
    const run = await runKeyturn(['create-key-pair', '--output-dir', 'out', '--bits', bits], {
      cwd: directory.path,
    });

    expect(run.code).toBe(2);
    expect(run.err).toContain('2048, 3072, 4096');
  });
});

describe('keyturn kid', () => {
  it('prints the kube-apiserver kid of the Kubernetes test vector', async () => {
    const run = await runKeyturn(['kid', join(fixtures, 'k8s-keyid-vector.public')], { cwd: directory.path });

    expect(run).toEqual({ code: 0, out: `${VECTOR_KID}\n`, err: '' });
  });

  it('reads SPKI bytes under an RSA PUBLIC KEY label as OpenShift writes them', async () => {
    const spki = await runKeyturn(['kid', join(fixtures, 'rsa2048.public')], { cwd: directory.path });
    const relabelled = await runKeyturn(['kid', join(fixtures, 'rsa2048.spki-rsa-label.public')], {
      cwd: directory.path,
    });

    expect(relabelled.code).toBe(0);
    expect(relabelled.out).toBe(spki.out);
  });

  it('reads the key from standard input for -', async () => {
    const run = await runKeyturn(['kid', '-'], {
      cwd: directory.path,
      stdin: readKeyFixture('k8s-keyid-vector.public'),
    });

    expect(run.out).toBe(`${VECTOR_KID}\n`);
  });

  it('rejects a private key with exit 1 and one line naming the file', async () => {
    const run = await runKeyturn(['kid', join(fixtures, 'rsa2048.private')], { cwd: directory.path });

    expect(run.code).toBe(1);
    expect(run.err.trim().split('\n')).toHaveLength(1);
    expect(run.err).toContain('rsa2048.private');
    expect(run.err).toContain('public key was expected');
  });

  it('rejects a missing file with exit 3', async () => {
    const run = await runKeyturn(['kid', 'no-such.public'], { cwd: directory.path });

    expect(run.code).toBe(3);
    expect(run.err).toContain('does not exist');
  });

  it('shows the stack trace only with --debug', async () => {
    const plain = await runKeyturn(['kid', join(fixtures, 'ec-p256.public')], { cwd: directory.path });
    const debug = await runKeyturn(['--debug', 'kid', join(fixtures, 'ec-p256.public')], {
      cwd: directory.path,
    });

    expect(plain.err).not.toMatch(/\n\s+at /);
    expect(debug.err).toMatch(/\n\s+at /);
  });
});

describe('keyturn jwks', () => {
  it('prints keys.json for several keys in the order given, byte-compatible with ccoctl', async () => {
    const files = ['rsa2048.public', 'other2048.public'];
    const expected = buildKeySet(files.map((name) => parsePublicKey(readKeyFixture(name))));

    const run = await runKeyturn(['jwks', ...files.map((name) => join(fixtures, name))], {
      cwd: directory.path,
    });

    expect(run.code).toBe(0);
    expect(run.out).toBe(`${expected}\n`);
  });

  it('writes --output without a trailing newline, as ccoctl does', async () => {
    const run = await runKeyturn(
      ['jwks', join(fixtures, 'k8s-keyid-vector.public'), '--output', 'keys.json'],
      {
        cwd: directory.path,
      },
    );

    expect(run.code).toBe(0);
    const written = await readFile(join(directory.path, 'keys.json'), 'utf8');
    expect(written).toBe(buildKeySet([parsePublicKey(readKeyFixture('k8s-keyid-vector.public'))]));
    expect(run.err).toContain(VECTOR_KID);
  });

  it('rejects the same key twice and leaves an existing --output untouched (ALWAYS-VALID)', async () => {
    await writeFile(join(directory.path, 'keys.json'), 'previous');
    const key = join(fixtures, 'rsa2048.public');

    const run = await runKeyturn(
      ['jwks', key, join(fixtures, 'rsa2048.pkcs1.public'), '--output', 'keys.json'],
      {
        cwd: directory.path,
      },
    );

    expect(run.code).toBe(1);
    expect(run.err).toContain('appears twice');
    expect(await readFile(join(directory.path, 'keys.json'), 'utf8')).toBe('previous');
  });

  it('rejects an RSA 1024 key', async () => {
    const run = await runKeyturn(['jwks', join(fixtures, 'rsa1024.public')], { cwd: directory.path });

    expect(run.code).toBe(1);
    expect(run.err).toContain('1024');
  });
});

describe('keyturn discovery', () => {
  it('prints the discovery document for a path issuer', async () => {
    const run = await runKeyturn(['discovery', '--issuer', 'https://oidc.example.com/cluster-a/'], {
      cwd: directory.path,
    });

    expect(run.code).toBe(0);
    const document = JSON.parse(run.out);
    expect(document.issuer).toBe('https://oidc.example.com/cluster-a');
    expect(document.jwks_uri).toBe('https://oidc.example.com/cluster-a/keys.json');
  });

  it('rejects plain http on a public host', async () => {
    const run = await runKeyturn(['discovery', '--issuer', 'http://oidc.example.com'], {
      cwd: directory.path,
    });

    expect(run.code).toBe(1);
    expect(run.err).toContain('https://');
  });
});

describe('keyturn --help', () => {
  it.each([[], ['create-key-pair'], ['kid'], ['jwks'], ['discovery'], ['verify-token']])(
    'prints help for %j and exits 0',
    async (...command) => {
      const run = await runKeyturn([...command, '--help'], { cwd: directory.path });

      expect(run.code).toBe(0);
      expect(run.out).toContain('Usage: keyturn');
    },
  );

  it('exits 2 on an unknown command', async () => {
    const run = await runKeyturn(['rotate-everything'], { cwd: directory.path });

    expect(run.code).toBe(2);
  });
});
