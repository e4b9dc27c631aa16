import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OpenShiftSimulator, startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import type { InjectedFailureReason } from '#local/openshift-sim/index.ts';
import { createOpenShiftClusterSigner } from '#shared/adapters/openshift/index.ts';
import type { PrivateSigningKey } from '#shared/keys/index.ts';
import type { ClusterSigner, RolloutProgress } from '#shared/ports.ts';
import { createTokenVerifier } from '#shared/tokens/index.ts';
import { createFakeClock, type FakeClock, ISSUER } from '#test/local/openshift-sim/cluster-fixtures.ts';
import { readTestKeys } from './signer-fixtures.ts';

let current: PrivateSigningKey;
let next: PrivateSigningKey;
let clock: FakeClock;
let simulator: OpenShiftSimulator;
let signer: ClusterSigner;

beforeAll(() => {
  ({ current, next } = readTestKeys());
});

beforeEach(async () => {
  clock = createFakeClock();
  simulator = await startOpenShiftSimulator({
    issuerUrl: ISSUER,
    initialKey: current,
    nodes: 3,
    nodeRolloutSeconds: 2,
    clock,
  });
  signer = createOpenShiftClusterSigner({ kubeconfig: { yaml: simulator.kubeconfig() } });
});

afterEach(async () => {
  await simulator.close();
});

/** Reads progress every 2 simulated seconds (one node's rollout) until the cluster signs with `kid`. */
async function watchUntilSigning(kid: string, maxSteps = 10): Promise<RolloutProgress[]> {
  const seen: RolloutProgress[] = [];
  for (let step = 0; step < maxSteps; step++) {
    const progress = await signer.rolloutProgress(kid);
    seen.push(progress);
    if (progress.nodesUpdated === progress.nodesTotal && progress.signingKid === kid) {
      return seen;
    }
    clock.advance(2);
  }
  return seen;
}

/** Verifies a token as STS would, trusting only `keys`. */
function verifyWith(keys: readonly PrivateSigningKey[], token: string) {
  return createTokenVerifier({
    keySet: { keys: keys.map((key) => key.publicKey) },
    issuer: ISSUER,
    audience: 'sts.amazonaws.com',
  }).verify(token, clock.now());
}

describe('createOpenShiftClusterSigner against the OpenShift simulator', () => {
  it('pushes a pair, watches it roll out node by node, and gets tokens signed by it', async () => {
    // Act
    await signer.push(next);
    const seen = await watchUntilSigning(next.publicKey.kid);
    const token = await signer.requestToken('sts.amazonaws.com');
    const keys = await signer.readKeys();

    // Assess: trusted from the first read; one rollout to trust, a second after promotion to sign
    expect(seen.every((progress) => progress.trusted && progress.nodesTotal === 3)).toBe(true);
    expect(seen.map((progress) => progress.nodesUpdated)).toEqual([0, 1, 2, 0, 1, 2, 3]);
    expect(seen.at(-1)?.signingKid).toBe(next.publicKey.kid);
    await expect(verifyWith([next], token)).resolves.toMatchObject({ kid: next.publicKey.kid });
    await expect(verifyWith([current], token)).rejects.toMatchObject({ code: 'ERR_TOKEN_KID_UNKNOWN' });
    expect(keys.trustedKids).toEqual([current.publicKey.kid, next.publicKey.kid]);
    expect(keys.signingKid).toBe(next.publicKey.kid);
  });

  it('pushes idempotently: the same pair again cuts no revision', async () => {
    // Prepare
    await signer.push(next);
    clock.advance(60);
    const settled = await signer.rolloutProgress(next.publicKey.kid);

    // Act
    await signer.push(next);
    clock.advance(60);

    // Assess
    expect(await signer.rolloutProgress(next.publicKey.kid)).toEqual(settled);
    expect(simulator.model.describeNodes().map((node) => node.currentRevision)).toEqual([3, 3, 3]);
  });

  const FAILURES: { reason: InjectedFailureReason; code: string; status: number }[] = [
    { reason: 'InternalError', code: 'ERR_CLUSTER_UNAVAILABLE', status: 500 },
    { reason: 'Conflict', code: 'ERR_CLUSTER_CONFLICT', status: 409 },
  ];
  const OPERATIONS = [
    { name: 'push', call: (cluster: ClusterSigner, pair: PrivateSigningKey) => cluster.push(pair) },
    {
      name: 'rolloutProgress',
      call: (cluster: ClusterSigner, pair: PrivateSigningKey) => cluster.rolloutProgress(pair.publicKey.kid),
    },
    { name: 'requestToken', call: (cluster: ClusterSigner) => cluster.requestToken('sts.amazonaws.com') },
    { name: 'readKeys', call: (cluster: ClusterSigner) => cluster.readKeys() },
  ];

  for (const { reason, code, status } of FAILURES) {
    it.each(OPERATIONS)(
      `reports an injected ${reason} on $name as ${code}, and a retry finishes the rotation`,
      async ({ call }) => {
        // Prepare
        simulator.model.faults.failNextCalls(1, reason);

        // Act
        const error = await call(signer, next).catch((caught: unknown) => caught);
        await signer.push(next);
        const seen = await watchUntilSigning(next.publicKey.kid);

        // Assess
        expect(error).toMatchObject({ name: 'ClusterApiCallError', code, status, reason });
        expect((error as Error).message).toMatch(
          new RegExp(`failed with HTTP ${status} ${reason}: injected API failure`),
        );
        expect(seen.at(-1)).toEqual({
          trusted: true,
          nodesUpdated: 3,
          nodesTotal: 3,
          signingKid: next.publicKey.kid,
        });
      },
    );
  }

  it('leaves the cluster unchanged when the push fails, so the retry is the only write', async () => {
    // Prepare
    simulator.model.faults.failNextCalls(1, 'InternalError');

    // Act
    await signer.push(next).catch(() => undefined);
    clock.advance(60);
    const untouched = await signer.rolloutProgress(next.publicKey.kid);

    // Assess
    expect(untouched).toEqual({
      trusted: false,
      nodesUpdated: 3,
      nodesTotal: 3,
      signingKid: current.publicKey.kid,
    });
  });

  it('reports a stuck node in the numbers, and finishes once the node is freed', async () => {
    // Prepare
    await signer.push(next);
    clock.advance(2);
    simulator.model.stickNode('master-1');

    // Act
    clock.advance(600);
    const stuck = await signer.rolloutProgress(next.publicKey.kid);
    simulator.model.unstickNode('master-1');
    const seen = await watchUntilSigning(next.publicKey.kid);

    // Assess: one node rolled, the stuck one blocks the rest, and nothing signs with the new key yet
    expect(stuck).toEqual({
      trusted: true,
      nodesUpdated: 1,
      nodesTotal: 3,
      signingKid: current.publicKey.kid,
    });
    expect(seen.at(-1)).toEqual({
      trusted: true,
      nodesUpdated: 3,
      nodesTotal: 3,
      signingKid: next.publicKey.kid,
    });
  });

  it('reports an expired credential as ERR_CLUSTER_UNAUTHORIZED, and a retry with a valid one finishes', async () => {
    // Prepare
    simulator.expireCredential(true);

    // Act
    const refused = signer.push(next);
    await expect(refused).rejects.toMatchObject({ code: 'ERR_CLUSTER_UNAUTHORIZED', status: 401 });
    simulator.expireCredential(false);
    await signer.push(next);
    const seen = await watchUntilSigning(next.publicKey.kid);

    // Assess
    await expect(refused).rejects.toThrow(/GET secrets .* failed with HTTP 401.*log in again/);
    expect(seen.at(-1)?.signingKid).toBe(next.publicKey.kid);
  });

  it('recreates a deleted next secret with the pushed pair', async () => {
    // Prepare: the operator's own key generation hangs, so the secret stays deleted
    await simulator.close();
    simulator = await startOpenShiftSimulator({
      issuerUrl: ISSUER,
      initialKey: current,
      clock,
      generateKey: () => new Promise(() => {}),
    });
    signer = createOpenShiftClusterSigner({ kubeconfig: { yaml: simulator.kubeconfig() } });
    void simulator.model.deleteSecret(
      'openshift-kube-apiserver-operator',
      'next-bound-service-account-signing-key',
    );

    // Act
    await signer.push(next);
    const seen = await watchUntilSigning(next.publicKey.kid);

    // Assess
    expect(seen.at(-1)?.signingKid).toBe(next.publicKey.kid);
  });
});
