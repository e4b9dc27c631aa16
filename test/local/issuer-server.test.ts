import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IssuerServer, startIssuerServer } from '#local/issuer-server.ts';

let root: string;
let server: IssuerServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'keyturn-issuer-'));
  await mkdir(join(root, 'public', 'cluster', '.well-known'), { recursive: true });
  await writeFile(join(root, 'public', 'cluster', 'keys.json'), '{"keys":[]}');
  await writeFile(join(root, 'public', 'cluster', '.well-known', 'openid-configuration'), '{"issuer":"x"}');
  await writeFile(join(root, 'secret.json'), '{"private":true}');
  await mkdir(join(root, 'public', 'dir', 'keys.json'), { recursive: true });
  server = await startIssuerServer({ root: join(root, 'public') });
});

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

  it.each(['POST', 'PUT', 'DELETE'])('refuses %s with 405', async (method) => {
    const response = await get('/cluster/keys.json', { method });

    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });
});
