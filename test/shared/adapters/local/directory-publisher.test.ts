import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IssuerServer, startIssuerServer } from '#local/issuer-server.ts';
import { createDirectoryPublisher } from '#shared/adapters/local/index.ts';
import { buildDiscovery, buildKeySet } from '#shared/issuer/index.ts';
import { parsePublicKey } from '#shared/keys/index.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { useTemporaryHome } from './local-home.ts';

const home = useTemporaryHome();
const fixtureKey = parsePublicKey(readKeyFixture('rsa2048.public'));
const otherKey = parsePublicKey(readKeyFixture('other2048.public'));
const fixtureJwk = (JSON.parse(buildKeySet([fixtureKey])) as { keys: object[] }).keys[0];
const privateJwk = JSON.parse(readKeyFixture('rsa2048.private.jwk.json')) as { d: string };

function documentsFor(issuerUrl: string, keys = [fixtureKey], generation = 1) {
  return { keySet: buildKeySet(keys), discovery: buildDiscovery(issuerUrl), generation };
}

describe('createDirectoryPublisher', () => {
  it.each([
    ['http://127.0.0.1:8080/demo', ['demo']],
    ['http://127.0.0.1:8080/demo/', ['demo']],
    ['https://oidc.example.com/fleet/eu-1', ['fleet', 'eu-1']],
    ['http://127.0.0.1:8080', []],
  ])('publishes %s under <root>/%j', async (issuerUrl, segments) => {
    // Prepare
    const publisher = createDirectoryPublisher({ root: home.path });
    const documents = documentsFor(issuerUrl);

    // Act
    await publisher.publish(issuerUrl, documents);

    // Assess
    const directory = join(home.path, ...segments);
    expect(await readFile(join(directory, 'keys.json'), 'utf8')).toBe(documents.keySet);
    expect(await readFile(join(directory, '.well-known', 'openid-configuration'), 'utf8')).toBe(
      documents.discovery,
    );
  });

  it('replaces published documents and leaves no temporary file (RETRY-SAFE)', async () => {
    const publisher = createDirectoryPublisher({ root: home.path });
    const issuerUrl = 'http://127.0.0.1:8080/demo';

    await publisher.publish(issuerUrl, documentsFor(issuerUrl));
    await publisher.publish(issuerUrl, documentsFor(issuerUrl, [fixtureKey, otherKey]));
    await publisher.publish(issuerUrl, documentsFor(issuerUrl, [fixtureKey, otherKey]));

    const directory = join(home.path, 'demo');
    expect(await readdir(directory)).toEqual(['.keyturn-generation', '.well-known', 'keys.json']);
    expect(await readdir(join(directory, '.well-known'))).toEqual(['openid-configuration']);
    expect(await readFile(join(directory, 'keys.json'), 'utf8')).toBe(buildKeySet([fixtureKey, otherKey]));
  });

  it.skipIf(process.platform === 'win32')('writes documents anyone on the machine may read', async () => {
    await createDirectoryPublisher({ root: home.path }).publish(
      'http://127.0.0.1:8080/demo',
      documentsFor('http://127.0.0.1:8080/demo'),
    );

    expect((await stat(join(home.path, 'demo', 'keys.json'))).mode & 0o777).toBe(0o644);
  });

  it.each([
    ['not JSON', '{"keys": [', 'ERR_KEYSET_INVALID'],
    ['an empty set', '{"keys": []}', 'ERR_KEYSET_INVALID'],
    [
      'a kid that is not the kube-apiserver kid',
      buildKeySet([fixtureKey]).replace(fixtureKey.kid, 'x'),
      'ERR_KEYSET_KID_MISMATCH',
    ],
    ['duplicate kids', JSON.stringify({ keys: [fixtureJwk, fixtureJwk] }), 'ERR_KEYSET_DUPLICATE_KID'],
    [
      'private key members',
      JSON.stringify({ keys: [{ ...fixtureJwk, d: privateJwk.d }] }),
      'ERR_KEYSET_PRIVATE_MEMBERS',
    ],
  ])('refuses a key set with %s and writes nothing (ALWAYS-VALID)', async (_variant, keySet, code) => {
    const issuerUrl = 'http://127.0.0.1:8080/demo';

    await expect(
      createDirectoryPublisher({ root: home.path }).publish(issuerUrl, {
        keySet,
        discovery: buildDiscovery(issuerUrl),
        generation: 1,
      }),
    ).rejects.toMatchObject({ code });
    expect(await readdir(home.path)).toEqual([]);
  });

  it('refuses a discovery document naming another issuer and writes nothing', async () => {
    await expect(
      createDirectoryPublisher({ root: home.path }).publish('http://127.0.0.1:8080/demo', {
        keySet: buildKeySet([fixtureKey]),
        discovery: buildDiscovery('http://127.0.0.1:8080/other'),
        generation: 1,
      }),
    ).rejects.toMatchObject({ code: 'ERR_DISCOVERY_ISSUER_MISMATCH' });
    expect(await readdir(home.path)).toEqual([]);
  });

  it.each([
    'http://127.0.0.1:8080/a%2Fb',
    'http://127.0.0.1:8080/a//b',
    'http://127.0.0.1:8080/a%00b',
    'http://example.com/demo',
  ])('refuses to publish the issuer %s with ERR_ISSUER_URL', async (issuerUrl) => {
    await expect(
      createDirectoryPublisher({ root: home.path }).publish(issuerUrl, {
        keySet: buildKeySet([fixtureKey]),
        discovery: buildDiscovery('http://127.0.0.1:8080/demo'),
        generation: 1,
      }),
    ).rejects.toMatchObject({ code: 'ERR_ISSUER_URL' });
    expect(await readdir(home.path)).toEqual([]);
  });

  it('records the generation beside the documents and keeps keys.json a plain JWKS', async () => {
    const issuerUrl = 'http://127.0.0.1:8080/demo';
    const documents = documentsFor(issuerUrl, [fixtureKey], 7);

    const outcome = await createDirectoryPublisher({ root: home.path }).publish(issuerUrl, documents);

    expect(outcome).toBe('published');
    expect(await readFile(join(home.path, 'demo', '.keyturn-generation'), 'utf8')).toBe('7\n');
    expect(await readFile(join(home.path, 'demo', 'keys.json'), 'utf8')).toBe(documents.keySet);
  });

  it('never replaces documents of a newer generation with older ones (ALWAYS-VALID)', async () => {
    // Prepare: a rotation published the new key (generation 8); maintenance read the keyring before (7).
    const publisher = createDirectoryPublisher({ root: home.path });
    const issuerUrl = 'http://127.0.0.1:8080/demo';
    const newer = documentsFor(issuerUrl, [fixtureKey, otherKey], 8);
    await publisher.publish(issuerUrl, newer);

    // Act
    const outcome = await publisher.publish(issuerUrl, documentsFor(issuerUrl, [fixtureKey], 7));

    // Assess
    expect(outcome).toBe('superseded');
    expect(await readFile(join(home.path, 'demo', 'keys.json'), 'utf8')).toBe(newer.keySet);
    expect(await readFile(join(home.path, 'demo', '.keyturn-generation'), 'utf8')).toBe('8\n');
  });

  it('keeps the highest generation of publishers racing on one issuer (ALWAYS-VALID)', async () => {
    // Prepare: two processes' worth of publishers, in an order where older ones come last.
    const issuerUrl = 'http://127.0.0.1:8080/demo';
    const generations = [5, 9, 2, 7, 9, 1, 8, 3];
    const keysOf = (generation: number) => (generation % 2 === 0 ? [fixtureKey] : [fixtureKey, otherKey]);

    // Act
    const outcomes = await Promise.all(
      generations.map((generation) =>
        createDirectoryPublisher({ root: home.path }).publish(
          issuerUrl,
          documentsFor(issuerUrl, keysOf(generation), generation),
        ),
      ),
    );

    // Assess
    expect(outcomes).toContain('superseded');
    expect(await readFile(join(home.path, 'demo', '.keyturn-generation'), 'utf8')).toBe('9\n');
    expect(await readFile(join(home.path, 'demo', 'keys.json'), 'utf8')).toBe(buildKeySet(keysOf(9)));
    expect(await readdir(join(home.path, 'demo'))).toEqual([
      '.keyturn-generation',
      '.well-known',
      'keys.json',
    ]);
  });

  it('replaces documents published without a generation (older keyturn) and republishes the same one (RETRY-SAFE)', async () => {
    // Prepare
    const issuerUrl = 'http://127.0.0.1:8080/demo';
    await mkdir(join(home.path, 'demo'), { recursive: true });
    await writeFile(join(home.path, 'demo', 'keys.json'), buildKeySet([otherKey]));
    const publisher = createDirectoryPublisher({ root: home.path });
    const documents = documentsFor(issuerUrl, [fixtureKey], 0);

    // Act
    const outcomes = [
      await publisher.publish(issuerUrl, documents),
      await publisher.publish(issuerUrl, documents),
    ];

    // Assess
    expect(outcomes).toEqual(['published', 'published']);
    expect(await readFile(join(home.path, 'demo', 'keys.json'), 'utf8')).toBe(documents.keySet);
  });

  it('fails with ERR_PUBLISH_CONFLICT when another process holds the publish lock', async () => {
    // Prepare: a live process (this one) holds the lock of the issuer's directory.
    const issuerUrl = 'http://127.0.0.1:8080/demo';
    await mkdir(join(home.path, 'demo'), { recursive: true });
    const holder = { pid: process.pid, time: new Date().toISOString(), token: 'other' };
    await writeFile(join(home.path, 'demo', '.keyturn-publish.lock'), JSON.stringify(holder));
    const publisher = createDirectoryPublisher({ root: home.path, lock: { attempts: 2, retryDelayMs: 1 } });

    // Act
    const publishing = publisher.publish(issuerUrl, documentsFor(issuerUrl));

    // Assess
    await expect(publishing).rejects.toMatchObject({
      code: 'ERR_PUBLISH_CONFLICT',
      message: expect.stringContaining(
        `another keyturn process is publishing this issuer (pid ${process.pid}`,
      ),
    });
    await expect(readFile(join(home.path, 'demo', 'keys.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('invalidates without effect (no cache in front of a local directory)', async () => {
    await expect(
      createDirectoryPublisher({ root: home.path }).invalidate('http://127.0.0.1:8080/demo'),
    ).resolves.toBe(undefined);
  });
});

describe('createDirectoryPublisher readPublic', () => {
  // The issuer server's root is fixed when it starts, so this block shares one root; tests use their own paths.
  let root: string;
  let server: IssuerServer;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'keyturn-public-'));
    server = await startIssuerServer({ root, host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('reads back what a third party sees at the issuer URL', async () => {
    // Prepare
    const issuerUrl = `${server.url}/read-back`;
    const publisher = createDirectoryPublisher({ root });
    const documents = documentsFor(issuerUrl, [fixtureKey, otherKey]);
    await publisher.publish(issuerUrl, documents);

    // Act
    const view = await publisher.readPublic(issuerUrl);

    // Assess
    expect(view).toEqual({ kids: [fixtureKey.kid, otherKey.kid], keySet: documents.keySet });
  });

  it('sees a new publish at once', async () => {
    const issuerUrl = `${server.url}/republish`;
    const publisher = createDirectoryPublisher({ root });
    await publisher.publish(issuerUrl, documentsFor(issuerUrl, [fixtureKey]));
    const before = await publisher.readPublic(issuerUrl);

    await publisher.publish(issuerUrl, documentsFor(issuerUrl, [otherKey, fixtureKey]));
    const after = await publisher.readPublic(issuerUrl);

    expect(before.kids).toEqual([fixtureKey.kid]);
    expect(after.kids).toEqual([otherKey.kid, fixtureKey.kid]);
  });

  it('fails with ERR_ISSUER_FETCH when nothing is published at the issuer', async () => {
    await expect(
      createDirectoryPublisher({ root }).readPublic(`${server.url}/nothing`),
    ).rejects.toMatchObject({
      code: 'ERR_ISSUER_FETCH',
    });
  });

  it('refuses a served keys.json that is not a valid key set', async () => {
    await mkdir(join(root, 'damaged'), { recursive: true });
    await writeFile(join(root, 'damaged', 'keys.json'), '{"keys": []}');

    await expect(
      createDirectoryPublisher({ root }).readPublic(`${server.url}/damaged`),
    ).rejects.toMatchObject({
      code: 'ERR_KEYSET_INVALID',
    });
  });

  it('reads through the injected fetch', async () => {
    const requested: string[] = [];
    const fetch = async (url: string) => {
      requested.push(url);
      return new Response(buildKeySet([otherKey]), {
        status: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
      });
    };

    const view = await createDirectoryPublisher({ root, fetch }).readPublic(
      'https://oidc.example.com/fleet/',
    );

    expect(requested).toEqual(['https://oidc.example.com/fleet/keys.json']);
    expect(view.kids).toEqual([otherKey.kid]);
  });
});
