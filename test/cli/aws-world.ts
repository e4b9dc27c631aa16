import { kmsClient } from '#shared/adapters/aws/clients.ts';
import { createKmsKeyringMacKey } from '#shared/adapters/aws/kms-keyring-mac-key.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import { sealKeyring } from '#shared/keyring/keyring-mac.ts';
import { FAKE_REGION } from '#test/fakes/aws/fake-aws.ts';
import { createFakeCloudFormation, type FakeCloudFormation } from '#test/fakes/aws/fake-cloudformation.ts';
import { createFakeCloudFront, type FakeCloudFront } from '#test/fakes/aws/fake-cloudfront.ts';
import { createFakeKms, type FakeKms } from '#test/fakes/aws/fake-kms.ts';
import { createFakeS3, type FakeS3 } from '#test/fakes/aws/fake-s3.ts';
import { createFakeSecretsManager, type FakeSecretsManager } from '#test/fakes/aws/fake-secrets-manager.ts';
import { createFakeSfn, type FakeSfn } from '#test/fakes/aws/fake-sfn.ts';

/** The names the fake deployment uses. */
export const STACK = {
  name: 'Keyturn',
  stateBucket: 'keyturn-state-111122223333',
  issuerBucket: 'keyturn-issuers-111122223333',
  distributionId: 'E2KEYTURNTEST',
  issuerBaseUrl: 'https://d111.cloudfront.net',
} as const;

/** Every fake a command against the deployed stack talks to, installed on the SDK's client classes. */
export interface AwsWorld {
  readonly cloudFormation: FakeCloudFormation;
  readonly sfn: FakeSfn;
  readonly s3: FakeS3;
  readonly kms: FakeKms;
  readonly secretsManager: FakeSecretsManager;
  readonly cloudFront: FakeCloudFront;
  /** The stack's outputs, as `putStack` was given them. */
  readonly outputs: Record<string, string>;
  readonly rotationStateMachineArn: string;
  readonly fleetStateMachineArn: string;
  readonly maintenanceStateMachineArn: string;
  /**
   * Writes `keyring` as the issuer's keyring object, sealed with the stack's keyring HMAC key as keyturn
   * writes one (whatever was there before).
   */
  putKeyring(keyring: Keyring): Promise<void>;
  /** Puts a keyring object for each issuer in the state bucket, as `keyturn init --aws` leaves one. */
  addIssuers(...issuerIds: readonly string[]): void;
  /** Removes every stub. */
  restore(): void;
}

/** A deployed keyturn stack in fakes: its outputs, buckets, KMS key and state machines. */
export function createAwsWorld(options: { readonly maxHistoryPage?: number } = {}): AwsWorld {
  const cloudFormation = createFakeCloudFormation();
  const sfn = createFakeSfn({ maxResultsPerPage: options.maxHistoryPage ?? 1000 });
  const s3 = createFakeS3();
  const kms = createFakeKms();
  const secretsManager = createFakeSecretsManager(kms);
  const cloudFront = createFakeCloudFront({ distributions: [STACK.distributionId, 'E3CCOCTLDIST'] });
  const stubs = [
    cloudFormation.install(),
    sfn.install(),
    s3.install(),
    kms.install(),
    secretsManager.install(),
    cloudFront.install(),
  ];
  s3.createBucket(STACK.stateBucket, { versioned: true });
  s3.createBucket(STACK.issuerBucket);
  const key = kms.createKey({ alias: 'alias/keyturn' });
  const keyringMacKey = kms.createKey({ keySpec: 'HMAC_256' });
  const machine = (name: string) => sfn.createStateMachine(name, []);
  const rotationStateMachineArn = machine('KeyturnRotation');
  const fleetStateMachineArn = machine('KeyturnFleet');
  const maintenanceStateMachineArn = machine('KeyturnMaintenance');
  const outputs: Record<string, string> = {
    RotationStateMachineArn: rotationStateMachineArn,
    MaintenanceStateMachineArn: maintenanceStateMachineArn,
    FleetStateMachineArn: fleetStateMachineArn,
    StateBucketName: STACK.stateBucket,
    IssuerBucketName: STACK.issuerBucket,
    DistributionId: STACK.distributionId,
    IssuerBaseUrl: STACK.issuerBaseUrl,
    SigningKeyArn: key.arn,
    KeyringMacKeyArn: keyringMacKey.arn,
    AlarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:keyturn-alarms',
  };
  cloudFormation.putStack(STACK.name, { outputs });
  return {
    cloudFormation,
    sfn,
    s3,
    kms,
    secretsManager,
    cloudFront,
    outputs,
    rotationStateMachineArn,
    fleetStateMachineArn,
    maintenanceStateMachineArn,
    putKeyring: async (keyring) => {
      const key = `keyrings/${keyring.issuerId}.json`;
      const macKey = createKmsKeyringMacKey({
        keyId: keyringMacKey.arn,
        kms: kmsClient(FAKE_REGION),
      });
      s3.putObject(STACK.stateBucket, key, await sealKeyring(keyring, macKey, key), {
        contentType: 'application/json',
      });
    },
    addIssuers: (...issuerIds) => {
      for (const issuerId of issuerIds) {
        // Fleet and maintenance read the names only: the body need not be a whole keyring.
        s3.putObject(STACK.stateBucket, `keyrings/${issuerId}.json`, JSON.stringify({ issuerId }), {
          contentType: 'application/json',
        });
      }
    },
    restore: () => {
      for (const stub of stubs) stub.restore();
    },
  };
}
