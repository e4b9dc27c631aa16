import { beforeAll, describe, expect, it } from 'vitest';
import {
  APISERVER_NAMESPACE,
  BOUND_SECRET_NAME,
  NEXT_SECRET_NAME,
  OPERATOR_NAMESPACE,
} from '#local/openshift-sim/objects.ts';
import { encodePublicKey, signingPairData, toBase64 } from '#local/openshift-sim/secret-data.ts';
import { encodePrivateKeyPem, type PrivateSigningKey } from '#shared/keys/index.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { createTestCluster, generateTestKeys, rolloutOf, secretKid } from './cluster-fixtures.ts';

let initial: PrivateSigningKey;
let next: PrivateSigningKey;
let other: PrivateSigningKey;

beforeAll(async () => {
  [initial, next, other] = await generateTestKeys();
});

describe('ClusterModel secret writes', () => {
  it('returns the stored secret with base64 data and a new resourceVersion', async () => {
    // Prepare
    const { model } = createTestCluster(initial);
    const before = model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME);

    // Act
    const stored = await model.replaceSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, {
      data: signingPairData(next, 'PUBLIC KEY'),
    });

    // Assess
    expect(stored).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: NEXT_SECRET_NAME, namespace: OPERATOR_NAMESPACE, uid: before?.metadata.uid },
      data: signingPairData(next, 'PUBLIC KEY'),
    });
    expect(Number(stored.metadata.resourceVersion)).toBeGreaterThan(Number(before?.metadata.resourceVersion));
    expect(Object.isFrozen(stored.data)).toBe(true);
  });

  it('accepts stringData and an SPKI public key under the RSA PUBLIC KEY label', async () => {
    // Prepare
    const { model } = createTestCluster(initial);

    // Act
    await model.patchSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, {
      stringData: {
        'service-account.key': encodePrivateKeyPem(next),
        'service-account.pub': encodePublicKey(next.publicKey, 'RSA PUBLIC KEY'),
      },
    });

    // Assess
    expect(secretKid(model, 'next')).toBe(next.publicKey.kid);
    expect(model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME)).not.toHaveProperty('stringData');
    expect(rolloutOf(model).latest).toBe(2);
  });

  it.each<{ name: string; data: Record<string, string> }>([
    { name: 'a private key that is garbage', data: { 'service-account.key': toBase64('garbage') } },
    {
      name: 'a public key that is garbage',
      data: { 'service-account.pub': toBase64('-----BEGIN PUBLIC KEY-----\n!!\n') },
    },
    { name: 'a value that is not base64', data: { 'service-account.key': 'not base64!' } },
    { name: 'an RSA 1024 key', data: { 'service-account.key': toBase64(readKeyFixture('rsa1024.private')) } },
    { name: 'an EC key', data: { 'service-account.key': toBase64(readKeyFixture('ec-p256.private')) } },
    {
      name: 'a public key where the private key belongs',
      data: { 'service-account.key': toBase64(readKeyFixture('rsa2048.public')) },
    },
  ])('rejects $name with ERR_SIM_INVALID and changes nothing', async ({ data }) => {
    // Prepare
    const { model } = createTestCluster(initial);
    const version = model.resourceVersion;

    // Act
    const act = model.replaceSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, { data });

    // Assess
    await expect(act).rejects.toMatchObject({ name: 'ClusterApiError', code: 'ERR_SIM_INVALID' });
    expect(model.resourceVersion).toBe(version);
  });

  it('rejects a pair whose halves do not belong together, naming both kids', async () => {
    // Prepare
    const { model } = createTestCluster(initial);
    const data = {
      ...signingPairData(next, 'PUBLIC KEY'),
      'service-account.pub': signingPairData(other, 'PUBLIC KEY')['service-account.pub'] ?? '',
    };

    // Act
    const act = model.replaceSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, { data });

    // Assess
    await expect(act).rejects.toMatchObject({
      code: 'ERR_SIM_INVALID',
      message: expect.stringContaining(other.publicKey.kid),
    });
  });

  it('never puts key material in a rejection message', async () => {
    // Prepare
    const { model } = createTestCluster(initial);
    const data = {
      'service-account.key': signingPairData(next, 'PUBLIC KEY')['service-account.key'] ?? '',
      'service-account.pub': toBase64('x'),
    };

    // Act
    const error = await model
      .replaceSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, { data })
      .catch((caught: unknown) => caught);

    // Assess
    expect(String((error as Error).message)).not.toMatch(/BEGIN|MII/);
  });

  it.each([
    { namespace: APISERVER_NAMESPACE, name: BOUND_SECRET_NAME },
    { namespace: APISERVER_NAMESPACE, name: NEXT_SECRET_NAME },
    { namespace: OPERATOR_NAMESPACE, name: 'something-else' },
  ])('forbids writing secret $namespace/$name', async ({ namespace, name }) => {
    // Prepare
    const { model } = createTestCluster(initial);

    // Act
    const writes = [
      model.replaceSecret(namespace, name, { data: {} }),
      model.patchSecret(namespace, name, { data: {} }),
      model.deleteSecret(namespace, name),
      model.createSecret(namespace, { metadata: { name }, data: {} }),
    ];

    // Assess
    for (const write of writes) {
      await expect(write).rejects.toMatchObject({ code: 'ERR_SIM_FORBIDDEN' });
    }
  });

  it('rejects a write at a stale resourceVersion with ERR_SIM_CONFLICT', async () => {
    // Prepare
    const { model } = createTestCluster(initial);
    const stale = model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME)?.metadata.resourceVersion;
    await model.replaceSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, {
      data: signingPairData(next, 'PUBLIC KEY'),
    });

    // Act
    const put = model.replaceSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, {
      metadata: { resourceVersion: stale },
      data: signingPairData(other, 'PUBLIC KEY'),
    });
    const patch = model.patchSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, {
      metadata: { resourceVersion: stale },
    });

    // Assess
    await expect(put).rejects.toMatchObject({ code: 'ERR_SIM_CONFLICT' });
    await expect(patch).rejects.toMatchObject({ code: 'ERR_SIM_CONFLICT' });
    expect(secretKid(model, 'next')).toBe(next.publicKey.kid);
  });

  it('rejects creating the next secret while it exists, and a PUT whose body names another object', async () => {
    // Prepare
    const { model } = createTestCluster(initial);

    // Act
    const create = model.createSecret(OPERATOR_NAMESPACE, { metadata: { name: NEXT_SECRET_NAME } });
    const rename = model.replaceSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, { metadata: { name: 'other' } });

    // Assess
    await expect(create).rejects.toMatchObject({ code: 'ERR_SIM_ALREADY_EXISTS' });
    await expect(rename).rejects.toMatchObject({ code: 'ERR_SIM_INVALID' });
  });

  it('keeps labels and annotations a client writes', async () => {
    // Prepare
    const { model } = createTestCluster(initial);

    // Act
    const stored = await model.patchSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, {
      metadata: { labels: { 'app.kubernetes.io/managed-by': 'keyturn' }, annotations: { rotation: 'r-1' } },
    });

    // Assess
    expect(stored.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'keyturn' });
    expect(stored.metadata.annotations).toEqual({ rotation: 'r-1' });
    expect(rolloutOf(model).latest).toBe(1);
  });
});
