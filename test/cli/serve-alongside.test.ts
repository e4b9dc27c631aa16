import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKeySet } from '#shared/issuer/index.ts';
import { freePort, type KeyturnRun, makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const bin = join(import.meta.dirname, '..', '..', 'cli', 'keyturn.js');

let directory: { path: string; remove: () => Promise<void> };
const running: { stop: () => Promise<unknown> }[] = [];

beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
  await directory.remove();
});

const home = () => join(directory.path, '.keyturn');
const run = (args: readonly string[]) => runKeyturn(args, { cwd: directory.path });

/** Creates issuer `id` at `http://127.0.0.1:<free port>/<id>` and returns its URL. */
async function initIssuer(id = 'demo', leadTime = '0s', port?: number): Promise<string> {
  const issuer = `http://127.0.0.1:${port ?? (await freePort())}/${id}`;
  const init = await run(['init', '--local', '--issuer', issuer, '--bits', '2048', '--lead-time', leadTime]);
  expect(init.code, init.err).toBe(0);
  return issuer;
}

/** Starts `keyturn serve` in-process; resolves once every address listens, with the URLs it announced. */
async function startServe(args: readonly string[] = []): Promise<{ urls: string[]; err: () => string }> {
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let err = '';
  let ready = () => {};
  const listening = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const serve = runKeyturn(['serve', ...args], {
    cwd: directory.path,
    untilStopped: () => stopped,
    onErr: (text) => {
      err += text;
      if (text.includes('Ctrl-C to stop')) ready();
    },
  });
  running.push({
    stop: () => {
      stop();
      return serve;
    },
  });
  await Promise.race([listening, serve.then((result) => expect.fail(`serve ended: ${result.err}`))]);
  return { urls: [...err.matchAll(/at (http:\/\/\S+)/g)].map((match) => match[1] ?? ''), err: () => err };
}

/** The kids keys.json lists at the issuer's URL, over HTTP. */
async function servedKids(issuer: string): Promise<string[]> {
  const response = await fetch(`${issuer}/keys.json`);
  expect(response.status).toBe(200);
  return parseKeySet(await response.text()).keys.map((key) => key.kid);
}

/** The files under `<home>/run/` (claims of live processes). */
async function runRecords(): Promise<string[]> {
  return (await readdir(join(home(), 'run')).catch(() => [] as string[])).filter(
    (name) => !name.startsWith('.'),
  );
}

/** Runs the real `keyturn` process until standard error shows `when`; `end()` sends SIGINT and collects it. */
async function spawnUntil(args: readonly string[], when: RegExp) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: directory.path, env: { ...process.env } });
  let err = '';
  const ended = new Promise<{ code: number | null; err: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, err }));
  });
  running.push({
    stop: () => {
      child.kill('SIGKILL');
      return ended;
    },
  });
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (when.test(err)) resolve();
    });
    void ended.then(() => reject(new Error(`keyturn ended before ${when}: ${err}`)));
  });
  return {
    end: () => {
      child.kill('SIGINT');
      return ended;
    },
  };
}

function expectNoServeHint(result: KeyturnRun): void {
  expect(result.err).not.toMatch(/is keyturn serve running/);
  expect(result.err).not.toMatch(/internal error/);
}

describe('keyturn serve alongside local rotations', () => {
  it('listens, without --port, on the port the issuer URL names', async () => {
    // Prepare
    const issuer = await initIssuer();

    // Act
    const serve = await startServe();

    // Assess
    expect(serve.urls).toEqual([new URL(issuer).origin]);
    expect(serve.err()).toContain('(issuer demo)');
    expect(await servedKids(issuer)).toHaveLength(1);
  });

  it('serves every origin the issuers of the home name, one server each', async () => {
    // Prepare
    const first = await initIssuer('first');
    const second = await initIssuer('second');

    // Act
    const serve = await startServe();

    // Assess
    expect([...serve.urls].sort()).toEqual([new URL(first).origin, new URL(second).origin].sort());
    expect(await servedKids(first)).toHaveLength(1);
    expect(await servedKids(second)).toHaveLength(1);
  });

  it('warns when --port sends it where the issuer URL does not point', async () => {
    // Prepare
    const issuer = await initIssuer();
    const port = await freePort();

    // Act
    const serve = await startServe(['--port', String(port)]);

    // Assess
    expect(serve.urls).toEqual([`http://127.0.0.1:${port}`]);
    expect(serve.err()).toContain(
      `warning: issuer demo's URL ${issuer} names 127.0.0.1:${new URL(issuer).port}, where this serve does not listen (--port ${port})`,
    );
  });

  it('rotate --local publishes through a running keyturn serve of the home, and the token verifies (PUBLISHED-BEFORE-SIGN)', async () => {
    // Prepare
    const issuer = await initIssuer();
    await startServe();
    const [before] = await servedKids(issuer);

    // Act
    const rotated = await run(['rotate', '--local']);

    // Assess: the new key was visible through serve before the push, and stays served after the run.
    expect(rotated.code, rotated.err).toBe(0);
    expectNoServeHint(rotated);
    expect(rotated.out).toContain(
      `a token freshly issued by the cluster verified against ${issuer}/keys.json`,
    );
    const after = await servedKids(issuer);
    expect(after).toHaveLength(2);
    expect(after).toContain(before);
    expect(await runRecords()).toEqual([expect.stringMatching(/^listen-127\.0\.0\.1-\d+\.json$/)]);
  });

  it('maintain --local runs with keyturn serve running and reads keys.json through it', async () => {
    // Prepare
    await initIssuer();
    await startServe();

    // Act
    const maintained = await run(['maintain', '--local']);

    // Assess
    expect(maintained.code, maintained.err).toBe(0);
    expect(maintained.out).toContain('public keys.json reachable: yes');
    expectNoServeHint(maintained);
  });

  it('tells a second rotation of the issuer that a rotation is in flight, with serve running (ONE-SIGNER)', async () => {
    // Prepare: serve runs; a first rotation, in its own process, publishes through it and waits out its lead time.
    const issuer = await initIssuer('demo', '60s');
    await startServe();
    const first = await spawnUntil(['rotate', '--local'], /… WaitForLeadTime/);

    // Act
    const second = await run(['rotate', '--local']);
    const maintained = await run(['maintain', '--local']);
    const aborted = await run(['rotate', '--local', '--abort']);
    const firstEnd = await first.end();

    // Assess
    for (const refused of [second, maintained, aborted]) {
      expect(refused.code, refused.err).toBe(3);
      expect(refused.err).toMatch(/issuer demo: a rotation is in flight: keyturn rotate --local \(pid \d+/);
      expect(refused.err).toContain('keyturn rotate --local --issuer demo resumes it');
      expect(refused.err).toContain('keyturn rotate --local --issuer demo --abort ends it safely');
      expectNoServeHint(refused);
    }
    expect(second.err).not.toContain('Resuming rotation');
    expect(firstEnd.code, firstEnd.err).toBe(130);
    expect(await servedKids(issuer)).toHaveLength(2);
  });

  it('tells a second rotation that a rotation is in flight without serve, not that the port is busy (ONE-SIGNER)', async () => {
    // Prepare
    await initIssuer('demo', '60s');
    const first = await spawnUntil(['rotate', '--local'], /… WaitForLeadTime/);

    // Act
    const second = await run(['rotate', '--local']);
    await first.end();

    // Assess
    expect(second.code, second.err).toBe(3);
    expect(second.err).toContain('a rotation is in flight');
    expectNoServeHint(second);
  });

  it('ignores and removes claims left by a process that is gone (RECOVERABLE)', async () => {
    // Prepare: a rotation and a serve that were killed left their records behind.
    const issuer = await initIssuer();
    const port = Number(new URL(issuer).port);
    const dead = { pid: 2 ** 30, token: 'x', startedAt: '2026-01-01T00:00:00.000Z' };
    await mkdir(join(home(), 'run'), { recursive: true });
    await writeFile(
      join(home(), 'run', 'issuer-demo.json'),
      JSON.stringify({ ...dead, command: 'keyturn rotate --local', issuerId: 'demo' }),
    );
    await writeFile(
      join(home(), 'run', `listen-127.0.0.1-${port}.json`),
      JSON.stringify({ ...dead, command: 'keyturn serve', host: '127.0.0.1', port }),
    );

    // Act
    const rotated = await run(['rotate', '--local']);

    // Assess
    expect(rotated.code, rotated.err).toBe(0);
    expect(await runRecords()).toEqual([]);
  });

  it('exits 3 (ERR_PORT_BUSY) naming the port when another program holds the issuer port', async () => {
    // Prepare
    const port = await freePort();
    await initIssuer('demo', '0s', port);
    const other: Server = createServer();
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
    running.push({ stop: () => new Promise((resolve) => other.close(resolve)) });

    // Act
    const rotated = await run(['rotate', '--local']);

    // Assess
    expect(rotated.code, rotated.err).toBe(3);
    expect(rotated.err).toContain(
      `port ${port} on 127.0.0.1 is in use by a program that is not a keyturn serve`,
    );
    expectNoServeHint(rotated);
  });

  it('refuses to start serve on a port a rotation of the home holds, naming it', async () => {
    // Prepare
    await initIssuer('demo', '60s');
    const first = await spawnUntil(['rotate', '--local'], /… WaitForLeadTime/);

    // Act
    const serve = await run(['serve']);
    await first.end();

    // Assess
    expect(serve.code, serve.err).toBe(3);
    expect(serve.err).toMatch(/is held by keyturn rotate --local of issuer demo of this home \(pid \d+/);
    expect(serve.err).toContain('then start keyturn serve for this home');
  });
});

describe('keyturn init --local and the URLs keyturn can serve', () => {
  it.each([
    ['https', 'https://oidc.example.com/demo', 'plain http://'],
    ['no port', 'http://127.0.0.1/demo', 'names no port'],
    ['a privileged port', 'http://127.0.0.1:443/demo', 'needs root'],
    ['no path', 'http://127.0.0.1:8080', 'no path'],
  ])('refuses %s (exit 1) with the rule, and writes nothing', async (_case, url, why) => {
    // Act
    const init = await run(['init', '--local', '--issuer', url, '--bits', '2048']);

    // Assess
    expect(init.code, init.err).toBe(1);
    expect(init.err).toContain(`issuer ${url} cannot be served on this machine: `);
    expect(init.err).toContain(why);
    await expect(stat(home())).rejects.toThrow();
  });

  it('accepts localhost and [::1] issuers', async () => {
    for (const [id, url] of [
      ['a', `http://localhost:${await freePort()}/a`],
      ['b', `http://[::1]:${await freePort()}/b`],
    ]) {
      const init = await run(['init', '--local', '--issuer', url ?? '', '--id', id ?? '', '--bits', '2048']);
      expect(init.code, init.err).toBe(0);
    }
  });

  it('runs two inits of one home in turn: the second sees the first and refuses its URL path', async () => {
    // Prepare
    const url = `http://127.0.0.1:${await freePort()}/demo`;
    const init = (id: string) => run(['init', '--local', '--issuer', url, '--id', id, '--bits', '2048']);

    // Act
    const results = await Promise.all([init('one'), init('two')]);

    // Assess: exactly one issuer publishes /demo; the other was refused before anything was written.
    expect(results.map((result) => result.code).sort()).toEqual([0, 1]);
    const refused = results.find((result) => result.code === 1);
    expect(refused?.err).toMatch(/issuer (one|two) already publishes/);
    const keyrings = await readdir(join(home(), 'keyrings'));
    expect(keyrings.filter((name) => name.endsWith('.json'))).toHaveLength(1);
    const published = JSON.parse(await readFile(join(home(), 'public', 'demo', 'keys.json'), 'utf8'));
    expect(published.keys).toHaveLength(1);
    expect(await runRecords()).toEqual([]);
  });

  it('is not held up by the claim of an init whose process is gone (RECOVERABLE)', async () => {
    // Prepare
    await mkdir(join(home(), 'run'), { recursive: true });
    await writeFile(
      join(home(), 'run', 'init.json'),
      JSON.stringify({
        pid: 2 ** 30,
        token: 'x',
        startedAt: '2026-01-01T00:00:00.000Z',
        command: 'keyturn init --local',
      }),
    );

    // Act
    const init = await initIssuer();

    // Assess
    expect(init).toMatch(/\/demo$/);
  });
});
