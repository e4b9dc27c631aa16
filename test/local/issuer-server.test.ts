import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUER_SERVER_LIMITS, type IssuerServer, startIssuerServer } from '#local/issuer-server.ts';

let root: string;
let server: IssuerServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'keyturn-issuer-'));
  await mkdir(join(root, 'public', 'cluster', '.well-known'), { recursive: true });
  await writeFile(join(root, 'public', 'cluster', 'keys.json'), '{"keys":[]}');
  await writeFile(join(root, 'public', 'cluster', '.well-known', 'openid-configuration'), '{"issuer":"x"}');
  await writeFile(join(root, 'secret.json'), '{"private":true}');
  await mkdir(join(root, 'public', 'dir', 'keys.json'), { recursive: true });
  await linkFixtures();
  server = await startIssuerServer({ root: join(root, 'public') });
});

/** Bytes standing for the local master key, which sits in the home next to `public/`. */
const MASTER_KEY = 'MASTER-KEY-BYTES-never-served';

/** Links under public/ to the master key, to a folder outside, and inside public/ itself; a fifo. */
async function linkFixtures(): Promise<void> {
  const publicDir = join(root, 'public');
  await writeFile(join(root, 'master.key'), MASTER_KEY, { mode: 0o600 });
  await mkdir(join(root, 'outside', '.well-known'), { recursive: true });
  await writeFile(join(root, 'outside', 'keys.json'), MASTER_KEY);
  await writeFile(join(root, 'outside', '.well-known', 'openid-configuration'), MASTER_KEY);
  for (const folder of ['leak', 'inside', 'hard', 'discovery-leak/.well-known', 'fifo']) {
    await mkdir(join(publicDir, folder), { recursive: true });
  }
  await symlink(join(root, 'master.key'), join(publicDir, 'leak', 'keys.json'));
  await symlink(
    '../../../master.key',
    join(publicDir, 'discovery-leak', '.well-known', 'openid-configuration'),
  );
  await symlink('../cluster/keys.json', join(publicDir, 'inside', 'keys.json'));
  await symlink(join(root, 'outside'), join(publicDir, 'linked-outside'));
  await symlink('cluster', join(publicDir, 'linked-inside'));
  await link(join(root, 'master.key'), join(publicDir, 'hard', 'keys.json'));
  if (process.platform !== 'win32') {
    execFileSync('mkfifo', [join(publicDir, 'fifo', 'keys.json')]);
  }
}

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

/** A raw HTTP request, so paths reach the server exactly as written (fetch would normalise `..`). */
function get(
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((done, fail) => {
    const url = new URL(server.url);
    const call = request(
      { host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => done({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    call.on('error', fail);
    call.end();
  });
}

describe('startIssuerServer', () => {
  it('serves keys.json with the CloudFront headers of DESIGN.md §1', async () => {
    const response = await get('/cluster/keys.json');

    expect(response.status).toBe(200);
    expect(response.body).toBe('{"keys":[]}');
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  it('serves the discovery document with max-age=3600', async () => {
    const response = await get('/cluster/.well-known/openid-configuration');

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('answers 304 to a matching If-None-Match and HEAD without a body', async () => {
    const first = await get('/cluster/keys.json');

    const again = await get('/cluster/keys.json', {
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    const head = await get('/cluster/keys.json', { method: 'HEAD' });

    expect(again.status).toBe(304);
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('serves a new publish at once, with a new ETag', async () => {
    const before = await get('/cluster/keys.json');
    await writeFile(join(root, 'public', 'cluster', 'keys.json'), '{"keys":[1]}');

    const after = await get('/cluster/keys.json');

    expect(after.body).toBe('{"keys":[1]}');
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it.each([
    '/',
    '/cluster/',
    '/cluster/other.json',
    '/../secret.json',
    '/cluster/../../secret.json',
    '/%2e%2e/secret.json',
    '/cluster/%2e%2e/%2e%2e/keys.json',
    '/cluster%5c..%5ckeys.json',
    '/nope/keys.json',
    '/dir/keys.json',
    '/%E0%A4%A/keys.json',
  ])('answers 404 for %s', async (path) => {
    const response = await get(path);

    expect(response.status).toBe(404);
    expect(response.body).not.toContain('private');
  });

  it.each([
    ['a symlink to the master key outside public/', '/leak/keys.json'],
    ['a relative symlink to the master key', '/discovery-leak/.well-known/openid-configuration'],
    ['a symlinked folder outside public/', '/linked-outside/keys.json'],
    ['a symlinked folder outside public/, discovery', '/linked-outside/.well-known/openid-configuration'],
    ['a symlink inside public/ to a published file', '/inside/keys.json'],
    ['a symlinked folder inside public/', '/linked-inside/keys.json'],
    ['a hard link to the master key', '/hard/keys.json'],
  ])('answers 404 for %s, never its target (SEALED)', async (_, path) => {
    const response = await get(path);

    expect(response.status).toBe(404);
    expect(response.body).not.toContain(MASTER_KEY);
    expect(response.body).not.toContain('keys');
  });

  it.skipIf(process.platform === 'win32')('answers 404 for a fifo at once, without opening it', async () => {
    const response = await get('/fifo/keys.json');

    expect(response.status).toBe(404);
  });

  it('still serves the published file next to the refused links', async () => {
    const response = await get('/cluster/.well-known/openid-configuration');

    expect(response.status).toBe(200);
    expect(response.body).toBe('{"issuer":"x"}');
  });

  it.each(['POST', 'PUT', 'DELETE'])('refuses %s with 405', async (method) => {
    const response = await get('/cluster/keys.json', { method });

    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });
});

/** A raw connection to `server`, open. */
function openSocket(target: IssuerServer): Promise<Socket> {
  const url = new URL(target.url);
  return new Promise((done, fail) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => done(socket));
    socket.on('error', fail);
  });
}

/** Everything `socket` receives until the server closes it. */
function receivedUntilClosed(socket: Socket): Promise<string> {
  return new Promise((done) => {
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => done(received));
  });
}

/** Sends one complete keep-alive request on `socket` and waits for its whole answer. */
function requestOn(socket: Socket): Promise<string> {
  return new Promise((done) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk;
      if (received.includes('{"keys":')) {
        socket.off('data', onData);
        done(received);
      }
    };
    socket.on('data', onData);
    socket.write('GET /cluster/keys.json HTTP/1.1\r\nHost: issuer\r\n\r\n');
  });
}

describe('startIssuerServer limits', () => {
  const timeoutMs = 200;
  let limited: IssuerServer;

  beforeAll(async () => {
    limited = await startIssuerServer({ root: join(root, 'public'), timeoutMs });
  });

  afterAll(async () => {
    await limited.close();
  });

  it('keeps timeouts of a few seconds and a connection cap by default', () => {
    expect(ISSUER_SERVER_LIMITS.timeoutMs).toBeLessThanOrEqual(10_000);
    expect(ISSUER_SERVER_LIMITS.maxConnections).toBe(256);
  });

  it.each([
    ['a partial request line', 'GET /cluster/keys.js'],
    [
      'a request line and some headers, never the blank line',
      'GET /cluster/keys.json HTTP/1.1\r\nHost: x\r\n',
    ],
    ['nothing at all', ''],
  ])('closes a slowloris client that sends %s', async (_, partial) => {
    // Prepare
    const socket = await openSocket(limited);
    const received = receivedUntilClosed(socket);

    // Act
    socket.write(partial);

    // Assess: the server hangs up (a 408 at most), long before Node's default minute.
    const answer = await received;
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
    expect(answer).not.toContain('{"keys"');
  });

  it('closes a keep-alive connection left idle after its answer', async () => {
    // Prepare
    const socket = await openSocket(limited);
    const closed = receivedUntilClosed(socket);

    // Act
    const answer = await requestOn(socket);

    // Assess
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('closes a connection over maxConnections as it arrives, serving those under it', async () => {
    // Prepare: two connections the server has answered and keeps open.
    const capped = await startIssuerServer({ root: join(root, 'public'), maxConnections: 2 });
    const held = [await openSocket(capped), await openSocket(capped)];
    const answers = await Promise.all(held.map(requestOn));

    // Act
    const extra = await openSocket(capped);
    const refused = receivedUntilClosed(extra);
    extra.write('GET /cluster/keys.json HTTP/1.1\r\nHost: issuer\r\n\r\n');

    // Assess
    expect(await refused).toBe('');
    expect(answers.every((answer) => answer.startsWith('HTTP/1.1 200'))).toBe(true);
    expect(held.every((socket) => !socket.destroyed)).toBe(true);
    for (const socket of held) socket.destroy();
    await capped.close();
  });
});
