import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenShiftSimulator, startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { createOpenShiftClusterSigner } from '#shared/adapters/openshift/index.ts';
import { encodePublicKeyPem } from '#shared/keys/index.ts';
import { makeTempDirectory, runKeyturn } from '#test/cli/run-keyturn.ts';
import { readTestKeys } from './signer-fixtures.ts';

const ISSUER = 'https://oidc.example.com/cluster-a';
let simulator: OpenShiftSimulator;
let directory: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  directory = await makeTempDirectory();
  const { current } = readTestKeys();
  // Real time and instant rollouts: the CLI checks exp against the real clock.
  simulator = await startOpenShiftSimulator({
    issuerUrl: ISSUER,
    initialKey: current,
    nodes: 3,
    nodeRolloutSeconds: 0,
  });
});

afterAll(async () => {
  await simulator.close();
  await directory.remove();
});

describe('a token from the simulated cluster, checked with keyturn verify-token', () => {
  it('verifies against the new public key once the rollout is done, and fails against the old one', async () => {
    // Prepare: push the new pair through the adapter and wait for the cluster to sign with it.
    const { current, next } = readTestKeys();
    const signer = createOpenShiftClusterSigner({ kubeconfig: { yaml: simulator.kubeconfig() } });
    await signer.push(next);
    let progress = await signer.rolloutProgress(next.publicKey.kid);
    for (let poll = 0; poll < 50 && progress.signingKid !== next.publicKey.kid; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      progress = await signer.rolloutProgress(next.publicKey.kid);
    }
    await writeFile(join(directory.path, 'token.jwt'), await signer.requestToken('sts.amazonaws.com'));
    await writeFile(join(directory.path, 'new.public'), encodePublicKeyPem(next.publicKey));
    await writeFile(join(directory.path, 'old.public'), encodePublicKeyPem(current.publicKey));
    const verify = (key: string) =>
      runKeyturn(
        [
          'verify-token',
          'token.jwt',
          '--public-key',
          key,
          '--expect-issuer',
          ISSUER,
          '--audience',
          'sts.amazonaws.com',
        ],
        { cwd: directory.path },
      );

    // Act
    const withNew = await verify('new.public');
    const withOld = await verify('old.public');

    // Assess
    expect(progress.signingKid).toBe(next.publicKey.kid);
    expect(withNew.code).toBe(0);
    expect(withNew.out).toContain('The token is valid');
    expect(withNew.out).toContain(next.publicKey.kid);
    expect(withOld.code).toBe(1);
    expect(withOld.err).toContain('not among the trusted keys');
  });
});
