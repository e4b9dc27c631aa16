import { beforeAll, describe, expect, it } from 'vitest';
import { createClusterModel } from '#local/openshift-sim/cluster-model.ts';
import {
  APISERVER_NAMESPACE,
  BOUND_SECRET_NAME,
  CERTS_CONFIGMAP_NAME,
  CONFIG_MANAGED_NAMESPACE,
  KUBE_APISERVER_NAME,
} from '#local/openshift-sim/objects.ts';
import { generateSigningKeyPair, type PrivateSigningKey, parsePublicKey } from '#shared/keys/index.ts';
import {
  createFakeClock,
  createTestCluster,
  ISSUER,
  kidsByNode,
  secretKid,
  trustedNames,
  verifyWith,
} from './cluster-fixtures.ts';

let initial: PrivateSigningKey;

beforeAll(async () => {
  initial = await generateSigningKeyPair(2048);
});

describe('createClusterModel (install)', () => {
  it('installs the initial key as bound, next and only trusted key, with revision 1 on every node', () => {
    // Act
    const { model } = createTestCluster(initial);

    // Assess
    expect(trustedNames(model)).toEqual(['service-account-001.pub']);
    expect(trustedNames(model, CONFIG_MANAGED_NAMESPACE)).toEqual(['service-account-001.pub']);
    const pem = model.get('ConfigMap', APISERVER_NAMESPACE, CERTS_CONFIGMAP_NAME)?.data[
      'service-account-001.pub'
    ];
    expect(parsePublicKey(pem ?? '').kid).toBe(initial.publicKey.kid);
    expect(secretKid(model, 'bound')).toBe(initial.publicKey.kid);
    expect(secretKid(model, 'next')).toBe(initial.publicKey.kid);
    expect(model.get('KubeAPIServer', undefined, KUBE_APISERVER_NAME)?.status).toEqual({
      latestAvailableRevision: 1,
      nodeStatuses: [
        { nodeName: 'master-0', currentRevision: 1 },
        { nodeName: 'master-1', currentRevision: 1 },
        { nodeName: 'master-2', currentRevision: 1 },
      ],
    });
  });

  it('stores secret data as base64 PEM: PKCS#1 private key and SPKI public key', () => {
    // Act
    const { model } = createTestCluster(initial);

    // Assess
    const data = model.get('Secret', APISERVER_NAMESPACE, BOUND_SECRET_NAME)?.data ?? {};
    const decode = (value = '') => Buffer.from(value, 'base64').toString('utf8');
    expect(decode(data['service-account.key'])).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(decode(data['service-account.pub'])).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it('runs one kube-apiserver pod per node, labelled with its revision', () => {
    // Act
    const { model } = createTestCluster(initial, { nodes: 5 });

    // Assess
    const pods = model.list('Pod', APISERVER_NAMESPACE, { apiserver: 'true' });
    expect(pods.map((pod) => [pod.metadata.name, pod.spec.nodeName, pod.metadata.labels?.revision])).toEqual(
      [0, 1, 2, 3, 4].map((index) => [`kube-apiserver-master-${index}`, `master-${index}`, '1']),
    );
  });

  it('signs tokens on every node with the initial key, with the claims of a projected token', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);

    // Act
    const issued = await model.issueToken({
      namespace: 'apps',
      serviceAccount: 'web',
      audiences: ['sts.amazonaws.com'],
    });
    const verified = await verifyWith([initial], issued.token, clock.now());

    // Assess
    expect(await kidsByNode(model)).toEqual({
      'master-0': initial.publicKey.kid,
      'master-1': initial.publicKey.kid,
      'master-2': initial.publicKey.kid,
    });
    expect(verified).toMatchObject({
      kid: initial.publicKey.kid,
      issuer: ISSUER,
      subject: 'system:serviceaccount:apps:web',
      audiences: ['sts.amazonaws.com'],
      claims: { 'kubernetes.io': { namespace: 'apps', serviceaccount: { name: 'web' } } },
    });
  });

  it.each([
    { name: 'no nodes', options: { nodes: 0 } },
    { name: 'a fraction of a node', options: { nodes: 1.5 } },
    { name: 'a negative rollout time', options: { nodeRolloutSeconds: -1 } },
    { name: 'an issuer that is no URL', options: { issuerUrl: 'cluster-a' } },
  ])('rejects $name', ({ options }) => {
    // Act
    const act = () =>
      createClusterModel({ issuerUrl: ISSUER, initialKey: initial, clock: createFakeClock(), ...options });

    // Assess
    expect(act).toThrow(RangeError);
  });
});

describe('createClusterModel (cluster identity and kube-apiserver config)', () => {
  it("records the cluster id ccoctl scopes its guard by, and the operator's config without a token maximum", () => {
    // Act
    const { model } = createTestCluster(initial, { clusterId: '5f4b7c1e-9d2a-4e6b-8c3f-0a1b2c3d4e5f' });

    // Assess
    expect(model.get('ClusterVersion', undefined, 'version')).toMatchObject({
      apiVersion: 'config.openshift.io/v1',
      kind: 'ClusterVersion',
      spec: { clusterID: '5f4b7c1e-9d2a-4e6b-8c3f-0a1b2c3d4e5f' },
    });
    const config = JSON.parse(
      model.get('ConfigMap', APISERVER_NAMESPACE, 'config')?.data['config.yaml'] ?? '',
    );
    expect(config).toMatchObject({
      kind: 'KubeAPIServerConfig',
      apiServerArguments: { 'service-account-issuer': [ISSUER] },
    });
    expect(config.apiServerArguments).not.toHaveProperty('service-account-max-token-expiration');
  });

  it('writes maxTokenExpirationSeconds as a Go duration, and refuses one under an hour (NO-ORPHAN-TOKENS)', () => {
    // Act
    const { model } = createTestCluster(initial, { maxTokenExpirationSeconds: 5400 });

    // Assess
    const config = JSON.parse(
      model.get('ConfigMap', APISERVER_NAMESPACE, 'config')?.data['config.yaml'] ?? '',
    );
    expect(config.apiServerArguments['service-account-max-token-expiration']).toEqual(['1h30m0s']);
    expect(() => createTestCluster(initial, { maxTokenExpirationSeconds: 600 })).toThrow(
      'maxTokenExpirationSeconds must be a whole number ≥ 3600',
    );
  });

  it('lets no client write the operator-owned kube-apiserver config', () => {
    const { model } = createTestCluster(initial);

    expect(() =>
      model.replaceObject('ConfigMap', APISERVER_NAMESPACE, 'config', {
        metadata: { name: 'config' },
        data: {},
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_SIM_FORBIDDEN' }));
  });
});
