import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenShiftSimulator, startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { NEXT_SECRET_NAME, OPERATOR_NAMESPACE } from '#local/openshift-sim/index.ts';
import { signingPairData } from '#local/openshift-sim/secret-data.ts';
import { encodePublicKeyPem, type PrivateSigningKey } from '#shared/keys/index.ts';
import { createTokenVerifier } from '#shared/tokens/index.ts';
import { createFakeClock, type FakeClock, generateTestKeys, ISSUER } from '../cluster-fixtures.ts';

/** kubectl on PATH (the machine's is a dispatcher that picks a bundled 1.27–1.33 by the server's /version). */
const hasKubectl = (process.env.PATH ?? '').split(delimiter).some((directory) => {
  try {
    accessSync(join(directory, 'kubectl'), constants.X_OK);
    return true;
  } catch {
    return false;
  }
});
if (!hasKubectl) {
  console.warn('kubectl is not on PATH: skipping the kubectl acceptance tests of the OpenShift simulator');
}

/** Seconds one kubectl call may take before the test fails. */
const KUBECTL_TIMEOUT_MS = 60_000;

interface KubectlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe.skipIf(!hasKubectl)('kubectl against the OpenShift simulator', () => {
  let directory: string;
  let sim: OpenShiftSimulator;
  let clock: FakeClock;
  let initialKey: PrivateSigningKey;
  let newKey: PrivateSigningKey;
  let operatorKey: PrivateSigningKey;

  /** Runs kubectl without a shell, with the simulator's kubeconfig and a throwaway HOME (no ~/.kube cache). */
  const kubectl = (...args: string[]): Promise<KubectlRun> =>
    new Promise((resolve) => {
      execFile(
        'kubectl',
        args,
        {
          timeout: KUBECTL_TIMEOUT_MS,
          env: { ...process.env, HOME: directory, KUBECONFIG: join(directory, 'kubeconfig') },
        },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });

  beforeAll(async () => {
    [initialKey, newKey, operatorKey] = await generateTestKeys();
    directory = await mkdtemp(join(tmpdir(), 'keyturn-kubectl-'));
    clock = createFakeClock();
    sim = await startOpenShiftSimulator({
      issuerUrl: ISSUER,
      initialKey,
      clock,
      generateKey: async () => operatorKey,
    });
    await writeFile(join(directory, 'kubeconfig'), sim.kubeconfig(), { mode: 0o600 });
  });
  afterAll(async () => {
    await sim?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('patches the next secret with a JSON Patch (kubectl GETs, then PATCHes application/json-patch+json)', async () => {
    // Prepare
    const data = signingPairData(newKey, 'PUBLIC KEY');
    const patch =
      `[{"op":"replace","path":"/data/service-account.key","value":"${data['service-account.key']}"},` +
      `{"op":"replace","path":"/data/service-account.pub","value":"${data['service-account.pub']}"}]`;

    // Act
    const run = await kubectl(
      'patch',
      'secret',
      'next-bound-service-account-signing-key',
      '-n',
      'openshift-kube-apiserver-operator',
      '--type=json',
      '-p',
      patch,
    );

    // Assess
    expect(run).toMatchObject({ code: 0, stdout: 'secret/next-bound-service-account-signing-key patched\n' });
    expect(sim.model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME)?.data).toEqual(data);
  });

  it('gets the trusted-keys configmap as YAML, listing service-account-002.pub once the rollout moved', async () => {
    // Prepare: past the trust rollout (3 nodes × 2 s), so the operator promotes the key.
    clock.advance(7);

    // Act
    const run = await kubectl(
      'get',
      'configmap',
      'bound-sa-token-signing-certs',
      '-n',
      'openshift-kube-apiserver',
      '-o',
      'yaml',
    );

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^apiVersion: v1\n/);
    expect(run.stdout).toContain('kind: ConfigMap');
    expect(run.stdout).toContain('service-account-001.pub: |');
    expect(run.stdout).toContain('service-account-002.pub: |');
    const newPemBody = encodePublicKeyPem(newKey.publicKey).split('\n')[1] ?? '';
    expect(run.stdout).toContain(newPemBody);
  });

  it('gets the next secret as YAML with the pushed pair', async () => {
    // Act
    const run = await kubectl(
      'get',
      'secret',
      'next-bound-service-account-signing-key',
      '-n',
      'openshift-kube-apiserver-operator',
      '-o',
      'yaml',
    );

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('kind: Secret');
    expect(run.stdout).toContain(
      `service-account.pub: ${signingPairData(newKey, 'PUBLIC KEY')['service-account.pub']}`,
    );
  });

  it('deletes the next secret (then GETs it: the operator has replaced it under a new uid)', async () => {
    // Prepare: past the promotion rollout as well, so every node signs with the new key.
    clock.advance(6);
    const before = sim.model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME)?.metadata.uid;

    // Act
    const run = await kubectl(
      'delete',
      'secret',
      'next-bound-service-account-signing-key',
      '-n',
      'openshift-kube-apiserver-operator',
    );

    // Assess
    expect(run).toMatchObject({
      code: 0,
      stdout: 'secret "next-bound-service-account-signing-key" deleted\n',
    });
    const after = sim.model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
    expect(after?.metadata.uid).not.toBe(before);
    expect(after?.data).toEqual(signingPairData(operatorKey, 'RSA PUBLIC KEY'));
  });

  it('lists the kube-apiserver pods', async () => {
    // Act
    const run = await kubectl('get', 'pods', '-n', 'openshift-kube-apiserver');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/^NAME\s+AGE/);
    for (const node of ['master-0', 'master-1', 'master-2']) {
      expect(run.stdout).toContain(`kube-apiserver-${node}`);
    }
  });

  it('gets the cluster-scoped kubeapiserver as YAML with the revisions of the rollouts so far', async () => {
    // Act
    const run = await kubectl('get', 'kubeapiserver', 'cluster', '-o', 'yaml');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('apiVersion: operator.openshift.io/v1');
    expect(run.stdout).toContain('kind: KubeAPIServer');
    // 1 install, 2 trust the new key, 3 promote it, 4 trust the operator's own key after the delete.
    expect(run.stdout).toContain('latestAvailableRevision: 4');
    expect(run.stdout).toMatch(
      /nodeStatuses:\n {2}- currentRevision: 3\n {4}nodeName: master-0\n {4}targetRevision: 4/,
    );
  });

  it('creates a token (protobuf TokenRequest) that verifies against the key the cluster signs with now', async () => {
    // Act
    const run = await kubectl(
      'create',
      'token',
      'default',
      '-n',
      'default',
      '--audience',
      'sts.amazonaws.com',
    );

    // Assess
    expect(run.code).toBe(0);
    const verified = await createTokenVerifier({
      keySet: { keys: [newKey.publicKey] },
      issuer: ISSUER,
      audience: 'sts.amazonaws.com',
    }).verify(run.stdout.trim(), clock.now());
    expect(verified).toMatchObject({
      kid: newKey.publicKey.kid,
      subject: 'system:serviceaccount:default:default',
    });
  });

  it('prints the Status message of a refusal (kubectl GETs the namespace after a namespaced 404)', async () => {
    // Act
    const missing = await kubectl('get', 'secret', 'nope', '-n', 'nope');
    sim.expireCredential(true);
    const expired = await kubectl('get', 'pods', '-n', 'openshift-kube-apiserver');
    sim.expireCredential(false);

    // Assess
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Error from server (NotFound): namespaces "nope" not found');
    expect(expired.code).toBe(1);
    expect(expired.stderr).toContain('You must be logged in to the server');
  });
});
