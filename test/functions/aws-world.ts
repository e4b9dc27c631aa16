import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createAwsPortsProvider } from '#functions/aws-ports.ts';
import { type ClusterModel, createClusterModel } from '#local/openshift-sim/cluster-model.ts';
import { createSimulatedClusterSigner } from '#local/openshift-sim/simulated-cluster-signer.ts';
import {
  createLocalWorkflowRunner,
  type LocalWorkflowRunner,
} from '#local/workflow/local-workflow-runner.ts';
import { createManualClock } from '#shared/adapters/memory/index.ts';
import { findInvariantViolations, type InvariantViolation } from '#shared/keyring/invariants.ts';
import { type Keyring, parseKeyring } from '#shared/keyring/keyring.ts';
import type { ClusterSigner } from '#shared/ports.ts';
import { initIssuer } from '#shared/rotation/index.ts';
import { createFakeCloudFront, type FakeCloudFront } from '#test/fakes/aws/fake-cloudfront.ts';
import { createFakeKms } from '#test/fakes/aws/fake-kms.ts';
import { createFakeS3, type FakeS3 } from '#test/fakes/aws/fake-s3.ts';
import { createFakeSecretsManager, type FakeSecretsManager } from '#test/fakes/aws/fake-secrets-manager.ts';
import { type CapturedOutput, captureStdout } from './task-world.ts';

export const ISSUER_ID = 'cluster-a';
export const DISTRIBUTION_ID = 'E2KEYTURN';
export const GRACE_SECONDS = 3600;
/** The frozen time of the whole run: only Wait states use real timers, and they are scaled or due at once. */
export const T0 = new Date('2026-03-01T00:00:00.000Z');
/** The bearer token of the cluster's kubeconfig: SEALED like a private key. */
export const CLUSTER_TOKEN = 'sha256~kubeconfig-token-that-must-stay-sealed';
export const KUBECONFIG = [
  'apiVersion: v1',
  'kind: Config',
  'clusters: [{name: sim, cluster: {server: "https://api.sim.example:6443"}}]',
  `users: [{name: keyturn, user: {token: "${CLUSTER_TOKEN}"}}]`,
  'contexts: [{name: sim, context: {cluster: sim, user: keyturn}}]',
  'current-context: sim',
  '',
].join('\n');
const ISSUER_URL = `https://d111.cloudfront.net/${ISSUER_ID}`;
const STATE_BUCKET = 'keyturn-state';
const ISSUER_BUCKET = 'keyturn-issuers';
/** Poll waits 5 s → 5 ms, 10 s → 10 ms; the lead-time wait is due at once (lead time 0, frozen clock). */
const WAIT_SCALE = 0.001;

/** A deployed keyturn stack on fake AWS services, its issuer initialised, its cluster simulated. */
export interface AwsWorld {
  readonly secrets: FakeSecretsManager;
  readonly s3: FakeS3;
  readonly cloudFront: FakeCloudFront;
  readonly kmsKeyArn: string;
  readonly initialKid: string;
  /** The kubeconfig texts connectCluster was given. */
  readonly kubeconfigs: readonly string[];
  /** Everything the handlers and the audit trail wrote to stdout/stderr. */
  readonly output: CapturedOutput;
  /** The rotation workflow of infra/workflows/ bound to the production task handlers. */
  readonly rotation: LocalWorkflowRunner;
  /** The keyring as the state bucket holds it. */
  keyring(): Keyring;
  /** keys.json as the issuer bucket holds it. */
  keySetText(): string;
  /** Every version of every object the SDK wrote, as text. */
  storedObjects(): string[];
  violations(): InvariantViolation[];
  close(): void;
}

export async function createAwsWorld(): Promise<AwsWorld> {
  const clock = createManualClock(T0);
  const kms = createFakeKms();
  const secrets = createFakeSecretsManager(kms, { now: () => clock.now() });
  const s3 = createFakeS3();
  const cloudFront = createFakeCloudFront({ distributions: [DISTRIBUTION_ID] });
  const stubs = [kms.install(), secrets.install(), s3.install(), cloudFront.install()];
  const output = captureStdout();
  s3.createBucket(STATE_BUCKET, { versioned: true });
  s3.createBucket(ISSUER_BUCKET);
  const cmk = kms.createKey({ alias: 'alias/keyturn' });
  secrets.putSecret(`keyturn-cluster/${ISSUER_ID}`, KUBECONFIG, { kmsKeyId: cmk.arn });
  // What the CDK stack sets on every task function (infra/constructs/function-environment.ts).
  const env = {
    KEYTURN_KMS_KEY_ID: cmk.arn,
    KEYTURN_KEYRING_MAC_KEY_ID: kms.createKey({ keySpec: 'HMAC_256' }).arn,
    KEYTURN_STATE_BUCKET: STATE_BUCKET,
    KEYTURN_ISSUER_BUCKET: ISSUER_BUCKET,
    KEYTURN_DISTRIBUTION_ID: DISTRIBUTION_ID,
  };
  const logger = new Logger({ serviceName: 'keyturn', logLevel: 'DEBUG' });
  const kubeconfigs: string[] = [];
  let cluster: ClusterSigner | undefined;
  const portsOf = createAwsPortsProvider(env, {
    clock,
    logger,
    // CloudFront in front of the issuer bucket: the public URL serves what S3 holds.
    fetch: async (url) => {
      const object = s3.getObject(ISSUER_BUCKET, new URL(url).pathname.slice(1));
      if (object === undefined) return new Response('not found', { status: 404 });
      const headers = { 'content-type': object.contentType, 'cache-control': object.cacheControl ?? '' };
      return new Response(new Uint8Array(object.body), { headers });
    },
    connectCluster: (kubeconfig) => {
      kubeconfigs.push(kubeconfig);
      if (cluster === undefined) throw new Error('the cluster is not installed yet');
      return cluster;
    },
  });
  // As `keyturn init --aws` does: KMS makes the first key, the issuer is published and invalidated.
  const init = await initIssuer(portsOf(ISSUER_ID), {
    issuerUrl: ISSUER_URL,
    issuerId: ISSUER_ID,
    // The clock stands still while the workflow runs: no stable period to wait out.
    policy: { keyBits: 2048, leadTimeSeconds: 0, graceSeconds: GRACE_SECONDS, stablePeriodSeconds: 0 },
  });
  const model: ClusterModel = createClusterModel({
    issuerUrl: ISSUER_URL,
    initialKey: await portsOf(ISSUER_ID).vault.open(`keyturn/${ISSUER_ID}/initial`),
    nodeRolloutSeconds: 0,
    nodeRebootSeconds: 0,
    clock,
    sleep: async () => undefined,
  });
  cluster = createSimulatedClusterSigner(model);
  const signedKids = new Map<string, Date>();
  const observeCluster = () => {
    for (const node of model.describeNodes()) signedKids.set(node.signingKid, clock.now());
  };
  const rotation = createLocalWorkflowRunner({
    definition: 'rotation',
    ports: portsOf,
    handlerOptions: { logger, metrics: new Metrics({ namespace: 'keyturn', serviceName: 'keyturn' }) },
    waitScale: WAIT_SCALE,
    onEvent: (event) => {
      if (event.type === 'state-exited') observeCluster();
    },
  });
  const text = (bucket: string, key: string) => s3.getObject(bucket, key)?.body.toString('utf8') ?? '';
  const keyring = () => parseKeyring(text(STATE_BUCKET, `keyrings/${ISSUER_ID}.json`), STATE_BUCKET);
  const keySetText = () => text(ISSUER_BUCKET, `${ISSUER_ID}/keys.json`);
  return {
    secrets,
    s3,
    cloudFront,
    kmsKeyArn: cmk.arn,
    initialKid: init.kid,
    kubeconfigs,
    output,
    rotation,
    keyring,
    keySetText,
    storedObjects: () => {
      const written = s3.calls.filter((call) => call.command === 'PutObjectCommand');
      const places = new Set(written.map(({ input }) => `${String(input.Bucket)}\n${String(input.Key)}`));
      return [...places].flatMap((place) => {
        const [bucket = '', key = ''] = place.split('\n');
        return s3.versions(bucket, key).map((object) => object.body.toString('utf8'));
      });
    },
    violations: () => {
      observeCluster();
      const publicKids = (JSON.parse(keySetText()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
      return findInvariantViolations({ keyring: keyring(), publicKids, signedKids, now: clock.now() });
    },
    close: () => {
      output.restore();
      for (const stub of stubs) stub.restore();
    },
  };
}
