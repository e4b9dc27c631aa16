import { GenerateMacCommand, KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitCodeFor } from '#cli/exit-codes.ts';
import { createS3KeyringStore } from '#shared/adapters/aws/s3-keyring-store.ts';
import { KeyringTamperedError } from '#shared/keyring/keyring-mac.ts';
import { createFakeKms, type FakeKms } from '#test/fakes/aws/fake-kms.ts';
import { createFakeS3, type FakeS3 } from '#test/fakes/aws/fake-s3.ts';
import { makeKeyring } from '#test/shared/adapters/local/local-home.ts';

const BUCKET = 'keyturn-state';
const KEY = 'keyrings/demo.json';

describe('S3 keyring store: tamper evidence', () => {
  let s3: FakeS3;
  let kms: FakeKms;
  let macKeyId: string;
  const stubs: { restore(): void }[] = [];
  const client = () => new S3Client({ region: 'eu-west-1', maxAttempts: 1 });
  const storeWith = (keyId: string) =>
    createS3KeyringStore({ bucket: BUCKET, s3: client(), macKeyId: keyId });

  /** Rewrites the keyring object as a principal with s3:PutObject but no use of the HMAC key could. */
  const editObject = (edit: (json: Record<string, unknown>) => void) => {
    const json = JSON.parse(s3.getObject(BUCKET, KEY)?.body.toString('utf8') ?? '{}') as Record<
      string,
      unknown
    >;
    edit(json);
    s3.putObject(BUCKET, KEY, JSON.stringify(json, null, 2), { contentType: 'application/json' });
  };

  beforeEach(() => {
    s3 = createFakeS3();
    kms = createFakeKms();
    stubs.push(s3.install(), kms.install());
    s3.createBucket(BUCKET, { versioned: true });
    macKeyId = kms.createKey({ keySpec: 'HMAC_256' }).arn;
  });
  afterEach(() => {
    for (const stub of stubs.splice(0)) stub.restore();
  });

  it('SEALED: refuses a keyring with a key appended by hand (ERR_KEYRING_TAMPERED, exit 3)', async () => {
    // Prepare
    const store = storeWith(macKeyId);
    await store.create(makeKeyring());
    editObject((json) => {
      const [key] = json.keys as Record<string, unknown>[];
      (json.keys as unknown[]).push({
        ...key,
        kid: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        state: 'retired',
      });
    });

    // Act
    const error = await store.read('demo').catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(KeyringTamperedError);
    expect(error).toMatchObject({ code: 'ERR_KEYRING_TAMPERED' });
    expect(exitCodeFor(error)).toBe(3);
    expect((error as Error).message).toContain('keyturn reseal --aws --issuer demo');
    expect((error as Error).message).toContain('docs/aws.md');
    expect(kms.calls.map((call) => call.command)).toEqual(['GenerateMacCommand', 'VerifyMacCommand']);
  });

  it('RECOVERABLE: refuses a keyring without a MAC (ERR_KEYRING_UNSEALED) and reseal seals it once', async () => {
    // Prepare
    const store = storeWith(macKeyId);
    await store.create(makeKeyring());
    editObject((json) => {
      delete json.mac;
    });

    // Act
    const refused = await store.read('demo').catch((caught: unknown) => caught);
    const first = await store.reseal('demo');
    const second = await store.reseal('demo');

    // Assess
    expect(refused).toMatchObject({ code: 'ERR_KEYRING_UNSEALED' });
    expect(exitCodeFor(refused)).toBe(3);
    expect(first.before).toBe('unsealed');
    expect(second).toEqual({ stored: first.stored, before: 'sealed' });
    expect(await store.read('demo')).toEqual(first.stored);
  });

  it('SEALED: refuses a keyring sealed under another HMAC key', async () => {
    // Prepare
    await storeWith(kms.createKey({ keySpec: 'HMAC_256' }).arn).create(makeKeyring());

    // Act
    const read = storeWith(macKeyId).read('demo');

    // Assess
    await expect(read).rejects.toMatchObject({ code: 'ERR_KEYRING_TAMPERED' });
  });

  it('reports a VerifyMac the role may not call as ERR_AWS_ACCESS_DENIED, not as tampering', async () => {
    // Prepare
    const store = storeWith(macKeyId);
    await store.create(makeKeyring());
    kms.denyNext();

    // Act
    const read = store.read('demo');

    // Assess
    await expect(read).rejects.toMatchObject({ code: 'ERR_AWS_ACCESS_DENIED' });
  });
});

describe('fake KMS: HMAC keys', () => {
  let kms: FakeKms;
  let restore: () => void;
  const message = new TextEncoder().encode('keyring revision');
  beforeEach(() => {
    kms = createFakeKms();
    const stub = kms.install();
    restore = () => stub.restore();
  });
  afterEach(() => restore());

  it('computes a real HMAC-SHA-256 per key and verifies it (MacValid true)', async () => {
    // Prepare
    const client = new KMSClient({ region: 'eu-west-1' });
    const one = kms.createKey({ keySpec: 'HMAC_256' }).arn;
    const two = kms.createKey({ keySpec: 'HMAC_256' }).arn;
    const input = { Message: message, MacAlgorithm: 'HMAC_SHA_256' as const };

    // Act
    const macOne = (await client.send(new GenerateMacCommand({ ...input, KeyId: one }))).Mac;
    const macTwo = (await client.send(new GenerateMacCommand({ ...input, KeyId: two }))).Mac;
    const verified = await client.send(new VerifyMacCommand({ ...input, KeyId: one, Mac: macOne }));

    // Assess
    expect(macOne).toHaveLength(32);
    expect(Buffer.from(macOne ?? []).equals(Buffer.from(macTwo ?? []))).toBe(false);
    expect(verified).toMatchObject({ KeyId: one, MacValid: true, MacAlgorithm: 'HMAC_SHA_256' });
  });

  it('answers a wrong MAC with KMSInvalidMacException, as KMS does (never MacValid false)', async () => {
    // Prepare
    const client = new KMSClient({ region: 'eu-west-1' });
    const keyId = kms.createKey({ keySpec: 'HMAC_256' }).arn;
    const input = { Message: message, MacAlgorithm: 'HMAC_SHA_256' as const, KeyId: keyId };
    const mac = (await client.send(new GenerateMacCommand(input))).Mac ?? new Uint8Array();
    mac[0] = (mac[0] ?? 0) ^ 1;

    // Act
    const verify = client.send(new VerifyMacCommand({ ...input, Mac: mac }));

    // Assess
    await expect(verify).rejects.toMatchObject({ name: 'KMSInvalidMacException' });
  });

  it('refuses GenerateMac with an encryption key (InvalidKeyUsageException)', async () => {
    // Prepare
    const client = new KMSClient({ region: 'eu-west-1' });
    const keyId = kms.createKey().arn;

    // Act
    const generate = client.send(
      new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }),
    );

    // Assess
    await expect(generate).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
  });
});
