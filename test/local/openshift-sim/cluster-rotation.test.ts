import { beforeAll, describe, expect, it } from 'vitest';
import {
  APISERVER_NAMESPACE,
  BOUND_SECRET_NAME,
  CERTS_CONFIGMAP_NAME,
  CONFIG_MANAGED_NAMESPACE,
  KUBE_APISERVER_NAME,
  NEXT_SECRET_NAME,
  OPERATOR_NAMESPACE,
} from '#local/openshift-sim/objects.ts';
import type { PrivateSigningKey } from '#shared/keys/index.ts';
import {
  createTestCluster,
  generateTestKeys,
  kidsByNode,
  rolloutOf,
  secretKid,
  trustedNames,
  verifyWith,
  writeNextKey,
} from './cluster-fixtures.ts';

let initial: PrivateSigningKey;
let next: PrivateSigningKey;
let third: PrivateSigningKey;

beforeAll(async () => {
  [initial, next, third] = await generateTestKeys();
});

describe('createClusterModel (rotation)', () => {
  it('trusts a pushed key, rolls it out node by node, promotes it, and rolls the promotion out', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);
    const steps: Array<{ at: number; latest: number; nodes: string[]; bound: string | undefined }> = [];
    const record = (at: number) => steps.push({ at, ...rolloutOf(model), bound: secretKid(model, 'bound') });
    const [a, b] = [initial.publicKey.kid, next.publicKey.kid];

    // Act
    await writeNextKey(model, next);
    record(0);
    for (const at of [1, 2, 3, 4, 6, 8, 10, 12]) {
      clock.advance(at - (steps.at(-1)?.at ?? 0));
      record(at);
    }

    // Assess
    expect(trustedNames(model)).toEqual(['service-account-001.pub', 'service-account-002.pub']);
    expect(trustedNames(model, CONFIG_MANAGED_NAMESPACE)).toEqual(trustedNames(model));
    expect(steps).toEqual([
      { at: 0, latest: 2, nodes: ['1→2', '1', '1'], bound: a },
      { at: 1, latest: 2, nodes: ['1→2', '1', '1'], bound: a },
      { at: 2, latest: 2, nodes: ['2', '1→2', '1'], bound: a },
      { at: 3, latest: 2, nodes: ['2', '1→2', '1'], bound: a },
      { at: 4, latest: 2, nodes: ['2', '2', '1→2'], bound: a },
      { at: 6, latest: 3, nodes: ['2→3', '2', '2'], bound: b },
      { at: 8, latest: 3, nodes: ['3', '2→3', '2'], bound: b },
      { at: 10, latest: 3, nodes: ['3', '3', '2→3'], bound: b },
      { at: 12, latest: 3, nodes: ['3', '3', '3'], bound: b },
    ]);
    expect(Object.values(await kidsByNode(model))).toEqual([b, b, b]);
  });

  it('catches up on a long pause at once, deterministically', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);
    await writeNextKey(model, next);

    // Act
    clock.advance(3600);

    // Assess
    expect(rolloutOf(model)).toEqual({ latest: 3, nodes: ['3', '3', '3'] });
    expect(secretKid(model, 'bound')).toBe(next.publicKey.kid);
  });

  it('signs with each node’s own revision mid-rollout; every token verifies against old and new keys', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);
    await writeNextKey(model, next);
    clock.advance(8);

    // Act
    const tokens = await Promise.all(
      [0, 1, 2].map(() => model.issueToken({ namespace: 'apps', serviceAccount: 'web' })),
    );
    const verified = await Promise.all(
      tokens.map(({ token }) => verifyWith([initial, next], token, clock.now())),
    );

    // Assess
    expect(tokens.map(({ nodeName, kid }) => [nodeName, kid])).toEqual([
      ['master-0', next.publicKey.kid],
      ['master-1', initial.publicKey.kid],
      ['master-2', initial.publicKey.kid],
    ]);
    expect(verified.map((token) => token.kid)).toEqual(tokens.map((token) => token.kid));
    expect(model.describeNodes().map((node) => node.trustedKids)).toEqual([
      [initial.publicKey.kid, next.publicKey.kid],
      [initial.publicKey.kid, next.publicKey.kid],
      [initial.publicKey.kid, next.publicKey.kid],
    ]);
  });

  it('creates no revision and changes no object when the same pair is written again', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);
    const first = await writeNextKey(model, next);
    clock.advance(1);
    const before = model.resourceVersion;

    // Act
    const again = await writeNextKey(model, next);

    // Assess
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(model.resourceVersion).toBe(before);
    clock.advance(60);
    expect(rolloutOf(model).latest).toBe(3);
  });

  it('never removes or reuses a trusted-key name, and promotes an old trusted key without re-adding it', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);
    await writeNextKey(model, next);
    clock.advance(60);
    await writeNextKey(model, third);
    clock.advance(60);

    // Act: roll back to the installer's key, which every revision still trusts
    await writeNextKey(model, initial);
    const promotedAt = rolloutOf(model).latest;
    clock.advance(60);

    // Assess
    expect(trustedNames(model)).toEqual([
      'service-account-001.pub',
      'service-account-002.pub',
      'service-account-003.pub',
    ]);
    expect(promotedAt).toBe(6);
    expect(secretKid(model, 'bound')).toBe(initial.publicKey.kid);
    expect(Object.values(await kidsByNode(model))).toEqual(Array(3).fill(initial.publicKey.kid));
  });

  it('changes resourceVersion on every write and only then', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);
    const versionOf = () => ({
      certs: model.get('ConfigMap', APISERVER_NAMESPACE, CERTS_CONFIGMAP_NAME)?.metadata.resourceVersion,
      operator: model.get('KubeAPIServer', undefined, KUBE_APISERVER_NAME)?.metadata.resourceVersion,
      next: model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME)?.metadata.resourceVersion,
    });
    const installed = versionOf();
    clock.advance(30);
    const idle = versionOf();

    // Act
    await writeNextKey(model, next);
    const pushed = versionOf();
    clock.advance(2);
    const rolled = versionOf();

    // Assess
    expect(idle).toEqual(installed);
    expect(Number(pushed.certs)).toBeGreaterThan(Number(installed.certs));
    expect(Number(pushed.next)).toBeGreaterThan(Number(installed.next));
    expect(Number(pushed.operator)).toBeGreaterThan(Number(installed.operator));
    expect(rolled.certs).toBe(pushed.certs);
    expect(Number(rolled.operator)).toBeGreaterThan(Number(pushed.operator));
    expect(Number(model.resourceVersion)).toBeGreaterThanOrEqual(Number(rolled.operator));
  });

  it('keeps revisioned copies of the trusted keys and bound secret for each revision', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);

    // Act
    await writeNextKey(model, next);
    clock.advance(60);

    // Assess
    const names = model.list('ConfigMap', APISERVER_NAMESPACE).map((item) => item.metadata.name);
    expect(names).toEqual(
      expect.arrayContaining(['bound-sa-token-signing-certs-1', 'bound-sa-token-signing-certs-3']),
    );
    const revision2 = model.get('Secret', APISERVER_NAMESPACE, 'bound-service-account-signing-key-2');
    const revision3 = model.get('Secret', APISERVER_NAMESPACE, 'bound-service-account-signing-key-3');
    expect(revision2?.data).toEqual(
      model.get('Secret', APISERVER_NAMESPACE, 'bound-service-account-signing-key-1')?.data,
    );
    expect(revision3?.data).toEqual(model.get('Secret', APISERVER_NAMESPACE, BOUND_SECRET_NAME)?.data);
  });
});
