import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterModel } from '#local/openshift-sim/cluster-model.ts';
import { createSimulatedClusterSigner } from '#local/openshift-sim/simulated-cluster-signer.ts';
import { createAwsVault } from '#shared/adapters/aws/aws-vault.ts';
import { iamActionsFor } from '#shared/adapters/aws/iam-actions.ts';
import { createS3KeyringStore } from '#shared/adapters/aws/s3-keyring-store.ts';
import { createS3Publisher } from '#shared/adapters/aws/s3-publisher.ts';
import { createManualClock, createMemoryAuditLog } from '#shared/adapters/memory/index.ts';
import type { RotationPorts } from '#shared/ports.ts';
import {
  activateKey,
  confirmVisible,
  generateKey,
  initIssuer,
  maintainIssuer,
  prepareRotation,
  publishNewKey,
  pushKey,
  rollbackRotation,
  verifyRotation,
  watchRollout,
} from '#shared/rotation/index.ts';
import type { RecordedCall } from '#test/fakes/aws/fake-aws.ts';
import { createFakeCloudFront } from '#test/fakes/aws/fake-cloudfront.ts';
import { createFakeKms } from '#test/fakes/aws/fake-kms.ts';
import { createFakeS3 } from '#test/fakes/aws/fake-s3.ts';
import { createFakeSecretsManager } from '#test/fakes/aws/fake-secrets-manager.ts';

/** The committed inventory the infrastructure grants from: function → IAM actions. */
const INVENTORY_FILE = join(import.meta.dirname, '..', '..', '..', '..', 'infra', 'iam-inventory.json');
const ISSUER_URL = 'https://d111.cloudfront.net/cluster-a';
const STATE_BUCKET = 'keyturn-state';
const ISSUER_BUCKET = 'keyturn-issuers';

const clock = createManualClock(new Date('2026-03-01T00:00:00.000Z'));
const kms = createFakeKms();
const secrets = createFakeSecretsManager(kms, { now: () => clock.now() });
const s3 = createFakeS3();
const cloudFront = createFakeCloudFront({ distributions: ['E2KEYTURN'] });
const logs: RecordedCall[][] = [kms.calls, secrets.calls, s3.calls, cloudFront.calls];
const commandsSeen = new Map<string, Set<string>>();

/** Serves the issuer bucket the way CloudFront does, so readPublic sees what S3 holds. */
const cloudFrontFetch = async (url: string): Promise<Response> => {
  const key = new URL(url).pathname.slice(1);
  const object = s3.getObject(ISSUER_BUCKET, key);
  if (object === undefined) return new Response('not found', { status: 404 });
  return new Response(new Uint8Array(object.body), {
    headers: { 'content-type': object.contentType, 'cache-control': object.cacheControl ?? '' },
  });
};

/** Runs one function's step and records the SDK commands it sent, under the function's name. */
async function asFunction<T>(name: string, step: () => Promise<T>): Promise<T> {
  const before = logs.map((log) => log.length);
  const result = await step();
  const commands = commandsSeen.get(name) ?? new Set<string>();
  logs.forEach((log, index) => {
    for (const call of log.slice(before[index])) {
      commands.add(
        call.command === 'PutObjectCommand' && call.input.Tagging ? 'PutObjectCommand+Tagging' : call.command,
      );
    }
  });
  commandsSeen.set(name, commands);
  return result;
}

let ports: RotationPorts;

const stubs: { restore(): void }[] = [];

beforeAll(async () => {
  stubs.push(kms.install(), secrets.install(), s3.install(), cloudFront.install());
  s3.createBucket(STATE_BUCKET, { versioned: true });
  s3.createBucket(ISSUER_BUCKET);
  // A ccoctl-created issuer: its objects carry the owner tag, which keyturn must keep.
  s3.putObject(ISSUER_BUCKET, 'cluster-a/keys.json', '{"keys":[]}', {
    tags: { 'openshift.io/cloud-credential-operator/cluster-a': 'owned' },
  });
  const cmk = kms.createKey({ alias: 'alias/keyturn' });
  const base = {
    vault: createAwsVault({
      kmsKeyId: cmk.arn,
      kms: new KMSClient({ region: 'eu-west-1' }),
      secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    }),
    store: createS3KeyringStore({ bucket: STATE_BUCKET, s3: new S3Client({ region: 'eu-west-1' }) }),
    publisher: createS3Publisher({
      bucket: ISSUER_BUCKET,
      distributionId: 'E2KEYTURN',
      fetch: cloudFrontFetch,
      s3: new S3Client({ region: 'eu-west-1' }),
      cloudFront: new CloudFrontClient({ region: 'us-east-1' }),
    }),
    clock,
    audit: createMemoryAuditLog(),
    actor: 'inventory',
  };
  const init = await asFunction('init', () =>
    initIssuer(base, {
      issuerUrl: ISSUER_URL,
      policy: { keyBits: 2048, leadTimeSeconds: 0, graceSeconds: 60 },
    }),
  );
  const model = createClusterModel({
    issuerUrl: ISSUER_URL,
    initialKey: await base.vault.open(`keyturn/${init.issuerId}/initial`),
    nodeRolloutSeconds: 0,
    clock,
    sleep: async () => undefined,
  });
  ports = { ...base, cluster: createSimulatedClusterSigner(model) };
});

afterAll(() => {
  for (const stub of stubs) stub.restore();
});

describe('the IAM inventory of the rotation functions', () => {
  it('records every SDK command each function sends through a rotation, a rollback and maintenance', async () => {
    // Act: a successful rotation, one rolled back after its push, then maintenance past the grace.
    for (const [rotationId, outcome] of [
      ['r1', 'activate'],
      ['r2', 'rollback'],
    ] as const) {
      const input = { issuerId: 'cluster-a', rotationId };
      await asFunction('prepare', () => prepareRotation(ports, { ...input, mode: 'scheduled' }));
      await asFunction('generate', () => generateKey(ports, input));
      await asFunction('publish', () => publishNewKey(ports, input));
      await asFunction('confirm-visible', () => confirmVisible(ports, input));
      await asFunction('push', () => pushKey(ports, input));
      clock.advance(1000);
      await asFunction('watch-rollout', () => watchRollout(ports, input));
      if (outcome === 'rollback') {
        await asFunction('rollback', () => rollbackRotation(ports, { ...input, reason: 'inventory' }));
      } else {
        await asFunction('verify', () => verifyRotation(ports, input));
        await asFunction('activate', () => activateKey(ports, input));
      }
    }
    clock.advance(3600_000);
    const maintained = await asFunction('maintain', () => maintainIssuer(ports, { issuerId: 'cluster-a' }));

    // Assess: the run did remove and destroy keys, so maintenance's commands are all in the log.
    expect(maintained.destroyed.length).toBeGreaterThan(0);
    const inventory = Object.fromEntries(
      [...commandsSeen.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, commands]) => [
          name,
          { commands: [...commands].sort(), actions: iamActionsFor(commands) },
        ]),
    );
    if (process.env.KEYTURN_WRITE_IAM_INVENTORY === '1') {
      await writeFile(INVENTORY_FILE, `${JSON.stringify(inventory, null, 2)}\n`);
    }
    expect(
      JSON.parse(await readFile(INVENTORY_FILE, 'utf8')),
      'infra/iam-inventory.json is stale: run KEYTURN_WRITE_IAM_INVENTORY=1 npm test -- iam-inventory',
    ).toEqual(inventory);
  });

  it('needs no wildcard action and never lets verify or watch-rollout read private keys (SEALED)', async () => {
    const inventory = JSON.parse(await readFile(INVENTORY_FILE, 'utf8')) as Record<
      string,
      { actions: string[] }
    >;

    for (const [name, { actions }] of Object.entries(inventory)) {
      expect(
        actions.filter((action) => action.includes('*')),
        name,
      ).toEqual([]);
    }
    for (const name of ['watch-rollout', 'verify', 'confirm-visible', 'prepare', 'activate']) {
      expect(inventory[name]?.actions ?? [], name).not.toContain('secretsmanager:GetSecretValue');
    }
    expect(inventory.push?.actions).toContain('secretsmanager:GetSecretValue');
  });
});
