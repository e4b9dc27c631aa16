import { beforeAll, describe, expect, it } from 'vitest';
import {
  APISERVER_NAMESPACE,
  BOUND_SECRET_NAME,
  CERTS_CONFIGMAP_NAME,
  NEXT_SECRET_NAME,
  OPERATOR_NAMESPACE,
} from '#local/openshift-sim/objects.ts';
import { readDataText, signingPairData } from '#local/openshift-sim/secret-data.ts';
import type { SecretBody } from '#local/openshift-sim/secret-writes.ts';
import { type PrivateSigningKey, parsePrivateKey } from '#shared/keys/index.ts';
import {
  createTestCluster,
  generateTestKeys,
  kidsByNode,
  rolloutOf,
  secretKid,
  trustedNames,
  writeNextKey,
} from './cluster-fixtures.ts';

let initial: PrivateSigningKey;
let next: PrivateSigningKey;
let operatorKey: PrivateSigningKey;

beforeAll(async () => {
  [initial, next, operatorKey] = await generateTestKeys();
});

describe('createClusterModel (stuck node)', () => {
  it('never promotes while a node is stuck: the bound secret does not change', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);
    model.stickNode('master-1');
    const bound = model.get('Secret', APISERVER_NAMESPACE, BOUND_SECRET_NAME);

    // Act
    await writeNextKey(model, next);
    clock.advance(24 * 3600);

    // Assess
    expect(rolloutOf(model)).toEqual({ latest: 2, nodes: ['2', '1→2', '1'] });
    expect(model.get('Secret', APISERVER_NAMESPACE, BOUND_SECRET_NAME)).toBe(bound);
    expect(model.describeNodes()[1]).toMatchObject({ name: 'master-1', stuck: true });
  });

  it('resumes the rollout once the node is freed, restarting its installer', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);
    model.stickNode('master-1');
    await writeNextKey(model, next);
    clock.advance(600);

    // Act
    model.unstickNode('master-1');
    clock.advance(1);
    const justFreed = rolloutOf(model);
    clock.advance(1);
    const afterOneRollout = rolloutOf(model);
    clock.advance(60);

    // Assess
    expect(justFreed.nodes).toEqual(['2', '1→2', '1']);
    expect(afterOneRollout.nodes).toEqual(['2', '2', '1→2']);
    expect(rolloutOf(model)).toEqual({ latest: 3, nodes: ['3', '3', '3'] });
    expect(secretKid(model, 'bound')).toBe(next.publicKey.kid);
  });

  it('rejects an unknown node name, listing the nodes', () => {
    // Prepare
    const { model } = createTestCluster(initial);

    // Act
    const act = () => model.stickNode('worker-0');

    // Assess
    expect(act).toThrow(/master-0, master-1, master-2/);
  });
});

describe('createClusterModel (uncontrolled rotation)', () => {
  it('generates its own 2048-bit key when the next secret is deleted, trusts it, and signs with it', async () => {
    // Prepare: the real generator, to prove the operator's key size
    const { model, clock } = createTestCluster(initial, { generateKey: undefined });

    // Act
    const deleted = await model.deleteSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
    const trustedAtOnce = trustedNames(model);
    clock.advance(12);

    // Assess
    expect(deleted.metadata.name).toBe(NEXT_SECRET_NAME);
    const recreated = model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
    const generated = parsePrivateKey(readDataText(recreated?.data ?? {}, 'service-account.key') ?? '');
    expect(generated.publicKey.bits).toBe(2048);
    expect(generated.publicKey.kid).not.toBe(initial.publicKey.kid);
    expect(trustedAtOnce).toEqual(['service-account-001.pub', 'service-account-002.pub']);
    expect(secretKid(model, 'bound')).toBe(generated.publicKey.kid);
    expect(Object.values(await kidsByNode(model))).toEqual(Array(3).fill(generated.publicKey.kid));
  });

  it.each<{ name: string; empty?: SecretBody; patch?: Record<string, unknown> }>([
    { name: 'emptied with a PUT', empty: { data: {} } },
    { name: 'emptied key with a merge patch', patch: { data: { 'service-account.key': null } } },
    { name: 'emptied values', empty: { data: { 'service-account.key': '', 'service-account.pub': '' } } },
  ])('generates its own key when the next secret is $name', async ({ empty, patch }) => {
    // Prepare
    const { model, clock } = createTestCluster(initial, { operatorKeys: [operatorKey] });

    // Act
    if (patch === undefined) {
      await model.replaceSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, empty ?? {});
    } else {
      await model.patchSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, patch);
    }
    clock.advance(12);

    // Assess
    expect(secretKid(model, 'next')).toBe(operatorKey.publicKey.kid);
    expect(secretKid(model, 'bound')).toBe(operatorKey.publicKey.kid);
  });

  it('writes the public key as OpenShift does: SPKI bytes under an RSA PUBLIC KEY label', async () => {
    // Prepare
    const { model } = createTestCluster(initial, { operatorKeys: [operatorKey] });

    // Act
    await model.deleteSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME);

    // Assess
    const next = model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
    const certs = model.get('ConfigMap', APISERVER_NAMESPACE, CERTS_CONFIGMAP_NAME);
    expect(readDataText(next?.data ?? {}, 'service-account.pub')).toMatch(
      /^-----BEGIN RSA PUBLIC KEY-----\n/,
    );
    expect(certs?.data['service-account-002.pub']).toMatch(/^-----BEGIN RSA PUBLIC KEY-----\n/);
  });

  it('lets a write that lands while the operator generates win over the generated key', async () => {
    // Prepare
    let release: (key: PrivateSigningKey) => void = () => {};
    const generating = new Promise<PrivateSigningKey>((resolve) => {
      release = resolve;
    });
    const { model, clock } = createTestCluster(initial, { generateKey: () => generating });

    // Act
    const deleting = model.deleteSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
    await model.createSecret(OPERATOR_NAMESPACE, {
      metadata: { name: NEXT_SECRET_NAME },
      data: signingPairData(next, 'PUBLIC KEY'),
    });
    release(operatorKey);
    await deleting;
    clock.advance(60);

    // Assess
    expect(secretKid(model, 'next')).toBe(next.publicKey.kid);
    expect(secretKid(model, 'bound')).toBe(next.publicKey.kid);
    expect(trustedNames(model)).toHaveLength(2);
  });
});
