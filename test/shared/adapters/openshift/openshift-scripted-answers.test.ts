import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodePublicKeyPem, type PrivateSigningKey } from '#shared/keys/index.ts';
import type { ClusterSigner } from '#shared/ports.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { type FakeApiServer, generateFakeTls, startFakeApiServer } from './fake-api-server.ts';
import { createFakeOpenShift, type FakeOpenShift } from './fake-openshift.ts';
import { createTestSigner, PATHS, pairData, readTestKeys } from './signer-fixtures.ts';

// What the OpenShift simulator cannot play (openshift-cluster-signer.test.ts runs the rest on it): objects
// it never serves (unusable trusted keys, malformed answers), a write slipped between two requests of one
// push, and client-certificate auth.

let server: FakeApiServer;
let current: PrivateSigningKey;
let next: PrivateSigningKey;
let cluster: FakeOpenShift;
let signer: ClusterSigner;
let warnings: string[];

beforeAll(async () => {
  ({ current, next } = readTestKeys());
  server = await startFakeApiServer(await generateFakeTls());
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

describe('createOpenShiftClusterSigner push, scripted', () => {
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
});

describe('createOpenShiftClusterSigner reads of answers no OpenShift sends', () => {
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
describe('createOpenShiftClusterSigner authentication', () => {
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
});
