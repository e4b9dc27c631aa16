import { createHash } from 'node:crypto';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createS3KeyringStore } from '#shared/adapters/aws/s3-keyring-store.ts';
import { type Keyring, serializeKeyring } from '#shared/keyring/keyring.ts';
import { createFakeKms, type FakeKms } from '#test/fakes/aws/fake-kms.ts';
import { createFakeS3, type FakeS3 } from '#test/fakes/aws/fake-s3.ts';
import { makeKeyring } from '#test/shared/adapters/local/local-home.ts';

const BUCKET = 'keyturn-state';

/** A keyring changed in a way that changes its object (and so its ETag). */
function withAudience(audience: string, issuerId = 'demo'): Keyring {
  const keyring = makeKeyring(issuerId);
  return { ...keyring, policy: { ...keyring.policy, audience } };
}

/** A 500 as S3 sends it when it fails on its side. */
function internalError(): S3ServiceException {
  return new S3ServiceException({
    name: 'InternalError',
    message: 'We encountered an internal error. Please try again.',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
  });
}

function md5ETag(text: string): string {
  return `"${createHash('md5').update(text).digest('hex')}"`;
}

describe('createS3KeyringStore', () => {
  let s3: FakeS3;
  let kms: FakeKms;
  let macKeyId: string;
  let restoreKms: () => void;
  // SDK retries never run behind aws-sdk-client-mock (it stubs `send`); maxAttempts: 1 says so anyway.
  const client = () => new S3Client({ region: 'eu-west-1', maxAttempts: 1 });
  const newStore = (prefix?: string) =>
    createS3KeyringStore({ bucket: BUCKET, prefix, s3: client(), macKeyId });

  beforeEach(() => {
    s3 = createFakeS3({ maxKeysPerPage: 2 });
    s3.install();
    s3.createBucket(BUCKET, { versioned: true });
    kms = createFakeKms();
    const stub = kms.install();
    restoreKms = () => stub.restore();
    macKeyId = kms.createKey({ keySpec: 'HMAC_256' }).arn;
  });
  afterEach(() => {
    s3.restore();
    restoreKms();
  });

  it('creates a keyring and reads it back with the same revision, the object ETag', async () => {
    // Prepare
    const store = newStore();

    // Act
    const created = await store.create(makeKeyring());
    const read = await store.read('demo');

    // Assess
    const object = s3.getObject(BUCKET, 'keyrings/demo.json');
    const body = object?.body.toString('utf8') ?? '';
    const { mac, ...stored } = JSON.parse(body);
    expect(read).toEqual(created);
    expect(created.revision).toBe(md5ETag(body));
    expect(stored).toEqual(JSON.parse(serializeKeyring(makeKeyring())));
    expect(mac).toMatch(/^hmac-sha256:[\w-]{43}$/);
    expect(object?.contentType).toBe('application/json');
  });

  it('sends exactly one command per method, with the conditions of a compare-and-swap', async () => {
    const store = newStore();

    const created = await store.create(makeKeyring());
    await store.read('demo');
    await store.update(withAudience('sts.amazonaws.com'), created.revision);
    await store.list();

    expect(s3.calls.map((call) => call.command)).toEqual([
      'PutObjectCommand',
      'GetObjectCommand',
      'PutObjectCommand',
      'ListObjectsV2Command',
    ]);
    expect(s3.calls[0]?.input).toMatchObject({
      Bucket: BUCKET,
      Key: 'keyrings/demo.json',
      ContentType: 'application/json',
      IfNoneMatch: '*',
    });
    expect(s3.calls[2]?.input).toMatchObject({ Key: 'keyrings/demo.json', IfMatch: created.revision });
    // Encryption is the bucket's default; the store never names one.
    expect(s3.calls[0]?.input).not.toHaveProperty('ServerSideEncryption');
  });

  it('reads undefined for an issuer without a keyring', async () => {
    expect(await newStore().read('demo')).toBeUndefined();
  });

  it('updates from the current revision and keeps every version in the versioned bucket', async () => {
    const store = newStore();
    const created = await store.create(makeKeyring());

    const updated = await store.update(withAudience('other'), created.revision);

    expect(updated.revision).not.toBe(created.revision);
    expect(await store.read('demo')).toEqual(updated);
    expect(s3.versions(BUCKET, 'keyrings/demo.json').map((version) => version.etag)).toEqual([
      created.revision,
      updated.revision,
    ]);
  });

  it('lets exactly one of two updates from the same revision win (ONE-SIGNER)', async () => {
    // Prepare
    const created = await newStore().create(makeKeyring());

    // Act
    const outcomes = await Promise.allSettled([
      newStore().update(withAudience('first'), created.revision),
      newStore().update(withAudience('second'), created.revision),
    ]);

    // Assess
    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const losers = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0]?.reason).toMatchObject({
      code: 'ERR_KEYRING_CONFLICT',
      message: expect.stringContaining('re-read it and retry'),
    });
    expect(await newStore().read('demo')).toEqual(winners[0]?.value);
  });

  it('refuses an update from a revision that is no longer current with ERR_KEYRING_CONFLICT', async () => {
    const store = newStore();
    const created = await store.create(makeKeyring());
    const updated = await store.update(withAudience('newer'), created.revision);

    await expect(store.update(withAudience('stale'), created.revision)).rejects.toMatchObject({
      code: 'ERR_KEYRING_CONFLICT',
    });
    expect(await store.read('demo')).toEqual(updated);
  });

  it('lets a step whose update landed but whose answer was lost converge on re-read (RETRY-SAFE)', async () => {
    // Prepare: S3 applies the write, then the answer is lost; the re-run from the same revision loses.
    const store = newStore();
    const created = await store.create(makeKeyring());
    s3.failNext('PutObjectCommand', () => internalError(), { afterApplying: true });
    await expect(store.update(withAudience('landed'), created.revision)).rejects.toMatchObject({
      code: 'ERR_AWS_UNAVAILABLE',
    });

    // Act
    const rerun = store.update(withAudience('landed'), created.revision);

    // Assess: the conflict sends the step back to read, where it finds its own write.
    await expect(rerun).rejects.toMatchObject({ code: 'ERR_KEYRING_CONFLICT' });
    expect((await store.read('demo'))?.keyring).toEqual(withAudience('landed'));
  });

  it('turns a 409 ConditionalRequestConflict into ERR_KEYRING_CONFLICT and writes nothing', async () => {
    const store = newStore();
    const created = await store.create(makeKeyring());
    s3.conflictNext();

    await expect(store.update(withAudience('other'), created.revision)).rejects.toMatchObject({
      code: 'ERR_KEYRING_CONFLICT',
    });
    expect(await store.read('demo')).toEqual(created);
  });

  it('turns a 409 on create into ERR_KEYRING_CONFLICT (another creator is racing)', async () => {
    s3.conflictNext();

    await expect(newStore().create(makeKeyring())).rejects.toMatchObject({ code: 'ERR_KEYRING_CONFLICT' });
    expect(await newStore().read('demo')).toBeUndefined();
  });

  it('refuses to create a keyring that exists with ERR_ISSUER_EXISTS', async () => {
    const store = newStore();
    const created = await store.create(makeKeyring());

    await expect(store.create(withAudience('other'))).rejects.toMatchObject({ code: 'ERR_ISSUER_EXISTS' });
    expect(await store.read('demo')).toEqual(created);
  });

  it('lets exactly one of many concurrent creators win (ONE-SIGNER)', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, index) => newStore().create(withAudience(`aud-${index}`))),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes.filter((entry) => entry.status === 'rejected')) {
      expect(outcome.reason).toMatchObject({ code: 'ERR_ISSUER_EXISTS' });
    }
  });

  it('refuses to update an issuer without a keyring with ERR_ISSUER_NOT_FOUND', async () => {
    await expect(
      newStore().update(makeKeyring(), '"0123456789abcdef0123456789abcdef"'),
    ).rejects.toMatchObject({
      code: 'ERR_ISSUER_NOT_FOUND',
    });
    expect(s3.getObject(BUCKET, 'keyrings/demo.json')).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"schemaVersion": 1, "issuerId": "de'],
    ['another schema version', JSON.stringify({ ...makeKeyring(), schemaVersion: 2 })],
    ['an unknown field', JSON.stringify({ ...makeKeyring(), extra: true })],
    ['the keyring of another issuer', serializeKeyring(makeKeyring('other'))],
    ['an empty object', ''],
  ])('rejects a stored keyring that is %s with ERR_KEYRING_FORMAT', async (_variant, text) => {
    s3.putObject(BUCKET, 'keyrings/demo.json', text);

    await expect(newStore().read('demo')).rejects.toMatchObject({
      code: 'ERR_KEYRING_FORMAT',
      message: expect.stringContaining(`s3://${BUCKET}/keyrings/demo.json`),
    });
  });

  it('refuses to write an invalid keyring with ERR_KEYRING_FORMAT and sends nothing', async () => {
    const invalid = { ...makeKeyring(), issuerId: 'Not Valid' };

    await expect(newStore().create(invalid)).rejects.toMatchObject({ code: 'ERR_KEYRING_FORMAT' });
    expect(s3.calls).toEqual([]);
  });

  it('lists issuer ids sorted across pages, ignoring other objects', async () => {
    const store = newStore();
    for (const id of ['zeta', 'alpha', 'mid.example', 'beta-2', 'demo']) {
      await store.create(makeKeyring(id));
    }
    s3.putObject(BUCKET, 'keyrings/README.txt', 'not a keyring');
    s3.putObject(BUCKET, 'keyrings/archive/old.json', '{}');
    s3.putObject(BUCKET, 'other/ghost.json', '{}');
    s3.calls.length = 0;

    const ids = await store.list();

    expect(ids).toEqual(['alpha', 'beta-2', 'demo', 'mid.example', 'zeta']);
    // 7 objects under the prefix, 2 per page: four ListObjectsV2 calls chained by continuation tokens.
    const inputs = s3.calls.map((call) => call.input);
    expect(inputs).toHaveLength(4);
    expect(inputs[0]).toEqual({ Bucket: BUCKET, Prefix: 'keyrings/', ContinuationToken: undefined });
    expect(inputs[1]?.ContinuationToken).toEqual(expect.any(String));
  });

  it('lists nothing in an empty bucket, and keeps to its own prefix', async () => {
    await newStore('fleet-a/').create(makeKeyring('one'));

    expect(await newStore().list()).toEqual([]);
    expect(await newStore('fleet-a/').list()).toEqual(['one']);
    expect(s3.getObject(BUCKET, 'fleet-a/one.json')).toBeDefined();
  });

  it('uses the process S3 client when none is injected', async () => {
    const store = createS3KeyringStore({ bucket: BUCKET, macKeyId });

    await store.create(makeKeyring());

    expect(await store.read('demo')).toBeDefined();
  });

  describe('AWS errors', () => {
    const methods = [
      ['read', (store: ReturnType<typeof newStore>) => store.read('demo')],
      ['create', (store: ReturnType<typeof newStore>) => store.create(withAudience('x', 'fresh'))],
      [
        'update',
        (store: ReturnType<typeof newStore>, revision: string) => store.update(withAudience('x'), revision),
      ],
      ['list', (store: ReturnType<typeof newStore>) => store.list()],
    ] as const;

    it.each(methods)('%s turns SlowDown into ERR_AWS_THROTTLED', async (_name, call) => {
      const store = newStore();
      const { revision } = await store.create(makeKeyring());
      s3.throttleNext(5);

      await expect(call(store, revision)).rejects.toMatchObject({
        code: 'ERR_AWS_THROTTLED',
        awsName: 'SlowDown',
        httpStatus: 503,
        message: expect.stringContaining(`s3://${BUCKET}/keyrings/`),
      });
    });

    it.each(methods)('%s turns AccessDenied into ERR_AWS_ACCESS_DENIED', async (_name, call) => {
      const store = newStore();
      const { revision } = await store.create(makeKeyring());
      s3.denyNext();

      await expect(call(store, revision)).rejects.toMatchObject({
        code: 'ERR_AWS_ACCESS_DENIED',
        awsName: 'AccessDenied',
        httpStatus: 403,
      });
    });

    it('reports a missing bucket with ERR_AWS_NOT_FOUND', async () => {
      const store = createS3KeyringStore({ bucket: 'no-such-bucket', s3: client(), macKeyId });

      await expect(store.read('demo')).rejects.toMatchObject({
        code: 'ERR_AWS_NOT_FOUND',
        awsName: 'NoSuchBucket',
      });
    });
  });
});
