import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAwsPortsProvider, createLoggerAuditLog, REQUIRED_ENV } from '#functions/aws-ports.ts';
import { createManualClock } from '#shared/adapters/memory/index.ts';
import { parsePrivateKey } from '#shared/keys/index.ts';
import type { ClusterSigner } from '#shared/ports.ts';
import { initIssuer } from '#shared/rotation/index.ts';
import { TASK_NAMES } from '#shared/workflow-tasks.ts';
import { createFakeCloudFront, type FakeCloudFront } from '#test/fakes/aws/fake-cloudfront.ts';
import { createFakeKms, type FakeKms } from '#test/fakes/aws/fake-kms.ts';
import { createFakeS3, type FakeS3 } from '#test/fakes/aws/fake-s3.ts';
import { createFakeSecretsManager, type FakeSecretsManager } from '#test/fakes/aws/fake-secrets-manager.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { captureStdout, createObservability } from './task-world.ts';

const KUBECONFIG = 'apiVersion: v1\nkind: Config\n# cluster-a\n';
const clock = createManualClock(new Date('2026-03-01T00:00:00.000Z'));

let kms: FakeKms;
let secrets: FakeSecretsManager;
let s3: FakeS3;
let cloudFront: FakeCloudFront;
let env: Record<string, string>;
let stubs: { restore(): void }[];

beforeEach(() => {
  kms = createFakeKms();
  secrets = createFakeSecretsManager(kms);
  s3 = createFakeS3();
  cloudFront = createFakeCloudFront({ distributions: ['E2KEYTURN', 'E9LEGACY'] });
  stubs = [kms.install(), secrets.install(), s3.install(), cloudFront.install()];
  for (const bucket of ['keyturn-state', 'keyturn-issuers', 'legacy-oidc']) s3.createBucket(bucket);
  const cmk = kms.createKey({ alias: 'alias/keyturn' });
  secrets.putSecret('keyturn-cluster/cluster-a', KUBECONFIG, { kmsKeyId: cmk.arn });
  env = {
    KEYTURN_KMS_KEY_ID: cmk.arn,
    KEYTURN_KEYRING_MAC_KEY_ID: kms.createKey({ keySpec: 'HMAC_256' }).arn,
    KEYTURN_STATE_BUCKET: 'keyturn-state',
    KEYTURN_ISSUER_BUCKET: 'keyturn-issuers',
    KEYTURN_DISTRIBUTION_ID: 'E2KEYTURN',
  };
});

afterEach(() => {
  for (const stub of stubs) stub.restore();
  vi.unstubAllEnvs();
});

/** A cluster that only answers readKeys, and the kubeconfigs it was connected with. */
function recordingCluster() {
  const kubeconfigs: string[] = [];
  const signer = {
    readKeys: async () => ({ trustedKids: [], publicKeys: new Map() }),
  } as unknown as ClusterSigner;
  const connectCluster = (kubeconfig: string) => {
    kubeconfigs.push(kubeconfig);
    return signer;
  };
  return { kubeconfigs, connectCluster };
}

describe('createAwsPortsProvider', () => {
  it('rejects a missing configuration with ERR_TASK_CONFIG at once', () => {
    // Act
    const build = () => createAwsPortsProvider({ KEYTURN_STATE_BUCKET: 'state' });

    // Assess
    expect(build).toThrow(expect.objectContaining({ name: 'TaskConfigError', code: 'ERR_TASK_CONFIG' }));
  });

  it('shares vault, store and audit across issuers and keeps each issuer its own ports', () => {
    // Prepare
    const portsOf = createAwsPortsProvider(env, createObservability());

    // Act
    const [a, b, again] = [portsOf('cluster-a'), portsOf('cluster-b'), portsOf('cluster-a')];

    // Assess
    expect(a.actor).toBe('workflow');
    expect(again).toBe(a);
    expect([b.vault, b.store, b.audit, b.clock]).toEqual([a.vault, a.store, a.audit, a.clock]);
    expect(b.publisher).not.toBe(a.publisher);
    expect(b.cluster).not.toBe(a.cluster);
  });

  it('reads issuer X kubeconfig from keyturn-cluster/X at the first cluster call only', async () => {
    // Prepare
    const { kubeconfigs, connectCluster } = recordingCluster();
    const ports = createAwsPortsProvider(env, { clock, connectCluster })('cluster-a');
    const readsBefore = secrets.calls.length;

    // Act
    await ports.cluster.readKeys();
    await ports.cluster.readKeys();

    // Assess
    expect(readsBefore).toBe(0);
    expect(secrets.calls.map((call) => [call.command, call.input])).toEqual([
      ['GetSecretValueCommand', { SecretId: 'keyturn-cluster/cluster-a' }],
    ]);
    expect(kubeconfigs).toEqual([KUBECONFIG]);
  });

  it('reads the kubeconfig under KEYTURN_CLUSTER_SECRET_PREFIX when set', async () => {
    // Prepare
    secrets.putSecret('prod/clusters/cluster-a', KUBECONFIG);
    const { connectCluster } = recordingCluster();
    const ports = createAwsPortsProvider(
      { ...env, KEYTURN_CLUSTER_SECRET_PREFIX: 'prod/clusters/' },
      { clock, connectCluster },
    )('cluster-a');

    // Act
    await ports.cluster.readKeys();

    // Assess
    expect(secrets.calls.map((call) => call.input.SecretId)).toEqual(['prod/clusters/cluster-a']);
  });

  it('publishes an issuer of KEYTURN_ISSUER_TARGETS to its own bucket and distribution', async () => {
    // Prepare: a ccoctl issuer migrated in place, and one on the stack's bucket.
    const portsOf = createAwsPortsProvider(
      {
        ...env,
        KEYTURN_ISSUER_TARGETS: '{"legacy": {"bucket": "legacy-oidc", "distributionId": "E9LEGACY"}}',
      },
      { clock, ...createObservability() },
    );
    const adopt = parsePrivateKey(readKeyFixture('rsa2048.private'));
    const output = captureStdout();

    // Act
    await initIssuer(portsOf('legacy'), {
      issuerId: 'legacy',
      issuerUrl: 'https://legacy-oidc.s3.eu-west-1.amazonaws.com',
      adopt,
    });
    await initIssuer(portsOf('cluster-a'), { issuerUrl: 'https://d111.cloudfront.net/cluster-a', adopt });
    output.restore();

    // Assess
    expect(s3.getObject('legacy-oidc', 'keys.json')).toBeDefined();
    expect(s3.getObject('keyturn-issuers', 'cluster-a/keys.json')).toBeDefined();
    expect(s3.getObject('keyturn-issuers', 'keys.json')).toBeUndefined();
    expect(cloudFront.calls.map((call) => call.input.DistributionId)).toEqual(['E9LEGACY', 'E2KEYTURN']);
  });
});

describe('createLoggerAuditLog', () => {
  it('writes each audit entry as one structured log line', async () => {
    // Prepare
    const output = captureStdout();
    const audit = createLoggerAuditLog(createObservability().logger);
    const entry = {
      time: '2026-03-01T00:00:00.000Z',
      issuerId: 'cluster-a',
      rotationId: 'r1',
      step: 'push' as const,
      actor: 'workflow',
      outcome: 'ok' as const,
    };

    // Act
    await audit.append(entry);
    output.restore();

    // Assess
    expect(output.logs()).toEqual([expect.objectContaining({ message: 'audit', audit: entry })]);
  });

  it('logs a rollback reason quoting a private key with the key redacted, without failing (SEALED, RECOVERABLE)', async () => {
    // Prepare
    const output = captureStdout();
    const audit = createLoggerAuditLog(createObservability().logger);
    const pem = readKeyFixture('rsa2048.private');

    // Act
    await audit.append({
      time: '2026-03-01T00:00:00.000Z',
      issuerId: 'cluster-a',
      rotationId: 'r1',
      step: 'rollback',
      actor: 'workflow',
      outcome: 'ok',
      detail: `ClusterApiCallError: webhook said ${pem}`,
    });
    output.restore();

    // Assess
    const text = JSON.stringify(output.logs());
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(pem.split('\n')[1]);
    expect(output.logs()).toEqual([
      expect.objectContaining({
        audit: expect.objectContaining({ detail: 'ClusterApiCallError: webhook said [redacted]\n' }),
      }),
    ]);
  });
});

describe('functions/handlers', () => {
  it('imports without configuration and fails the first invocation with ERR_TASK_CONFIG', async () => {
    // Prepare
    for (const name of REQUIRED_ENV) vi.stubEnv(name, '');
    const output = captureStdout();
    const { handler } = await import('#functions/handlers/prepare.ts');

    // Act
    const error = await handler({ issuerId: 'cluster-a', rotationId: 'r1', mode: 'manual' }).catch(
      (e: unknown) => e,
    );
    output.restore();

    // Assess
    expect(error).toMatchObject({ name: 'TaskConfigError', code: 'ERR_TASK_CONFIG' });
  });

  it.each(TASK_NAMES)('exports a handler for %s', async (task) => {
    // Act
    const module = (await import(`../../functions/handlers/${task}.ts`)) as { handler: unknown };

    // Assess
    expect(module.handler).toBeTypeOf('function');
  });
});
