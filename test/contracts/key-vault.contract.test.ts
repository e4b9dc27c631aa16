import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAwsVault } from '#shared/adapters/aws/aws-vault.ts';
import { createLocalVault } from '#shared/adapters/local/index.ts';
import { createMemoryVault } from '#shared/adapters/memory/index.ts';
import { parsePrivateKey } from '#shared/keys/index.ts';
import { createFakeKms } from '#test/fakes/aws/fake-kms.ts';
import { createFakeSecretsManager } from '#test/fakes/aws/fake-secrets-manager.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { describeKeyVaultContract } from './key-vault.contract.ts';

// The memory vault "generates" a committed test key: generation itself is the local and AWS vaults' job.
describeKeyVaultContract('memory', () => ({
  vault: createMemoryVault({ generate: async () => parsePrivateKey(readKeyFixture('other2048.private')) }),
  unknownRef: 'demo/never-sealed',
}));

describeKeyVaultContract('local files', async () => {
  const home = await mkdtemp(join(tmpdir(), 'keyturn-contract-'));
  return {
    vault: createLocalVault({ home }),
    unknownRef: 'demo/never-sealed',
    dispose: () => rm(home, { recursive: true, force: true }),
  };
});

describeKeyVaultContract('KMS and Secrets Manager (stateful SDK fakes)', () => {
  const kms = createFakeKms();
  const secrets = createFakeSecretsManager(kms, { now: () => new Date('2026-03-01T12:00:00.000Z') });
  const cmk = kms.createKey({ alias: 'alias/keyturn' });
  const stubs = [kms.install(), secrets.install()];
  return {
    vault: createAwsVault({
      kmsKeyId: cmk.arn,
      kms: new KMSClient({ region: 'eu-west-1', maxAttempts: 1 }),
      secretsManager: new SecretsManagerClient({ region: 'eu-west-1', maxAttempts: 1 }),
    }),
    unknownRef: 'keyturn/demo/never-sealed',
    dispose: () => {
      for (const stub of stubs) stub.restore();
    },
  };
});
