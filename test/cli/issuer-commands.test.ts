import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKeySet } from '#shared/issuer/index.ts';
import { parsePublicKey } from '#shared/keys/index.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'keys');
let directory: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(async () => {
  await directory.remove();
});

const init = (...extra: string[]) =>
  runKeyturn(['init', '--local', '--issuer', 'http://127.0.0.1:8080/demo', '--bits', '2048', ...extra], {
    cwd: directory.path,
  });

describe('keyturn init --local', () => {
  it('creates the issuer under ./.keyturn: keyring, sealed key, keys.json and discovery', async () => {
    const run = await init();

    expect(run.code).toBe(0);
    expect(run.out).toContain('Created issuer demo at http://127.0.0.1:8080/demo');
    const home = join(directory.path, '.keyturn');
    const keySet = parseKeySet(await readFile(join(home, 'public', 'demo', 'keys.json'), 'utf8'));
    expect(run.out).toContain(keySet.keys[0]?.kid);
    const discovery = JSON.parse(
      await readFile(join(home, 'public', 'demo', '.well-known', 'openid-configuration'), 'utf8'),
    );
    expect(discovery.issuer).toBe('http://127.0.0.1:8080/demo');
    expect((await stat(join(home, 'master.key'))).mode & 0o777).toBe(0o600);
  });

  it('adopts an existing ccoctl private key as the active key', async () => {
    const run = await init('--adopt', join(fixtures, 'rsa2048.private'));

    expect(run.code).toBe(0);
    expect(run.out).toContain(`${parsePublicKey(readKeyFixture('rsa2048.public')).kid} (adopted)`);
  });

  it('adopts an encrypted key with the passphrase from an environment variable', async () => {
    const run = await runKeyturn(
      [
        'init',
        '--local',
        '--issuer',
        'http://127.0.0.1:8080/demo',
        '--adopt',
        join(fixtures, 'rsa2048.pkcs8-encrypted.private'),
        '--passphrase-env',
        'KEY_PASSPHRASE',
      ],
      { cwd: directory.path, env: { KEY_PASSPHRASE: 'correct horse' } },
    );

    expect(run.code).toBe(0);
  });

  it('refuses to overwrite an existing issuer (exit 1) and leaves it as it was', async () => {
    await init();
    const keyring = await readFile(join(directory.path, '.keyturn', 'keyrings', 'demo.json'), 'utf8');

    const again = await init();

    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');
    expect(await readFile(join(directory.path, '.keyturn', 'keyrings', 'demo.json'), 'utf8')).toBe(keyring);
  });

  it.each([
    ['the same URL under another id', 'http://127.0.0.1:8080/demo'],
    ['another host and port with the same path', 'http://localhost:9090/demo'],
    ['a path through its keys.json', 'http://127.0.0.1:8080/demo/keys.json'],
  ])('refuses (exit 1, ERR_ISSUER_URL_TAKEN) %s, and writes nothing', async (_case, url) => {
    // Prepare
    await init();
    const home = join(directory.path, '.keyturn');
    const published = () => readFile(join(home, 'public', 'demo', 'keys.json'), 'utf8');
    const before = await published();

    // Act
    const other = await runKeyturn(['init', '--local', '--issuer', url, '--id', 'other', '--bits', '2048'], {
      cwd: directory.path,
    });

    // Assess
    expect(other.code).toBe(1);
    expect(other.err).toContain('issuer demo already publishes http://127.0.0.1:8080/demo');
    expect(other.err).toContain('give this issuer another URL path');
    expect(await published()).toBe(before);
    await expect(stat(join(home, 'keyrings', 'other.json'))).rejects.toThrow();
    await expect(stat(join(home, 'vault', 'other'))).rejects.toThrow();
  });

  it('accepts another issuer of the home at another URL path', async () => {
    await init();

    const other = await runKeyturn(
      ['init', '--local', '--issuer', 'http://127.0.0.1:8080/demo-b', '--bits', '2048'],
      { cwd: directory.path },
    );

    expect(other.code, other.err).toBe(0);
  });

  it('honours --home and KEYTURN_HOME', async () => {
    const viaFlag = await init('--home', 'elsewhere');
    const viaEnv = await runKeyturn(['status'], { cwd: directory.path, env: { KEYTURN_HOME: 'elsewhere' } });

    expect(viaFlag.code).toBe(0);
    expect(viaEnv.out).toContain('issuer demo');
  });

  it.each([
    [['--issuer', 'http://127.0.0.1:8080/demo'], 2, 'choose --local (the keyturn home) or --aws'],
    [['--local'], 2, "required option '--issuer <url>' not specified"],
    [['--local', '--issuer', 'http://example.com/demo'], 1, 'https://'],
    [['--local', '--issuer', 'https://example.com/demo', '--lead-time', 'soon'], 2, 'duration'],
    [['--local', '--issuer', 'https://example.com/demo', '--adopt', 'missing.key'], 3, 'does not exist'],
  ])('rejects %j with exit %i', async (args, code, message) => {
    const run = await runKeyturn(['init', ...args], { cwd: directory.path });

    expect(run.code).toBe(code);
    expect(run.err).toContain(message);
  });
});

describe('keyturn status', () => {
  it('prints the keyring as a table: kid, state, age, removes at', async () => {
    await init('--lead-time', '5m', '--grace', '2d');

    const run = await runKeyturn(['status'], { cwd: directory.path });

    expect(run.code).toBe(0);
    expect(run.out).toMatch(/KID\s+STATE\s+AGE\s+REMOVES AT/);
    expect(run.out).toMatch(/\bactive\s+\d+s\s+-/);
    expect(run.out).toContain('lead time 5m, grace 2d');
  });

  it('says how to start when there is no issuer', async () => {
    const run = await runKeyturn(['status'], { cwd: directory.path });

    expect(run.code).toBe(0);
    expect(run.out).toContain('keyturn init --local');
  });

  it('points at --aws when the issuer is not in the local home', async () => {
    await init();

    const run = await runKeyturn(['status', '--issuer', 'prod-east'], { cwd: directory.path });

    expect(run.code).toBe(0);
    expect(run.out).toContain('issuer prod-east: not found');
    expect(run.out).toContain('(for the deployed stack add --aws)');
  });
});

describe('keyturn serve', () => {
  it('serves the published documents the way CloudFront does, until stopped', async () => {
    // Prepare
    await init();
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let announce = (_url: string) => {};
    const listening = new Promise<string>((resolve) => {
      announce = resolve;
    });
    const run = runKeyturn(['serve', '--port', '0'], {
      cwd: directory.path,
      untilStopped: () => stopped,
      onErr: (text) => {
        const url = /at (http:\/\/\S+)/.exec(text)?.[1];
        if (url !== undefined) announce(url);
      },
    });

    // Act
    const url = await listening;
    const keys = await fetch(`${url}/demo/keys.json`);
    const other = await fetch(`${url}/demo/../../master.key`);
    stop();
    const result = await run;

    // Assess
    expect(keys.status).toBe(200);
    expect(keys.headers.get('cache-control')).toBe('public, max-age=300');
    expect(other.status).toBe(404);
    expect(result.code).toBe(0);
    expect(result.err).toContain('Stopped.');
  });
});
