import {
  createOpenShiftClusterSigner,
  type OpenShiftClusterSignerOptions,
} from '#shared/adapters/openshift/index.ts';
import { type PrivateSigningKey, parsePrivateKey } from '#shared/keys/index.ts';
import type { ClusterSigner } from '#shared/ports.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import type { FakeApiServer, FakeKubeconfigOptions } from './fake-api-server.ts';

/** Two committed RSA 2048 test keys: the cluster's current one and the one keyturn pushes. */
export function readTestKeys(): { current: PrivateSigningKey; next: PrivateSigningKey } {
  return {
    current: parsePrivateKey(readKeyFixture('rsa2048.private')),
    next: parsePrivateKey(readKeyFixture('other2048.private')),
  };
}

/** A signer over the fake server's kubeconfig; warnings are collected instead of printed. */
export function createTestSigner(
  server: FakeApiServer,
  options: Partial<OpenShiftClusterSignerOptions> & { kubeconfigOptions?: FakeKubeconfigOptions } = {},
): { signer: ClusterSigner; warnings: string[] } {
  const warnings: string[] = [];
  const { kubeconfigOptions, ...rest } = options;
  const signer = createOpenShiftClusterSigner({
    kubeconfig: { yaml: server.kubeconfig(kubeconfigOptions) },
    onWarning: (message) => warnings.push(message),
    ...rest,
  });
  return { signer, warnings };
}

/** The pieces of text a leaked private key would show up as: its PEM body lines and their base64. */
export function privateKeyFragments(pair: PrivateSigningKey): string[] {
  const pem = pair.key.export({ type: 'pkcs1', format: 'pem' }).toString();
  const lines = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
  const base64 = Buffer.from(pem, 'utf8').toString('base64');
  return [...lines.slice(0, 3), base64.slice(0, 64), base64.slice(200, 264)];
}
