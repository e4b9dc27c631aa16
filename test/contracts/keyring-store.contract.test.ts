import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { createS3KeyringStore } from '#shared/adapters/aws/s3-keyring-store.ts';
import { createFileKeyringStore, keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import { createMemoryKeyringStore } from '#shared/adapters/memory/index.ts';
import { createFakeKms } from '#test/fakes/aws/fake-kms.ts';
import { createFakeS3 } from '#test/fakes/aws/fake-s3.ts';
import { describeKeyringStoreContract } from './keyring-store.contract.ts';

const STATE_BUCKET = 'keyturn-state';

describeKeyringStoreContract('memory', () => ({ store: createMemoryKeyringStore() }), {
  editableState: false,
});

describeKeyringStoreContract(
  'local files',
  async () => {
    const home = await mkdtemp(join(tmpdir(), 'keyturn-contract-'));
    return {
      store: createFileKeyringStore({ home }),
      corrupt: (issuerId, text) => writeFile(keyturnHomeLayout(home).keyring(issuerId), text),
      dispose: () => rm(home, { recursive: true, force: true }),
    };
  },
  { editableState: true },
);

describeKeyringStoreContract(
  'S3 (stateful SDK fake)',
  () => {
    // maxKeysPerPage 2: listing four issuers takes pages, as a large bucket does.
    const s3 = createFakeS3({ maxKeysPerPage: 2 });
    s3.install();
    s3.createBucket(STATE_BUCKET, { versioned: true });
    const kms = createFakeKms();
    const kmsStub = kms.install();
    return {
      store: createS3KeyringStore({
        bucket: STATE_BUCKET,
        s3: new S3Client({ region: 'eu-west-1', maxAttempts: 1 }),
        macKeyId: kms.createKey({ keySpec: 'HMAC_256' }).arn,
      }),
      corrupt: async (issuerId, text) => {
        s3.putObject(STATE_BUCKET, `keyrings/${issuerId}.json`, text, { contentType: 'application/json' });
      },
      dispose: () => {
        s3.restore();
        kmsStub.restore();
      },
    };
  },
  { editableState: true },
);
