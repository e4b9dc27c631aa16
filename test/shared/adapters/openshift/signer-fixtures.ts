import {
  type OpenShiftSimulator,
  type OpenShiftSimulatorOptions,
  startOpenShiftSimulator,
} from '#local/openshift-sim/http/index.ts';
import {
  createOpenShiftClusterSigner,
  type OpenShiftClusterSignerOptions,
} from '#shared/adapters/openshift/index.ts';
import {
  encodePrivateKeyPem,
  encodePublicKeyPem,
  type PrivateSigningKey,
  parsePrivateKey,
} from '#shared/keys/index.ts';
import type { ClusterSigner } from '#shared/ports.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { createFakeClock, type FakeClock, ISSUER } from '#test/local/openshift-sim/cluster-fixtures.ts';
import type { FakeApiServer, FakeKubeconfigOptions } from './fake-api-server.ts';

/** Paths of the objects the adapter touches. */
export const PATHS = {
  nextSecret:
    '/api/v1/namespaces/openshift-kube-apiserver-operator/secrets/next-bound-service-account-signing-key',
  secrets: '/api/v1/namespaces/openshift-kube-apiserver-operator/secrets',
  certs: '/api/v1/namespaces/openshift-kube-apiserver/configmaps/bound-sa-token-signing-certs',
  kubeApiServer: '/apis/operator.openshift.io/v1/kubeapiservers/cluster',
  probeToken: '/api/v1/namespaces/keyturn/serviceaccounts/keyturn-probe/token',
} as const;

/** Where the next signing key secret lives. */
export const NEXT_SECRET = {
  namespace: 'openshift-kube-apiserver-operator',
  name: 'next-bound-service-account-signing-key',
} as const;

/** Two committed RSA 2048 test keys: the cluster's current one and the one keyturn pushes. */
export function readTestKeys(): { current: PrivateSigningKey; next: PrivateSigningKey } {
  return {
    current: parsePrivateKey(readKeyFixture('rsa2048.private')),
    next: parsePrivateKey(readKeyFixture('other2048.private')),
  };
}

/** The next secret's data as keyturn writes it for `pair`. */
export function pairData(pair: PrivateSigningKey): Record<string, string> {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return {
    'service-account.key': base64(encodePrivateKeyPem(pair)),
    'service-account.pub': base64(encodePublicKeyPem(pair.publicKey)),
  };
}

/**
 * Starts the HTTPS OpenShift simulator on 127.0.0.1 (a free port) with 3 nodes of 2 simulated seconds,
 * installed with `current`, on a clock the test moves. The caller closes it.
 */
export async function startTestSimulator(
  current: PrivateSigningKey,
  options: Partial<OpenShiftSimulatorOptions> = {},
): Promise<{ simulator: OpenShiftSimulator; clock: FakeClock }> {
  const clock = createFakeClock();
  const simulator = await startOpenShiftSimulator({
    issuerUrl: ISSUER,
    initialKey: current,
    nodes: 3,
    nodeRolloutSeconds: 2,
    clock,
    ...options,
  });
  return { simulator, clock };
}

/** What to change in the simulator's kubeconfig. */
export interface KubeconfigChange {
  /** Drop the CA and write `insecure-skip-tls-verify: true`. */
  readonly insecure?: boolean;
  /** Another server URL (a closed port, another simulator, plain http). */
  readonly server?: string;
  /** Another bearer token. */
  readonly token?: string;
}

/** The simulator's kubeconfig, changed as asked. */
export function kubeconfigOf(simulator: OpenShiftSimulator, change: KubeconfigChange = {}): string {
  let yaml = simulator.kubeconfig();
  if (change.insecure === true) {
    yaml = yaml.replace(/^ {4}certificate-authority-data: .*$/m, '    insecure-skip-tls-verify: true');
  }
  if (change.server !== undefined) {
    yaml = yaml.replace(/^ {4}server: .*$/m, `    server: ${JSON.stringify(change.server)}`);
  }
  if (change.token !== undefined) {
    yaml = yaml.replace(/^ {4}token: .*$/m, `    token: ${JSON.stringify(change.token)}`);
  }
  return yaml;
}

/** A signer over the simulator's (changed) kubeconfig; warnings are collected instead of printed. */
export function createSimulatorSigner(
  simulator: OpenShiftSimulator,
  options: Partial<OpenShiftClusterSignerOptions> & { kubeconfigChange?: KubeconfigChange } = {},
): { signer: ClusterSigner; warnings: string[] } {
  const warnings: string[] = [];
  const { kubeconfigChange, ...rest } = options;
  const signer = createOpenShiftClusterSigner({
    kubeconfig: { yaml: kubeconfigOf(simulator, kubeconfigChange) },
    onWarning: (message) => warnings.push(message),
    ...rest,
  });
  return { signer, warnings };
}

/** A signer over the scripted fake server's kubeconfig; warnings are collected instead of printed. */
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
