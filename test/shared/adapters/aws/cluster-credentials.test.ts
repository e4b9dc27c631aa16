import { DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ClusterCredentialsOptions,
  createClusterCredentials,
} from '#shared/adapters/aws/cluster-credentials.ts';
import { createFakeKms, type FakeKms, type FakeKmsKey } from '#test/fakes/aws/fake-kms.ts';
import { createFakeSecretsManager, type FakeSecretsManager } from '#test/fakes/aws/fake-secrets-manager.ts';

const SECRET = 'keyturn-cluster/cluster-a';
const TOKEN = 'sha256~inventory-token-never-shown';
const KUBECONFIG = `apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: ${TOKEN}\n`;

const secretsSdk = new SecretsManagerClient({ region: 'eu-west-1', maxAttempts: 1 });

let kms: FakeKms;
let secrets: FakeSecretsManager;
let cmk: FakeKmsKey;
let nowMs: number;
let stubs: { restore(): void }[];

beforeEach(() => {
  nowMs = Date.parse('2026-03-01T00:00:00.000Z');
  kms = createFakeKms();
  secrets = createFakeSecretsManager(kms);
  cmk = kms.createKey({ alias: 'alias/keyturn' });
  stubs = [kms.install(), secrets.install()];
});

afterEach(() => {
  for (const stub of stubs) stub.restore();
});

function makeCredentials(options: ClusterCredentialsOptions = {}) {
  return createClusterCredentials({ secretsManager: secretsSdk, now: () => nowMs, ...options });
}

function reads(): number {
  return secrets.calls.filter((call) => call.command === 'GetSecretValueCommand').length;
}

describe('createClusterCredentials', () => {
  it('reads issuer X from secret keyturn-cluster/X, decrypted under the keyturn key', async () => {
    // Prepare
    secrets.putSecret(SECRET, KUBECONFIG, { kmsKeyId: cmk.arn });

    // Act
    const read = await makeCredentials().kubeconfigOf('cluster-a');

    // Assess
    expect(read).toEqual({ secretName: SECRET, kubeconfig: KUBECONFIG });
    expect(secrets.calls.map((call) => call.input)).toEqual([{ SecretId: SECRET }]);
    expect(secrets.secret(SECRET)?.kmsKeyId).toBe(cmk.arn);
  });

  it('reads the secret under a configured prefix', async () => {
    // Prepare
    secrets.putSecret('prod/clusters/cluster-a', KUBECONFIG, { kmsKeyId: cmk.arn });

    // Act
    const read = await makeCredentials({ secretPrefix: 'prod/clusters/' }).kubeconfigOf('cluster-a');

    // Assess
    expect(read.secretName).toBe('prod/clusters/cluster-a');
  });

  it('reuses a kubeconfig while it is fresh and reads a replaced one once it is not', async () => {
    // Prepare
    secrets.putSecret(SECRET, KUBECONFIG, { kmsKeyId: cmk.arn });
    const credentials = makeCredentials({ cacheSeconds: 300 });
    await credentials.kubeconfigOf('cluster-a');
    secrets.putSecret(SECRET, `${KUBECONFIG}# renewed\n`);

    // Act
    nowMs += 299_000;
    const cached = await credentials.kubeconfigOf('cluster-a');
    nowMs += 1_000;
    const renewed = await credentials.kubeconfigOf('cluster-a');

    // Assess
    expect(cached.kubeconfig).toBe(KUBECONFIG);
    expect(renewed.kubeconfig).toBe(`${KUBECONFIG}# renewed\n`);
    expect(reads()).toBe(2);
  });

  it('caches each issuer on its own', async () => {
    // Prepare
    secrets.putSecret(SECRET, KUBECONFIG, { kmsKeyId: cmk.arn });
    secrets.putSecret('keyturn-cluster/cluster-b', `${KUBECONFIG}# b\n`, { kmsKeyId: cmk.arn });
    const credentials = makeCredentials();

    // Act
    const a = await credentials.kubeconfigOf('cluster-a');
    const b = await credentials.kubeconfigOf('cluster-b');
    await credentials.kubeconfigOf('cluster-a');

    // Assess
    expect([a.secretName, b.secretName]).toEqual([SECRET, 'keyturn-cluster/cluster-b']);
    expect(reads()).toBe(2);
  });

  it('rejects a missing secret with ERR_CLUSTER_CREDENTIALS_MISSING saying how to create it', async () => {
    // Act
    const error = await makeCredentials()
      .kubeconfigOf('cluster-a')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      name: 'ClusterCredentialsError',
      code: 'ERR_CLUSTER_CREDENTIALS_MISSING',
      secretName: SECRET,
    });
    expect((error as Error).message).toContain(
      `aws secretsmanager create-secret --name ${SECRET} --kms-key-id <SigningKeyArn output> --secret-string file://kubeconfig`,
    );
  });

  it('rejects a secret scheduled for deletion with ERR_CLUSTER_CREDENTIALS_MISSING', async () => {
    // Prepare
    secrets.putSecret(SECRET, KUBECONFIG, { kmsKeyId: cmk.arn });
    await secretsSdk.send(new DeleteSecretCommand({ SecretId: SECRET, RecoveryWindowInDays: 7 }));

    // Act
    const error = await makeCredentials()
      .kubeconfigOf('cluster-a')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'ERR_CLUSTER_CREDENTIALS_MISSING', secretName: SECRET });
  });

  it('rejects a denied read with ERR_CLUSTER_CREDENTIALS_DENIED naming both permissions', async () => {
    // Prepare
    secrets.putSecret(SECRET, KUBECONFIG, { kmsKeyId: cmk.arn });
    secrets.denyNext(1, 'GetSecretValueCommand');

    // Act
    const error = await makeCredentials()
      .kubeconfigOf('cluster-a')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'ERR_CLUSTER_CREDENTIALS_DENIED', secretName: SECRET });
    expect((error as Error).message).toMatch(/secretsmanager:GetSecretValue.*kms:Decrypt/);
  });

  it.each([
    ['an empty value', ''],
    ['whitespace only', ' \n\t'],
  ])('rejects %s with ERR_CLUSTER_CREDENTIALS_EMPTY', async (_, value) => {
    // Prepare
    secrets.putSecret(SECRET, value, { kmsKeyId: cmk.arn });

    // Act
    const error = await makeCredentials()
      .kubeconfigOf('cluster-a')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'ERR_CLUSTER_CREDENTIALS_EMPTY', secretName: SECRET });
  });

  it('rejects a read with ERR_AWS_KEY_DISABLED when the keyturn key is disabled (kms:Decrypt is real)', async () => {
    // Prepare: Secrets Manager decrypts through KMS on the caller's behalf; without the key, no kubeconfig.
    secrets.putSecret(SECRET, KUBECONFIG, { kmsKeyId: cmk.arn });
    kms.disableKey(cmk.arn);

    // Act
    const error = await makeCredentials()
      .kubeconfigOf('cluster-a')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'AwsKeyDisabledError', code: 'ERR_AWS_KEY_DISABLED' });
    expect((error as Error).message).toContain(SECRET);
  });

  it('lets throttling through as the typed AWS error the workflow retries', async () => {
    // Prepare
    secrets.putSecret(SECRET, KUBECONFIG, { kmsKeyId: cmk.arn });
    secrets.throttleNext(1, 'GetSecretValueCommand');

    // Act
    const error = await makeCredentials()
      .kubeconfigOf('cluster-a')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'AwsThrottledError', code: 'ERR_AWS_THROTTLED' });
  });

  it('never puts the kubeconfig into an error or the call log', async () => {
    // Prepare
    secrets.putSecret(SECRET, ' ', { kmsKeyId: cmk.arn });
    const empty = await makeCredentials()
      .kubeconfigOf('cluster-a')
      .catch((e: unknown) => e);
    secrets.putSecret(SECRET, KUBECONFIG);
    secrets.denyNext(1, 'GetSecretValueCommand');

    // Act
    const denied = await makeCredentials()
      .kubeconfigOf('cluster-a')
      .catch((e: unknown) => e);

    // Assess
    for (const error of [empty, denied]) {
      expect(JSON.stringify({ message: (error as Error).message, error })).not.toContain(TOKEN);
    }
    expect(JSON.stringify(secrets.calls)).not.toContain(TOKEN);
  });
});
