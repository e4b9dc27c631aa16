import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodePrivateKeyPem, encodePublicKeyPem, type PrivateSigningKey } from '#shared/keys/index.ts';
import { ClusterAnswerError, ClusterApiCallError } from '#shared/ports.ts';
import {
  type FakeApiServer,
  type FakeTls,
  generateFakeTls,
  type RecordedRequest,
  startFakeApiServer,
  statusReply,
} from './fake-api-server.ts';
import { createFakeOpenShift, type FakeOpenShift } from './fake-openshift.ts';
import { createTestSigner, PATHS, privateKeyFragments, readTestKeys } from './signer-fixtures.ts';

let tls: FakeTls;
let server: FakeApiServer;
let current: PrivateSigningKey;
let next: PrivateSigningKey;
let cluster: FakeOpenShift;

beforeAll(async () => {
  ({ current, next } = readTestKeys());
  tls = await generateFakeTls();
  server = await startFakeApiServer(tls);
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  cluster = createFakeOpenShift(current);
  cluster.nextSecret = {
    data: {
      'service-account.key': Buffer.from(encodePrivateKeyPem(current)).toString('base64'),
      'service-account.pub': Buffer.from(encodePublicKeyPem(current.publicKey)).toString('base64'),
    },
  };
});

/** Every way the failure could reach a log line: message, stack, inspect (with causes), JSON. */
function renderings(error: unknown): string[] {
  return [String(error), (error as Error).stack ?? '', inspect(error, { depth: 10 }), JSON.stringify(error)];
}

/** Fails `failing` requests the way a webhook that quotes the request body in its Status message would. */
function failWith(status: number, reason: string, failing: (request: RecordedRequest) => boolean) {
  server.handle((request) =>
    failing(request)
      ? statusReply(
          status,
          reason,
          `admission webhook "keys.example.com" denied the request: ${request.body}`,
        )
      : cluster.handle(request),
  );
}

const STATUSES = [
  { status: 400, reason: 'BadRequest', code: 'ERR_CLUSTER_INVALID' },
  { status: 403, reason: 'Forbidden', code: 'ERR_CLUSTER_FORBIDDEN' },
  { status: 404, reason: 'NotFound', code: 'ERR_CLUSTER_NOT_FOUND' },
  { status: 409, reason: 'Conflict', code: 'ERR_CLUSTER_CONFLICT' },
  { status: 415, reason: 'UnsupportedMediaType', code: 'ERR_CLUSTER_REJECTED' },
  { status: 422, reason: 'Invalid', code: 'ERR_CLUSTER_INVALID' },
  { status: 429, reason: 'TooManyRequests', code: 'ERR_CLUSTER_UNAVAILABLE' },
  { status: 500, reason: 'InternalError', code: 'ERR_CLUSTER_UNAVAILABLE' },
  { status: 503, reason: 'ServiceUnavailable', code: 'ERR_CLUSTER_UNAVAILABLE' },
] as const;

const WRITES = [
  {
    method: 'PATCH',
    resource: 'secrets openshift-kube-apiserver-operator/next-bound-service-account-signing-key',
  },
  {
    method: 'POST',
    resource: 'secrets openshift-kube-apiserver-operator/next-bound-service-account-signing-key',
  },
] as const;

// On the scripted fake server: statuses and Status messages of the test's choosing (a webhook quoting the
// request body), answers that are not JSON, and a write slipped between two requests of one push, which
// the simulator cannot give; openshift-connection.test.ts runs credential, network and TLS failures on it.
describe('ClusterApiCallError from the OpenShift signer', () => {
  for (const write of WRITES) {
    it.each(STATUSES)(
      `maps HTTP $status on ${write.method} to $code without a trace of the private key`,
      async ({ status, reason, code }) => {
        // Prepare
        if (write.method === 'POST') {
          cluster.nextSecret = undefined;
        }
        failWith(status, reason, (request) => request.method === write.method);
        const { signer } = createTestSigner(server);

        // Act
        const error = await signer.push(next).catch((caught: unknown) => caught);

        // Assess
        expect(error).toBeInstanceOf(ClusterApiCallError);
        expect(error).toMatchObject({ code, status, reason, method: write.method, resource: write.resource });
        expect((error as Error).message).toContain(
          `${write.method} ${write.resource} failed with HTTP ${status} ${reason}`,
        );
        expect((error as Error).message).toContain('admission webhook "keys.example.com" denied the request');
        expect((error as Error).cause).toBeUndefined();
        for (const text of renderings(error)) {
          expect(text).not.toContain('PRIVATE KEY');
          for (const fragment of privateKeyFragments(next)) {
            expect(text).not.toContain(fragment);
          }
        }
      },
    );
  }

  it('keeps the private key out of a failed GET of a secret that holds one', async () => {
    // Prepare: an answer that is not JSON but starts like the stored secret
    server.handle((request) =>
      request.method === 'GET' && request.path === PATHS.nextSecret
        ? {
            status: 200,
            body: `{"data":{"service-account.key":"${cluster.nextSecret?.data?.['service-account.key']}"`,
          }
        : cluster.handle(request),
    );
    const { signer } = createTestSigner(server);

    // Act
    const error = await signer.push(next).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ClusterAnswerError);
    expect(error).toMatchObject({ code: 'ERR_CLUSTER_INVALID_ANSWER' });
    for (const text of renderings(error)) {
      for (const fragment of privateKeyFragments(current)) {
        expect(text).not.toContain(fragment);
      }
    }
  });

  it('names the permission to grant on 403', async () => {
    // Prepare
    server.handle((request) =>
      request.path === PATHS.kubeApiServer
        ? statusReply(
            403,
            'Forbidden',
            'kubeapiservers.operator.openshift.io "cluster" is forbidden: User "system:serviceaccount:keyturn:keyturn" cannot get resource "kubeapiservers"',
          )
        : cluster.handle(request),
    );
    const { signer } = createTestSigner(server);

    // Act
    const failed = signer.rolloutProgress(next.publicKey.kid);

    // Assess
    await expect(failed).rejects.toThrow(
      'GET kubeapiservers.operator.openshift.io cluster failed with HTTP 403 Forbidden: kubeapiservers.operator.openshift.io "cluster" is forbidden',
    );
    await expect(failed).rejects.toThrow('apply docs/openshift-rbac.yaml');
  });

  it('reports a next secret that exists for the create but not for the read as ERR_CLUSTER_CONFLICT', async () => {
    // Prepare: someone deletes the secret again right after each create of theirs
    server.handle((request) =>
      request.method === 'POST'
        ? statusReply(409, 'AlreadyExists', 'secrets "next-bound-service-account-signing-key" already exists')
        : request.method === 'GET'
          ? undefined
          : cluster.handle(request),
    );
    const { signer } = createTestSigner(server);

    // Act
    const failed = signer.push(next);

    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'ERR_CLUSTER_CONFLICT' });
    await expect(failed).rejects.toThrow('another writer is deleting it: retry');
    expect(server.requests.slice(-3).map((request) => request.method)).toEqual(['GET', 'POST', 'GET']);
  });
});
