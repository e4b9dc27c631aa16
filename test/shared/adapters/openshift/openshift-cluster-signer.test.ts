import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodePrivateKeyPem, encodePublicKeyPem, type PrivateSigningKey } from '#shared/keys/index.ts';
import type { ClusterSigner } from '#shared/ports.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import {
  type FakeApiServer,
  type FakeTls,
  generateFakeTls,
  startFakeApiServer,
  statusReply,
} from './fake-api-server.ts';
import { createFakeOpenShift, type FakeOpenShift, kubeApiServerObject, PATHS } from './fake-openshift.ts';
import { createTestSigner, readTestKeys } from './signer-fixtures.ts';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

let tls: FakeTls;
let server: FakeApiServer;
let current: PrivateSigningKey;
let next: PrivateSigningKey;
let cluster: FakeOpenShift;
let signer: ClusterSigner;
let warnings: string[];

beforeAll(async () => {
  ({ current, next } = readTestKeys());
  tls = await generateFakeTls();
  server = await startFakeApiServer(tls);
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
  cluster = createFakeOpenShift(current);
  server.handle(cluster.handle);
  ({ signer, warnings } = createTestSigner(server));
});

/** The next secret's data as stored now (a function, so TypeScript does not narrow it across awaits). */
function storedData(): Record<string, string> | undefined {
  return cluster.nextSecret?.data;
}

/** The next secret's data as keyturn writes it for `pair`. */
function pairData(pair: PrivateSigningKey) {
  return {
    'service-account.key': base64(encodePrivateKeyPem(pair)),
    'service-account.pub': base64(encodePublicKeyPem(pair.publicKey)),
  };
}

describe('createOpenShiftClusterSigner push', () => {
  it('replaces both values of the next secret with one JSON patch after a GET', async () => {
    // Prepare
    cluster.nextSecret = { data: pairData(current) };

    // Act
    await signer.push(next);

    // Assess
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET ${PATHS.nextSecret}`,
      `PATCH ${PATHS.nextSecret}`,
    ]);
    const patch = server.requests[1];
    expect(patch?.headers['content-type']).toBe('application/json-patch+json');
    expect(JSON.parse(patch?.body ?? '')).toEqual([
      { op: 'replace', path: '/data/service-account.key', value: pairData(next)['service-account.key'] },
      { op: 'replace', path: '/data/service-account.pub', value: pairData(next)['service-account.pub'] },
    ]);
    expect(storedData()).toEqual(pairData(next));
  });

  it('writes the private key as PKCS#1 and the public key as SPKI PEM', async () => {
    // Prepare
    cluster.nextSecret = { data: pairData(current) };

    // Act
    await signer.push(next);

    // Assess
    const data = storedData() ?? {};
    const text = (key: string) => Buffer.from(data[key] ?? '', 'base64').toString('utf8');
    expect(text('service-account.key')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(text('service-account.pub')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it('writes nothing when the secret already holds the pair, whatever the public key label', async () => {
    // Prepare: the same SPKI bytes under the operator's RSA PUBLIC KEY label
    const relabelled = encodePublicKeyPem(next.publicKey).replaceAll('PUBLIC KEY', 'RSA PUBLIC KEY');
    cluster.nextSecret = {
      data: { ...pairData(next), 'service-account.pub': base64(relabelled) },
    };

    // Act
    await signer.push(next);
    await signer.push(next);

    // Assess
    expect(server.requests.map((request) => request.method)).toEqual(['GET', 'GET']);
  });

  it('creates the secret (type Opaque) with both values when it does not exist', async () => {
    // Prepare
    cluster.nextSecret = undefined;

    // Act
    await signer.push(next);

    // Assess
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET ${PATHS.nextSecret}`,
      `POST ${PATHS.secrets}`,
    ]);
    expect(JSON.parse(server.requests[1]?.body ?? '')).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'next-bound-service-account-signing-key' },
      type: 'Opaque',
      data: pairData(next),
    });
  });

  it('patches once when a create loses the race to another writer (409 AlreadyExists)', async () => {
    // Prepare: the first GET sees no secret; the operator writes its own key before keyturn's create
    cluster.nextSecret = undefined;
    let gets = 0;
    server.handle((request) => {
      if (request.method === 'GET' && request.path === PATHS.nextSecret && gets++ === 0) {
        cluster.nextSecret = { data: pairData(current) };
        return undefined;
      }
      return cluster.handle(request);
    });

    // Act
    await signer.push(next);

    // Assess
    expect(server.requests.map((request) => request.method)).toEqual(['GET', 'POST', 'GET', 'PATCH']);
    expect(storedData()).toEqual(pairData(next));
  });

  it('adds values that are missing instead of replacing them', async () => {
    // Prepare: emptied secrets, as after `kubectl edit` removed the data
    for (const stored of [
      {},
      { data: { 'service-account.pub': pairData(current)['service-account.pub'] } },
    ]) {
      cluster.nextSecret = stored;
      server.requests.length = 0;

      // Act
      await signer.push(next);

      // Assess
      expect(storedData()).toEqual(pairData(next));
      const ops = (JSON.parse(server.requests[1]?.body ?? '[]') as { op: string; path: string }[]).map(
        (operation) => `${operation.op} ${operation.path}`,
      );
      expect(ops).toEqual(
        stored.data === undefined
          ? ['add /data']
          : ['add /data/service-account.key', 'replace /data/service-account.pub'],
      );
    }
  });
});

describe('createOpenShiftClusterSigner rolloutProgress', () => {
  it('reports trust, nodes at the latest revision and the probe token kid', async () => {
    // Prepare: the operator added the next key and rolls revision 5, one node done
    cluster.certs['service-account-002.pub'] = encodePublicKeyPem(next.publicKey);
    cluster.kubeApiServer = kubeApiServerObject(5, [5, 4, 4]);

    // Act
    const progress = await signer.rolloutProgress(next.publicKey.kid);

    // Assess
    expect(progress).toEqual({
      trusted: true,
      nodesUpdated: 1,
      nodesTotal: 3,
      signingKid: current.publicKey.kid,
    });
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET ${PATHS.certs}`,
      `GET ${PATHS.kubeApiServer}`,
      `POST ${PATHS.probeToken}`,
    ]);
  });

  it('never reads the bound signing key secret', async () => {
    // Act
    await signer.rolloutProgress(next.publicKey.kid);
    await signer.readKeys();

    // Assess
    expect(server.requests.some((request) => request.path.includes('/secrets'))).toBe(false);
  });

  it('skips trusted entries that are not usable RSA keys, says so, and reads the rest', async () => {
    // Prepare: labels lie (SPKI under RSA PUBLIC KEY); a 1024-bit and an EC key are not usable
    cluster.certs = {
      'service-account-001.pub': readKeyFixture('rsa1024.public'),
      'service-account-002.pub': readKeyFixture('rsa2048.spki-rsa-label.public'),
      'service-account-003.pub': readKeyFixture('ec-p256.public'),
      'service-account-004.pub': encodePublicKeyPem(next.publicKey),
      'ca-bundle.crt': 'not a key, and not a .pub entry',
    };

    // Act
    const progress = await signer.rolloutProgress(next.publicKey.kid);
    const keys = await signer.readKeys();

    // Assess
    expect(progress.trusted).toBe(true);
    expect(keys.trustedKids).toEqual([current.publicKey.kid, next.publicKey.kid]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('skipped 2 entries');
    expect(warnings[0]).toContain('service-account-001.pub, service-account-003.pub');
  });

  it('counts a node without currentRevision (omitempty: never installed) as not updated', async () => {
    // Prepare
    cluster.kubeApiServer = {
      status: {
        latestAvailableRevision: 1,
        nodeStatuses: [{ nodeName: 'master-0', currentRevision: 1 }, { nodeName: 'master-1' }],
      },
    };

    // Act
    const progress = await signer.rolloutProgress(current.publicKey.kid);

    // Assess
    expect(progress).toMatchObject({ nodesUpdated: 1, nodesTotal: 2 });
  });

  it.each([
    { name: 'no status', object: { metadata: {} }, says: 'status is missing' },
    {
      name: 'no revision',
      object: { status: { nodeStatuses: [] } },
      says: 'no status.latestAvailableRevision',
    },
    {
      name: 'a string revision',
      object: { status: { latestAvailableRevision: '5', nodeStatuses: [{ nodeName: 'a' }] } },
      says: 'status.latestAvailableRevision is a string',
    },
    {
      name: 'no nodes',
      object: { status: { latestAvailableRevision: 5 } },
      says: 'status.nodeStatuses is missing',
    },
    {
      name: 'a node without a name',
      object: { status: { latestAvailableRevision: 5, nodeStatuses: [{ currentRevision: 5 }] } },
      says: 'status.nodeStatuses[0].nodeName is missing',
    },
    {
      name: 'a fractional node revision',
      object: {
        status: { latestAvailableRevision: 5, nodeStatuses: [{ nodeName: 'a', currentRevision: 4.5 }] },
      },
      says: 'status.nodeStatuses[0].currentRevision is 4.5',
    },
  ])('rejects an operator status with $name as ERR_CLUSTER_INVALID_ANSWER', async ({ object, says }) => {
    // Prepare
    cluster.kubeApiServer = object;

    // Act
    const failed = signer.rolloutProgress(next.publicKey.kid);

    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'ERR_CLUSTER_INVALID_ANSWER' });
    await expect(failed).rejects.toThrow(says);
  });

  it.each([
    { name: 'no data', certs: undefined, says: 'has no data map' },
    { name: 'a number value', certs: { 'service-account-001.pub': 42 }, says: 'is 42, not a string' },
  ])('rejects a trusted-keys configmap with $name as ERR_CLUSTER_INVALID_ANSWER', async ({ certs, says }) => {
    // Prepare
    server.handle((request) =>
      request.path === PATHS.certs
        ? { status: 200, body: { kind: 'ConfigMap', data: certs } }
        : cluster.handle(request),
    );

    // Act
    const failed = signer.readKeys();

    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'ERR_CLUSTER_INVALID_ANSWER' });
    await expect(failed).rejects.toThrow(says);
  });

  it.each([
    { name: 'no status', body: { kind: 'TokenRequest' }, says: 'TokenRequest status' },
    { name: 'an empty token', body: { status: { token: '' } }, says: 'without status.token' },
    {
      name: 'a token that is no JWT',
      body: { status: { token: 'opaque-token' } },
      says: 'ERR_TOKEN_MALFORMED',
    },
  ])('rejects a TokenRequest answer with $name as ERR_CLUSTER_INVALID_ANSWER', async ({ body, says }) => {
    // Prepare
    server.handle((request) =>
      request.path === PATHS.probeToken ? { status: 201, body } : cluster.handle(request),
    );

    // Act
    const failed = signer.rolloutProgress(next.publicKey.kid);

    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'ERR_CLUSTER_INVALID_ANSWER' });
    await expect(failed).rejects.toThrow(says);
  });
});

describe('createOpenShiftClusterSigner requestToken and readKeys', () => {
  it('asks TokenRequest for the probe service account with the audience and lifetime', async () => {
    // Prepare
    const custom = createTestSigner(server, {
      probeNamespace: 'keyturn',
      probeServiceAccount: 'keyturn-probe',
      tokenExpirationSeconds: 900,
    }).signer;

    // Act
    const token = await custom.requestToken('sts.amazonaws.com');

    // Assess
    const request = server.requests.at(-1);
    expect(`${request?.method} ${request?.path}`).toBe(`POST ${PATHS.probeToken}`);
    expect(JSON.parse(request?.body ?? '')).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: ['sts.amazonaws.com'], expirationSeconds: 900 },
    });
    expect(decodeJwt(token)).toMatchObject({ aud: ['sts.amazonaws.com'] });
  });

  it('reads every trusted kid with its SPKI PEM and the kid the cluster signs with', async () => {
    // Prepare: the operator wrote its key as SPKI under an RSA PUBLIC KEY label
    cluster.certs['service-account-002.pub'] = encodePublicKeyPem(next.publicKey).replaceAll(
      'PUBLIC KEY',
      'RSA PUBLIC KEY',
    );
    cluster.signer = next;

    // Act
    const keys = await signer.readKeys();

    // Assess
    expect(keys.trustedKids).toEqual([current.publicKey.kid, next.publicKey.kid]);
    expect(keys.publicKeys.get(next.publicKey.kid)).toBe(encodePublicKeyPem(next.publicKey));
    expect(keys.signingKid).toBe(next.publicKey.kid);
  });

  it('authenticates with a client certificate as well as with a bearer token', async () => {
    // Prepare
    const withCertificate = createTestSigner(server, {
      kubeconfigOptions: { auth: 'client-certificate' },
    }).signer;

    // Act
    const keys = await withCertificate.readKeys();

    // Assess
    expect(keys.signingKid).toBe(current.publicKey.kid);
    expect(server.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('sends the bearer token of the kubeconfig', async () => {
    // Act
    await signer.requestToken('sts.amazonaws.com');

    // Assess
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer sha256~fake-bearer-token');
  });

  it('reports a missing probe service account with what to do', async () => {
    // Prepare
    server.handle((request) =>
      request.path === PATHS.probeToken
        ? statusReply(404, 'NotFound', 'serviceaccounts "keyturn-probe" not found')
        : cluster.handle(request),
    );

    // Act
    const failed = signer.requestToken('sts.amazonaws.com');

    // Assess
    await expect(failed).rejects.toMatchObject({
      code: 'ERR_CLUSTER_NOT_FOUND',
      status: 404,
      reason: 'NotFound',
    });
    await expect(failed).rejects.toThrow('the probe service account keyturn/keyturn-probe does not exist');
  });
});
