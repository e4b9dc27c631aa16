import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsPortsOf, createAwsPortsProvider } from '#functions/aws-ports.ts';
import { type ClusterModel, createClusterModel } from '#local/openshift-sim/cluster-model.ts';
import { createSimulatedClusterSigner } from '#local/openshift-sim/simulated-cluster-signer.ts';
import {
  type IamInventoryEntry,
  iamInventoryOf,
  type KeyturnResourceNames,
  type SdkCall,
} from '#shared/adapters/aws/iam-actions.ts';
import { createManualClock } from '#shared/adapters/memory/index.ts';
import type { ClusterSigner, RotationPorts } from '#shared/ports.ts';
import {
  abortRotation,
  activateKey,
  awaitStability,
  confirmVisible,
  finishTokenRefresh,
  generateKey,
  initIssuer,
  maintainIssuer,
  prepareRotation,
  publishNewKey,
  pushKey,
  refreshTokens,
  rollbackRotation,
  verifyRotation,
  watchRollout,
} from '#shared/rotation/index.ts';
import type { RecordedCall } from '#test/fakes/aws/fake-aws.ts';
import { createFakeCloudFront } from '#test/fakes/aws/fake-cloudfront.ts';
import { createFakeKms } from '#test/fakes/aws/fake-kms.ts';
import { createFakeS3 } from '#test/fakes/aws/fake-s3.ts';
import { createFakeSecretsManager } from '#test/fakes/aws/fake-secrets-manager.ts';

/** The committed inventory the infrastructure grants from: function → actions by resource role. */
const INVENTORY_FILE = join(import.meta.dirname, '..', '..', '..', '..', 'infra', 'iam-inventory.json');
const ISSUER_ID = 'cluster-a';
const ISSUER_URL = `https://d111.cloudfront.net/${ISSUER_ID}`;
const STATE_BUCKET = 'keyturn-state';
const ISSUER_BUCKET = 'keyturn-issuers';
const DISTRIBUTION_ID = 'E2KEYTURN';
/** Stands for a kubeconfig: the simulated cluster below does not parse it, the Lambda's path reads it. */
const KUBECONFIG = 'apiVersion: v1\nkind: Config\n# the inventory cluster\n';
const CLUSTER_FUNCTIONS = [
  'abort',
  'activate',
  'await-stability',
  'finish-refresh',
  'maintain',
  'prepare',
  'push',
  'refresh-tokens',
  'rollback',
  'verify',
  'watch-rollout',
];

const clock = createManualClock(new Date('2026-03-01T00:00:00.000Z'));
const kms = createFakeKms();
const secrets = createFakeSecretsManager(kms, { now: () => clock.now() });
const s3 = createFakeS3();
const cloudFront = createFakeCloudFront({ distributions: [DISTRIBUTION_ID] });
const logs: RecordedCall[][] = [kms.calls, secrets.calls, s3.calls, cloudFront.calls];
const callsSeen = new Map<string, SdkCall[]>();
const providers = new Map<string, AwsPortsOf>();
const silent = new Logger({ serviceName: 'keyturn', logLevel: 'SILENT' });
let env: Record<string, string>;
let names: KeyturnResourceNames;
let cluster: ClusterSigner | undefined;

/** Serves the issuer bucket the way CloudFront does, so readPublic sees what S3 holds. */
const cloudFrontFetch = async (url: string): Promise<Response> => {
  const key = new URL(url).pathname.slice(1);
  const object = s3.getObject(ISSUER_BUCKET, key);
  if (object === undefined) return new Response('not found', { status: 404 });
  return new Response(new Uint8Array(object.body), {
    headers: { 'content-type': object.contentType, 'cache-control': object.cacheControl ?? '' },
  });
};

/**
 * The ports a function's Lambda builds, through the very provider the Lambda uses. One provider per
 * function, as each function is its own process: each reads the kubeconfig at its own first cluster call.
 */
function portsOf(name: string): RotationPorts {
  let provider = providers.get(name);
  if (provider === undefined) {
    provider = createAwsPortsProvider(env, {
      clock,
      fetch: cloudFrontFetch,
      logger: silent,
      connectCluster: (kubeconfig) => {
        if (kubeconfig !== KUBECONFIG || cluster === undefined) throw new Error('unexpected cluster');
        return cluster;
      },
    });
    providers.set(name, provider);
  }
  return provider(ISSUER_ID);
}

/** Runs one function's step on its ports and records the SDK calls it sent, under the function's name. */
async function asFunction<T>(name: string, step: (ports: RotationPorts) => Promise<T>): Promise<T> {
  const ports = portsOf(name);
  const before = logs.map((log) => log.length);
  const result = await step(ports);
  const calls = callsSeen.get(name) ?? [];
  logs.forEach((log, index) => {
    calls.push(...log.slice(before[index]));
  });
  callsSeen.set(name, calls);
  return result;
}

const stubs: { restore(): void }[] = [];

beforeAll(async () => {
  stubs.push(kms.install(), secrets.install(), s3.install(), cloudFront.install());
  s3.createBucket(STATE_BUCKET, { versioned: true });
  s3.createBucket(ISSUER_BUCKET);
  // A ccoctl-created issuer: its objects carry the owner tag, which keyturn must keep.
  s3.putObject(ISSUER_BUCKET, `${ISSUER_ID}/keys.json`, '{"keys":[]}', {
    tags: { [`openshift.io/cloud-credential-operator/${ISSUER_ID}`]: 'owned' },
  });
  const cmk = kms.createKey({ alias: 'alias/keyturn' });
  const keyringMacKey = kms.createKey({ keySpec: 'HMAC_256' });
  env = {
    KEYTURN_KMS_KEY_ID: cmk.arn,
    KEYTURN_KEYRING_MAC_KEY_ID: keyringMacKey.arn,
    KEYTURN_STATE_BUCKET: STATE_BUCKET,
    KEYTURN_ISSUER_BUCKET: ISSUER_BUCKET,
    KEYTURN_DISTRIBUTION_ID: DISTRIBUTION_ID,
  };
  names = {
    stateBucket: STATE_BUCKET,
    issuerBuckets: [ISSUER_BUCKET],
    kmsKeyIds: [cmk.arn],
    keyringMacKeyIds: [keyringMacKey.arn],
    distributionIds: [DISTRIBUTION_ID],
  };
  // The operator stores the cluster's kubeconfig under keyturn's key, as docs/aws.md says.
  secrets.putSecret(`keyturn-cluster/${ISSUER_ID}`, KUBECONFIG, { kmsKeyId: cmk.arn });
  const init = await asFunction('init', (ports) =>
    initIssuer(ports, {
      issuerUrl: ISSUER_URL,
      policy: { keyBits: 2048, leadTimeSeconds: 0, graceSeconds: 60 },
    }),
  );
  const model: ClusterModel = createClusterModel({
    issuerUrl: ISSUER_URL,
    initialKey: await portsOf('setup').vault.open(`keyturn/${init.issuerId}/initial`),
    nodeRolloutSeconds: 0,
    clock,
    sleep: async () => undefined,
  });
  cluster = createSimulatedClusterSigner(model);
});

afterAll(() => {
  for (const stub of stubs) stub.restore();
});

/** Reads the committed inventory. */
async function committedInventory(): Promise<Record<string, IamInventoryEntry>> {
  return JSON.parse(await readFile(INVENTORY_FILE, 'utf8')) as Record<string, IamInventoryEntry>;
}

/** The token refresh phase of tokenRefresh reboot: reboots followed to the end, stability, the old key let go. */
async function runTokenRefresh(input: { issuerId: string; rotationId: string }): Promise<void> {
  for (let poll = 0; poll < 100; poll += 1) {
    if ((await asFunction('refresh-tokens', (ports) => refreshTokens(ports, input))).done) break;
    clock.advance(10_000);
  }
  await asFunction('await-stability', (ports) => awaitStability(ports, input));
  await asFunction('finish-refresh', (ports) => finishTokenRefresh(ports, input));
}

describe('the IAM inventory of the rotation functions', () => {
  it('records every SDK call each function sends through a rotation, a rollback, two aborts and maintenance', async () => {
    // Act: a successful rotation, one rolled back after its push, then maintenance past the grace.
    for (const [rotationId, outcome] of [
      ['r1', 'activate'],
      ['r2', 'rollback'],
      ['r5', 'refresh'],
    ] as const) {
      const input = { issuerId: ISSUER_ID, rotationId };
      const tokenRefresh = outcome === 'refresh' ? 'reboot' : 'wait';
      await asFunction('prepare', (ports) =>
        prepareRotation(ports, { ...input, mode: 'scheduled', tokenRefresh }),
      );
      await asFunction('generate', (ports) => generateKey(ports, input));
      await asFunction('publish', (ports) => publishNewKey(ports, input));
      await asFunction('confirm-visible', (ports) => confirmVisible(ports, input));
      await asFunction('push', (ports) => pushKey(ports, input));
      clock.advance(1000);
      await asFunction('watch-rollout', (ports) => watchRollout(ports, input));
      if (outcome === 'rollback') {
        await asFunction('rollback', (ports) => rollbackRotation(ports, { ...input, reason: 'inventory' }));
      } else {
        await asFunction('await-stability', (ports) => awaitStability(ports, input));
        await asFunction('verify', (ports) => verifyRotation(ports, input));
        await asFunction('activate', (ports) => activateKey(ports, input));
      }
      if (outcome === 'refresh') await runTokenRefresh(input);
    }
    // Two rotations stopped and aborted: one before its push (the new key is dropped), one after it (the
    // previous key is pushed back).
    for (const [rotationId, pushed] of [
      ['r3', false],
      ['r4', true],
    ] as const) {
      const input = { issuerId: ISSUER_ID, rotationId };
      await asFunction('prepare', (ports) => prepareRotation(ports, { ...input, mode: 'manual' }));
      await asFunction('generate', (ports) => generateKey(ports, input));
      await asFunction('publish', (ports) => publishNewKey(ports, input));
      await asFunction('confirm-visible', (ports) => confirmVisible(ports, input));
      if (pushed) await asFunction('push', (ports) => pushKey(ports, input));
      const aborted = await asFunction('abort', (ports) => abortRotation(ports, input));
      expect(aborted.pushedBack).toBe(pushed);
    }
    clock.advance(3600_000);
    const maintained = await asFunction('maintain', (ports) =>
      maintainIssuer(ports, { issuerId: ISSUER_ID }),
    );

    // Assess: the run did remove and destroy keys, so maintenance's commands are all in the log.
    expect(maintained.destroyed.length).toBeGreaterThan(0);
    const inventory = Object.fromEntries(
      [...callsSeen.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, calls]) => [name, iamInventoryOf(calls, names)]),
    );
    if (process.env.KEYTURN_WRITE_IAM_INVENTORY === '1') {
      await writeFile(INVENTORY_FILE, `${JSON.stringify(inventory, null, 2)}\n`);
    }
    expect(
      await committedInventory(),
      'infra/iam-inventory.json is stale: run KEYTURN_WRITE_IAM_INVENTORY=1 npx vitest run test/shared/adapters/aws/iam-inventory.test.ts',
    ).toEqual(inventory);
  });

  it('needs no wildcard action and never lets verify or watch-rollout read private keys (SEALED)', async () => {
    // Act
    const inventory = await committedInventory();

    // Assess
    for (const [name, { actions }] of Object.entries(inventory)) {
      expect(
        actions.filter((action) => action.includes('*')),
        name,
      ).toEqual([]);
    }
    for (const name of ['watch-rollout', 'verify', 'confirm-visible', 'prepare', 'activate']) {
      expect(inventory[name]?.resources['signing-key-secrets'] ?? [], name).not.toContain(
        'secretsmanager:GetSecretValue',
      );
    }
    expect(inventory.push?.resources['signing-key-secrets']).toContain('secretsmanager:GetSecretValue');
  });

  it('lets exactly the functions that call the cluster read and decrypt its kubeconfig', async () => {
    // Act
    const inventory = await committedInventory();

    // Assess
    const readers = Object.keys(inventory).filter(
      (name) => inventory[name]?.resources['cluster-credentials'],
    );
    expect(readers.sort()).toEqual(CLUSTER_FUNCTIONS);
    for (const name of CLUSTER_FUNCTIONS) {
      expect(inventory[name]?.resources, name).toMatchObject({
        'cluster-credentials': ['secretsmanager:GetSecretValue'],
        'kms-key': expect.arrayContaining(['kms:Decrypt']),
      });
    }
  });

  it('lists under actions exactly the union of the actions by resource role', async () => {
    // Act
    const inventory = await committedInventory();

    // Assess
    for (const [name, entry] of Object.entries(inventory)) {
      const union = [...new Set(Object.values(entry.resources).flat())].sort();
      expect(entry.actions, name).toEqual(union);
    }
  });
});
