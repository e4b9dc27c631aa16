import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterModel } from '#local/openshift-sim/cluster-model.ts';
import {
  APISERVER_NAMESPACE,
  CERTS_CONFIGMAP_NAME,
  KUBE_APISERVER_NAME,
  NEXT_SECRET_NAME,
  OPERATOR_NAMESPACE,
} from '#local/openshift-sim/objects.ts';
import { createSimulatedClusterSigner } from '#local/openshift-sim/simulated-cluster-signer.ts';
import { encodePublicKeyPem, type PrivateSigningKey, parsePublicKey } from '#shared/keys/index.ts';
import { createTestCluster, generateTestKeys, rolloutOf, secretKid, verifyWith } from './cluster-fixtures.ts';

let initial: PrivateSigningKey;
let next: PrivateSigningKey;
let operatorKey: PrivateSigningKey;

beforeAll(async () => {
  [initial, next, operatorKey] = await generateTestKeys();
});

/** Progress computed straight from the model's objects, to compare the signer against. */
function progressFromModel(model: ClusterModel, kid: string) {
  const certs = model.get('ConfigMap', APISERVER_NAMESPACE, CERTS_CONFIGMAP_NAME)?.data ?? {};
  const status = model.get('KubeAPIServer', undefined, KUBE_APISERVER_NAME)?.status;
  const nodes = status?.nodeStatuses ?? [];
  return {
    trusted: Object.values(certs).some((pem) => parsePublicKey(pem).kid === kid),
    nodesUpdated: nodes.filter((node) => node.currentRevision === status?.latestAvailableRevision).length,
    nodesTotal: nodes.length,
  };
}

describe('createSimulatedClusterSigner', () => {
  it('reports rollout progress that matches the model at every step of a rotation', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);
    const signer = createSimulatedClusterSigner(model);
    const kid = next.publicKey.kid;

    // Act
    await signer.push(next);
    const seen = [];
    for (const step of [0, 2, 2, 2, 2, 2, 2]) {
      clock.advance(step);
      seen.push({ progress: await signer.rolloutProgress(kid), expected: progressFromModel(model, kid) });
    }

    // Assess
    for (const { progress, expected } of seen) {
      expect(progress).toMatchObject(expected);
    }
    expect(seen.map(({ progress }) => progress.nodesUpdated)).toEqual([0, 1, 2, 0, 1, 2, 3]);
    expect(seen.every(({ progress }) => progress.trusted && progress.nodesTotal === 3)).toBe(true);
    expect(seen.at(-1)?.progress.signingKid).toBe(kid);
  });

  it('reports a key the cluster does not know as untrusted, and the current signer as signingKid', async () => {
    // Prepare
    const { model } = createTestCluster(initial);
    const signer = createSimulatedClusterSigner(model);

    // Act
    const progress = await signer.rolloutProgress(next.publicKey.kid);

    // Assess
    expect(progress).toEqual({
      trusted: false,
      nodesUpdated: 3,
      nodesTotal: 3,
      signingKid: initial.publicKey.kid,
    });
  });

  it('pushes idempotently: the same pair again writes nothing and cuts no revision', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);
    const signer = createSimulatedClusterSigner(model);
    await signer.push(next);
    const version = model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME)?.metadata.resourceVersion;
    clock.advance(60);

    // Act
    await signer.push(next);
    clock.advance(60);

    // Assess
    expect(model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME)?.metadata.resourceVersion).toBe(version);
    expect(rolloutOf(model).latest).toBe(3);
  });

  it('recreates the next secret with a create when it is missing', async () => {
    // Prepare: the operator's key generation never finishes, so the secret stays deleted
    const { model } = createTestCluster(initial, { generateKey: () => new Promise(() => {}) });
    const signer = createSimulatedClusterSigner(model);
    void model.deleteSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME);

    // Act
    await signer.push(next);

    // Assess
    expect(secretKid(model, 'next')).toBe(next.publicKey.kid);
    expect(rolloutOf(model).latest).toBe(2);
  });

  it('issues short-lived probe tokens for its service account that verify against the cluster key', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);
    const signer = createSimulatedClusterSigner(model, {
      probeNamespace: 'keyturn-system',
      probeServiceAccount: 'prober',
    });

    // Act
    const token = await signer.requestToken('sts.amazonaws.com');
    const verified = await verifyWith([initial], token, clock.now());

    // Assess
    expect(verified).toMatchObject({
      subject: 'system:serviceaccount:keyturn-system:prober',
      audiences: ['sts.amazonaws.com'],
    });
    const { exp = 0, iat = 0 } = decodeJwt(token);
    expect(exp - iat).toBe(600);
  });

  it('reads every trusted kid with its SPKI PEM, including a key the operator generated', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial, { operatorKeys: [operatorKey] });
    const signer = createSimulatedClusterSigner(model);
    await model.deleteSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
    clock.advance(60);

    // Act
    const keys = await signer.readKeys();

    // Assess
    expect(keys.trustedKids).toEqual([initial.publicKey.kid, operatorKey.publicKey.kid]);
    expect(keys.publicKeys.get(operatorKey.publicKey.kid)).toBe(encodePublicKeyPem(operatorKey.publicKey));
    expect(keys.signingKid).toBe(operatorKey.publicKey.kid);
  });

  it('fails with InjectedApiFailureError while failures are injected, and changes nothing', async () => {
    // Prepare
    const { model } = createTestCluster(initial);
    const signer = createSimulatedClusterSigner(model);
    model.faults.failNextCalls(1, 'InternalError');

    // Act
    const failed = signer.push(next);

    // Assess
    await expect(failed).rejects.toMatchObject({
      name: 'InjectedApiFailureError',
      code: 'ERR_SIM_INJECTED_FAILURE',
      status: 500,
    });
    expect(secretKid(model, 'next')).toBe(initial.publicKey.kid);
    await signer.push(next);
    expect(secretKid(model, 'next')).toBe(next.publicKey.kid);
  });

  it.each([
    {
      method: 'rolloutProgress',
      call: (signer: ReturnType<typeof createSimulatedClusterSigner>) => signer.rolloutProgress('kid'),
    },
    {
      method: 'requestToken',
      call: (signer: ReturnType<typeof createSimulatedClusterSigner>) => signer.requestToken('aud'),
    },
    {
      method: 'readKeys',
      call: (signer: ReturnType<typeof createSimulatedClusterSigner>) => signer.readKeys(),
    },
  ])('fails $method with an injected failure', async ({ call }) => {
    // Prepare
    const { model } = createTestCluster(initial);
    model.faults.failNextCalls(1, 'TooManyRequests');

    // Act
    const failed = call(createSimulatedClusterSigner(model));

    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'ERR_SIM_INJECTED_FAILURE', status: 429 });
  });

  it('awaits the API delay once per request it makes', async () => {
    // Prepare
    const slept: number[] = [];
    const { model } = createTestCluster(initial, {
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    model.faults.setApiDelay(500);
    const signer = createSimulatedClusterSigner(model);

    // Act
    await signer.rolloutProgress(next.publicKey.kid);
    const afterProgress = slept.length;
    await signer.push(next);

    // Assess: GET configmap, GET kubeapiserver, POST token; then GET and PUT the next secret
    expect(afterProgress).toBe(3);
    expect(slept).toEqual([500, 500, 500, 500, 500]);
  });
});
