import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import type { PrivateSigningKey } from '#shared/keys/index.ts';
import type { ClusterSigner } from '#shared/ports.ts';
import { createSimulatorSigner, readTestKeys, startTestSimulator } from './signer-fixtures.ts';

let current: PrivateSigningKey;
let next: PrivateSigningKey;
let simulator: OpenShiftSimulator;

beforeAll(() => {
  ({ current, next } = readTestKeys());
});

beforeEach(async () => {
  ({ simulator } = await startTestSimulator(current));
});

afterEach(async () => {
  await simulator.close();
});

describe('ClusterApiCallError for credentials, connections and TLS, against the OpenShift simulator', () => {
  it.each([
    { method: 'push', call: (signer: ClusterSigner) => signer.push(next) },
    { method: 'rolloutProgress', call: (signer: ClusterSigner) => signer.rolloutProgress('kid') },
    { method: 'requestToken', call: (signer: ClusterSigner) => signer.requestToken('sts.amazonaws.com') },
    { method: 'readKeys', call: (signer: ClusterSigner) => signer.readKeys() },
  ])(
    'reports an expired credential on $method as ERR_CLUSTER_UNAUTHORIZED with what to do',
    async ({ call }) => {
      // Prepare
      simulator.expireCredential(true);
      const { signer } = createSimulatorSigner(simulator);

      // Act
      const failed = call(signer);

      // Assess
      await expect(failed).rejects.toMatchObject({
        name: 'ClusterApiCallError',
        code: 'ERR_CLUSTER_UNAUTHORIZED',
        status: 401,
      });
      await expect(failed).rejects.toThrow(/failed with HTTP 401; .*log in again \(oc login\)/);
    },
  );

  it('reports an API server that cannot be reached as ERR_CLUSTER_UNAVAILABLE', async () => {
    // Prepare: a port nothing listens on any more
    const { simulator: gone } = await startTestSimulator(current);
    await gone.close();
    const { signer } = createSimulatorSigner(simulator, { kubeconfigChange: { server: gone.url } });

    // Act
    const failed = signer.push(next);

    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'ERR_CLUSTER_UNAVAILABLE', method: 'GET' });
    await expect(failed).rejects.toThrow('ECONNREFUSED');
  });

  it('gives up on an API server slower than requestTimeoutSeconds (ERR_CLUSTER_UNAVAILABLE)', async () => {
    // Prepare: the simulator's slow-API fault, well past the signer's deadline
    simulator.model.faults.setApiDelay(2_000);
    const { signer } = createSimulatorSigner(simulator, { requestTimeoutSeconds: 0.2 });

    // Act
    const failed = signer.readKeys();

    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'ERR_CLUSTER_UNAVAILABLE', method: 'GET' });
    await expect(failed).rejects.toThrow('TimeoutError');
    simulator.model.faults.clear();
  });

  it('refuses a server whose certificate the kubeconfig CA did not sign (ERR_CLUSTER_TLS)', async () => {
    // Prepare: a second simulator with its own CA, reached with the first one's kubeconfig
    const { simulator: other } = await startTestSimulator(current);
    const { signer } = createSimulatorSigner(simulator, { kubeconfigChange: { server: other.url } });

    // Act
    const error = await signer.push(next).catch((caught: unknown) => caught);
    await other.close();

    // Assess
    expect(error).toMatchObject({ code: 'ERR_CLUSTER_TLS' });
    expect((error as Error).message).toContain('certificate-authority-data');
    expect(other.requests).toEqual([]);
  });
});
