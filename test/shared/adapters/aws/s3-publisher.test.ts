import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createS3Publisher, type S3PublisherOptions } from '#shared/adapters/aws/s3-publisher.ts';
import { buildDiscovery, buildKeySet } from '#shared/issuer/index.ts';
import { parsePublicKey } from '#shared/keys/index.ts';
import { InvalidationTimeoutError, PublishConflictError } from '#shared/ports.ts';
import { commandsInOrder } from '#test/fakes/aws/fake-aws.ts';
import { createFakeCloudFront, type FakeCloudFront } from '#test/fakes/aws/fake-cloudfront.ts';
import { createFakeS3, type FakeS3 } from '#test/fakes/aws/fake-s3.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';

const BUCKET = 'keyturn-issuers';
const DISTRIBUTION = 'E2KEYTURNTEST';
const ISSUER = 'https://d111.cloudfront.net/cluster-a';
const CCOCTL_TAG = { 'openshift.io/cloud-credential-operator/cluster-a': 'owned' };
const fixtureKey = parsePublicKey(readKeyFixture('rsa2048.public'));
const otherKey = parsePublicKey(readKeyFixture('other2048.public'));

/** A 500 as S3 sends it when it fails on its side. */
function internalError(): S3ServiceException {
  return new S3ServiceException({
    name: 'InternalError',
    message: 'We encountered an internal error. Please try again.',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
  });
}

function documentsFor(issuerUrl: string, keys = [fixtureKey], generation = 1) {
  return { keySet: buildKeySet(keys), discovery: buildDiscovery(issuerUrl), generation };
}

describe('createS3Publisher', () => {
  let s3: FakeS3;
  let cloudFront: FakeCloudFront;
  let slept: number[];
  const newPublisher = (options: Partial<S3PublisherOptions> = {}) =>
    createS3Publisher({
      bucket: BUCKET,
      distributionId: DISTRIBUTION,
      s3: new S3Client({ region: 'eu-west-1', maxAttempts: 1 }),
      cloudFront: new CloudFrontClient({ region: 'us-east-1', maxAttempts: 1 }),
      sleep: async (ms) => {
        slept.push(ms);
      },
      ...options,
    });
  const commands = () => commandsInOrder(s3.calls, cloudFront.calls);

  beforeEach(() => {
    s3 = createFakeS3();
    s3.install();
    s3.createBucket(BUCKET);
    cloudFront = createFakeCloudFront({ distributions: [DISTRIBUTION] });
    cloudFront.install();
    slept = [];
  });
  afterEach(() => {
    s3.restore();
    cloudFront.restore();
  });

  describe('publish', () => {
    it.each([
      [ISSUER, 'cluster-a/'],
      [`${ISSUER}/`, 'cluster-a/'],
      ['https://oidc.example.com/fleet/eu-1', 'fleet/eu-1/'],
      ['https://oidc.example.com', ''],
    ])(
      'publishes %s under the key prefix %j with the headers relying parties need',
      async (issuerUrl, prefix) => {
        // Prepare
        const documents = documentsFor(issuerUrl);

        // Act
        await newPublisher().publish(issuerUrl, documents);

        // Assess
        const keySet = s3.getObject(BUCKET, `${prefix}keys.json`);
        const discovery = s3.getObject(BUCKET, `${prefix}.well-known/openid-configuration`);
        expect(keySet).toMatchObject({
          contentType: 'application/json',
          cacheControl: 'public, max-age=300',
        });
        expect(discovery).toMatchObject({
          contentType: 'application/json',
          cacheControl: 'public, max-age=3600',
        });
        expect(keySet?.body.toString('utf8')).toBe(documents.keySet);
        expect(discovery?.body.toString('utf8')).toBe(documents.discovery);
      },
    );

    it('creates absent documents with If-None-Match, keys.json first, without tags', async () => {
      await newPublisher().publish(ISSUER, documentsFor(ISSUER));

      expect(commands()).toEqual([
        'HeadObjectCommand',
        'PutObjectCommand',
        'HeadObjectCommand',
        'PutObjectCommand',
      ]);
      const puts = s3.calls.filter((call) => call.command === 'PutObjectCommand').map((call) => call.input);
      expect(puts.map((input) => input.Key)).toEqual([
        'cluster-a/keys.json',
        'cluster-a/.well-known/openid-configuration',
      ]);
      for (const input of puts) {
        expect(input).toMatchObject({ Bucket: BUCKET, IfNoneMatch: '*' });
        expect(input.IfMatch).toBeUndefined();
        expect(input.Tagging).toBeUndefined();
      }
    });

    it("replaces ccoctl's objects conditionally and keeps their tags", async () => {
      // Prepare: what ccoctl left (its discovery document is byte-for-byte different, with no headers).
      const before = s3.putObject(BUCKET, 'cluster-a/keys.json', buildKeySet([fixtureKey]), {
        tags: CCOCTL_TAG,
      });
      s3.putObject(BUCKET, 'cluster-a/.well-known/openid-configuration', '{"issuer": "x"}', {
        tags: CCOCTL_TAG,
      });
      const documents = documentsFor(ISSUER, [otherKey, fixtureKey]);

      // Act
      await newPublisher().publish(ISSUER, documents);

      // Assess
      expect(commands()).toEqual([
        'HeadObjectCommand',
        'GetObjectTaggingCommand',
        'PutObjectCommand',
        'HeadObjectCommand',
        'GetObjectTaggingCommand',
        'PutObjectCommand',
      ]);
      expect(s3.calls[2]?.input).toMatchObject({
        IfMatch: before.etag,
        Tagging: 'openshift.io%2Fcloud-credential-operator%2Fcluster-a=owned',
        ContentType: 'application/json',
        CacheControl: 'public, max-age=300',
      });
      for (const key of ['cluster-a/keys.json', 'cluster-a/.well-known/openid-configuration']) {
        expect(s3.getObject(BUCKET, key)?.tags).toEqual(CCOCTL_TAG);
      }
      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')?.body.toString('utf8')).toBe(documents.keySet);
    });

    it('keeps several tags, with characters that need encoding', async () => {
      const tags = { ...CCOCTL_TAG, 'cost center': 'a&b=c', empty: '' };
      s3.putObject(BUCKET, 'cluster-a/keys.json', '{}', { tags });

      await newPublisher().publish(ISSUER, documentsFor(ISSUER));

      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')?.tags).toEqual(tags);
    });

    it('writes nothing when the same documents are published again (RETRY-SAFE)', async () => {
      const publisher = newPublisher();
      await publisher.publish(ISSUER, documentsFor(ISSUER));
      s3.calls.length = 0;

      await publisher.publish(ISSUER, documentsFor(ISSUER));

      expect(commands()).toEqual(['HeadObjectCommand', 'HeadObjectCommand']);
    });

    it('converges when a write landed but its answer was lost (RETRY-SAFE)', async () => {
      // Prepare: S3 applies the keys.json write, then the answer is lost (a Lambda timeout, a dropped connection).
      s3.putObject(BUCKET, 'cluster-a/keys.json', buildKeySet([fixtureKey]), { tags: CCOCTL_TAG });
      s3.failNext('PutObjectCommand', () => internalError(), { afterApplying: true });
      const documents = documentsFor(ISSUER, [otherKey, fixtureKey]);
      const publisher = newPublisher();
      await expect(publisher.publish(ISSUER, documents)).rejects.toMatchObject({
        code: 'ERR_AWS_UNAVAILABLE',
      });
      s3.calls.length = 0;

      // Act
      await publisher.publish(ISSUER, documents);

      // Assess: keys.json is already right and is left alone; only the discovery document is written.
      expect(commands()).toEqual(['HeadObjectCommand', 'HeadObjectCommand', 'PutObjectCommand']);
      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')).toMatchObject({ tags: CCOCTL_TAG });
      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')?.body.toString('utf8')).toBe(documents.keySet);
    });

    it('rewrites an object with the same bytes but other headers', async () => {
      const documents = documentsFor(ISSUER);
      s3.putObject(BUCKET, 'cluster-a/keys.json', documents.keySet, {
        cacheControl: 'no-store',
        tags: CCOCTL_TAG,
      });

      await newPublisher().publish(ISSUER, documents);

      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')).toMatchObject({
        contentType: 'application/json',
        cacheControl: 'public, max-age=300',
        tags: CCOCTL_TAG,
      });
    });

    it("records the generation in both objects' metadata and keeps keys.json a plain JWKS", async () => {
      // Prepare
      const documents = documentsFor(ISSUER, [fixtureKey], 7);

      // Act
      const outcome = await newPublisher().publish(ISSUER, documents);

      // Assess
      expect(outcome).toBe('published');
      for (const key of ['cluster-a/keys.json', 'cluster-a/.well-known/openid-configuration']) {
        expect(s3.getObject(BUCKET, key)?.metadata).toEqual({ 'keyturn-generation': '7' });
      }
      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')?.body.toString('utf8')).toBe(documents.keySet);
    });

    it('never replaces documents of a newer generation with older ones, and sends no write (ALWAYS-VALID)', async () => {
      // Prepare: a rotation published the new key (generation 8); maintenance read the keyring before (7).
      const publisher = newPublisher();
      const newer = documentsFor(ISSUER, [fixtureKey, otherKey], 8);
      await publisher.publish(ISSUER, newer);
      s3.calls.length = 0;

      // Act
      const outcome = await publisher.publish(ISSUER, documentsFor(ISSUER, [fixtureKey], 7));

      // Assess
      expect(outcome).toBe('superseded');
      expect(commands()).toEqual(['HeadObjectCommand']);
      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')?.body.toString('utf8')).toBe(newer.keySet);
    });

    it('is superseded, not in conflict, when a newer publish lands between its read and its write (ALWAYS-VALID)', async () => {
      // Prepare
      s3.putObject(BUCKET, 'cluster-a/keys.json', buildKeySet([fixtureKey]), {
        metadata: { 'keyturn-generation': '7' },
      });
      const newer = buildKeySet([fixtureKey, otherKey]);
      s3.beforeNext('PutObjectCommand', () => {
        s3.putObject(BUCKET, 'cluster-a/keys.json', newer, { metadata: { 'keyturn-generation': '9' } });
      });

      // Act
      const outcome = await newPublisher().publish(ISSUER, documentsFor(ISSUER, [otherKey], 8));

      // Assess
      expect(outcome).toBe('superseded');
      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')?.body.toString('utf8')).toBe(newer);
    });

    it('publishes over objects that record no generation (ccoctl, older keyturn) and over older ones', async () => {
      // Prepare
      const publisher = newPublisher();
      s3.putObject(BUCKET, 'cluster-a/keys.json', buildKeySet([fixtureKey]));
      await publisher.publish(ISSUER, documentsFor(ISSUER, [fixtureKey], 0));

      // Act
      const outcome = await publisher.publish(ISSUER, documentsFor(ISSUER, [fixtureKey], 3));

      // Assess: the same bytes are written again so that the object records the newer generation.
      expect(outcome).toBe('published');
      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')?.metadata).toEqual({ 'keyturn-generation': '3' });
    });

    it('fails with ERR_PUBLISH_CONFLICT and keeps a hand edit made between its read and its write', async () => {
      // Prepare
      s3.putObject(BUCKET, 'cluster-a/keys.json', buildKeySet([fixtureKey]), { tags: CCOCTL_TAG });
      const handEdit = buildKeySet([otherKey]);
      s3.beforeNext('PutObjectCommand', () => {
        s3.putObject(BUCKET, 'cluster-a/keys.json', handEdit, { contentType: 'application/json' });
      });

      // Act
      const publishing = newPublisher().publish(ISSUER, documentsFor(ISSUER, [fixtureKey, otherKey]));

      // Assess
      await expect(publishing).rejects.toBeInstanceOf(PublishConflictError);
      await expect(publishing).rejects.toMatchObject({
        name: 'PublishConflictError',
        code: 'ERR_PUBLISH_CONFLICT',
        message: expect.stringContaining(`s3://${BUCKET}/cluster-a/keys.json was changed by someone else`),
      });
      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')?.body.toString('utf8')).toBe(handEdit);
      expect(s3.getObject(BUCKET, 'cluster-a/.well-known/openid-configuration')).toBeUndefined();
    });

    it('fails with ERR_PUBLISH_CONFLICT when the object appears between its read and its write', async () => {
      s3.beforeNext('PutObjectCommand', () => {
        s3.putObject(BUCKET, 'cluster-a/keys.json', 'by hand');
      });

      await expect(newPublisher().publish(ISSUER, documentsFor(ISSUER))).rejects.toMatchObject({
        code: 'ERR_PUBLISH_CONFLICT',
        message: expect.stringContaining('when it was absent'),
      });
      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')?.body.toString('utf8')).toBe('by hand');
    });

    it('turns a 409 ConditionalRequestConflict into ERR_PUBLISH_CONFLICT', async () => {
      s3.conflictNext();

      await expect(newPublisher().publish(ISSUER, documentsFor(ISSUER))).rejects.toMatchObject({
        code: 'ERR_PUBLISH_CONFLICT',
      });
      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')).toBeUndefined();
    });

    it.each([
      ['not JSON', '{"keys": [', 'ERR_KEYSET_INVALID'],
      ['an empty set', '{"keys": []}', 'ERR_KEYSET_INVALID'],
      [
        'a kid that is not the kube-apiserver kid',
        buildKeySet([fixtureKey]).replace(fixtureKey.kid, 'x'),
        'ERR_KEYSET_KID_MISMATCH',
      ],
    ])('refuses a key set with %s and sends nothing (ALWAYS-VALID)', async (_variant, keySet, code) => {
      await expect(
        newPublisher().publish(ISSUER, { keySet, discovery: buildDiscovery(ISSUER), generation: 1 }),
      ).rejects.toMatchObject({ code });
      expect(commands()).toEqual([]);
    });

    it('refuses a discovery document naming another issuer and sends nothing', async () => {
      await expect(
        newPublisher().publish(ISSUER, {
          keySet: buildKeySet([fixtureKey]),
          discovery: buildDiscovery(`${ISSUER}-b`),
          generation: 1,
        }),
      ).rejects.toMatchObject({ code: 'ERR_DISCOVERY_ISSUER_MISMATCH' });
      expect(commands()).toEqual([]);
    });

    it.each([
      'https://d111.cloudfront.net/a%2Fb',
      'https://d111.cloudfront.net/a//b',
      'https://d111.cloudfront.net/a%20b',
      'http://d111.cloudfront.net/cluster-a',
    ])('refuses the issuer %s with ERR_ISSUER_URL', async (issuerUrl) => {
      await expect(newPublisher().publish(issuerUrl, documentsFor(ISSUER))).rejects.toMatchObject({
        code: 'ERR_ISSUER_URL',
      });
      expect(commands()).toEqual([]);
    });

    it.each([
      ['throttled', (fake: FakeS3) => fake.throttleNext(1, 'HeadObjectCommand'), 'ERR_AWS_THROTTLED'],
      ['denied', (fake: FakeS3) => fake.denyNext(1, 'PutObjectCommand'), 'ERR_AWS_ACCESS_DENIED'],
      [
        'denied its tags',
        (fake: FakeS3) => fake.denyNext(1, 'GetObjectTaggingCommand'),
        'ERR_AWS_ACCESS_DENIED',
      ],
    ])('fails with a typed error when S3 is %s', async (_variant, fault, code) => {
      s3.putObject(BUCKET, 'cluster-a/keys.json', '{}', { tags: CCOCTL_TAG });
      fault(s3);

      await expect(newPublisher().publish(ISSUER, documentsFor(ISSUER))).rejects.toMatchObject({
        code,
        service: 'S3',
      });
      expect(s3.getObject(BUCKET, 'cluster-a/keys.json')?.body.toString('utf8')).toBe('{}');
    });
  });

  describe('invalidate', () => {
    it.each([
      [ISSUER, ['/cluster-a/keys.json', '/cluster-a/.well-known/openid-configuration']],
      ['https://oidc.example.com', ['/keys.json', '/.well-known/openid-configuration']],
    ])('invalidates exactly the two documents of %s', async (issuerUrl, paths) => {
      await newPublisher().invalidate(issuerUrl);

      expect(commands()).toEqual(['CreateInvalidationCommand']);
      expect(cloudFront.calls[0]?.input).toEqual({
        DistributionId: DISTRIBUTION,
        InvalidationBatch: { CallerReference: expect.any(String), Paths: { Quantity: 2, Items: paths } },
      });
    });

    it('makes a new invalidation on every call (a unique CallerReference)', async () => {
      const publisher = newPublisher();

      await publisher.invalidate(ISSUER);
      await publisher.invalidate(ISSUER);

      expect(cloudFront.invalidations).toHaveLength(2);
      expect(cloudFront.invalidations[0]?.callerReference).not.toBe(
        cloudFront.invalidations[1]?.callerReference,
      );
    });

    it('does nothing without a distribution', async () => {
      await newPublisher({ distributionId: undefined }).invalidate(ISSUER);

      expect(commands()).toEqual([]);
    });

    it('does not wait unless asked', async () => {
      await newPublisher().invalidate(ISSUER);

      expect(slept).toEqual([]);
      expect(commands()).toEqual(['CreateInvalidationCommand']);
    });

    it('waits through InProgress until Completed', async () => {
      cloudFront.setPollsUntilComplete(2);

      await newPublisher({ waitForInvalidation: true }).invalidate(ISSUER);

      expect(commands()).toEqual([
        'CreateInvalidationCommand',
        'GetInvalidationCommand',
        'GetInvalidationCommand',
        'GetInvalidationCommand',
      ]);
      expect(cloudFront.calls[1]?.input).toEqual({
        DistributionId: DISTRIBUTION,
        Id: cloudFront.invalidations[0]?.id,
      });
      expect(slept).toEqual([5000, 5000, 5000]);
    });

    it('fails with ERR_INVALIDATION_TIMEOUT after the polls allowed', async () => {
      cloudFront.setPollsUntilComplete(Number.POSITIVE_INFINITY);
      const publisher = newPublisher({
        waitForInvalidation: true,
        maxInvalidationPolls: 4,
        invalidationPollMs: 250,
      });

      const invalidating = publisher.invalidate(ISSUER);

      await expect(invalidating).rejects.toBeInstanceOf(InvalidationTimeoutError);
      await expect(invalidating).rejects.toMatchObject({
        name: 'InvalidationTimeoutError',
        code: 'ERR_INVALIDATION_TIMEOUT',
        message: expect.stringContaining('still InProgress after 4 polls'),
      });
      expect(commands().filter((command) => command === 'GetInvalidationCommand')).toHaveLength(4);
      expect(slept).toEqual([250, 250, 250, 250]);
    });

    it('polls at most 60 times, 5 s apart, by default', async () => {
      cloudFront.setPollsUntilComplete(Number.POSITIVE_INFINITY);

      await expect(newPublisher({ waitForInvalidation: true }).invalidate(ISSUER)).rejects.toMatchObject({
        code: 'ERR_INVALIDATION_TIMEOUT',
      });
      expect(slept).toHaveLength(60);
      expect(new Set(slept)).toEqual(new Set([5000]));
    });

    it.each([
      ['AccessDenied', 'ERR_AWS_ACCESS_DENIED', (fake: FakeCloudFront) => fake.denyNext()],
      ['Throttling', 'ERR_AWS_THROTTLED', (fake: FakeCloudFront) => fake.throttleNext()],
      [
        'TooManyInvalidationsInProgress',
        'ERR_AWS_THROTTLED',
        (fake: FakeCloudFront) => fake.tooManyInvalidationsNext(),
      ],
    ])('turns %s into %s', async (awsName, code, fault) => {
      fault(cloudFront);

      await expect(newPublisher().invalidate(ISSUER)).rejects.toMatchObject({
        code,
        awsName,
        service: 'CloudFront',
      });
    });

    it('reports a missing distribution with ERR_AWS_NOT_FOUND', async () => {
      await expect(newPublisher({ distributionId: 'EMISSING' }).invalidate(ISSUER)).rejects.toMatchObject({
        code: 'ERR_AWS_NOT_FOUND',
        awsName: 'NoSuchDistribution',
      });
    });

    it('turns an error while waiting into a typed error', async () => {
      cloudFront.denyNext(1, 'GetInvalidationCommand');

      await expect(newPublisher({ waitForInvalidation: true }).invalidate(ISSUER)).rejects.toMatchObject({
        code: 'ERR_AWS_ACCESS_DENIED',
        operation: 'GetInvalidation',
      });
    });
  });

  describe('readPublic', () => {
    /** A fetch that serves the bucket the way CloudFront with Origin Access Control does. */
    function cloudFrontFetch(requests: { url: string; init?: RequestInit }[] = []) {
      return async (url: string, init?: RequestInit) => {
        requests.push({ url, init });
        const object = s3.getObject(BUCKET, new URL(url).pathname.slice(1));
        if (object === undefined) {
          // Without s3:ListBucket, S3 answers a missing object with 403, and CloudFront passes it on.
          return new Response('<Error><Code>AccessDenied</Code></Error>', { status: 403 });
        }
        const headers = new Headers({ 'content-type': object.contentType, etag: object.etag });
        if (object.cacheControl !== undefined) headers.set('cache-control', object.cacheControl);
        return new Response(new Uint8Array(object.body), { status: 200, headers });
      };
    }

    /** A fetch that answers every request with this body, status and headers. */
    function answering(body: string, status: number, headers: Record<string, string>) {
      // Bytes, not a string: a string body would make Response add its own text/plain content type.
      return async () =>
        new Response(status === 200 ? new TextEncoder().encode(body) : null, { status, headers });
    }

    const jsonHeaders = { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' };

    it('reads back what was published, through the public URL', async () => {
      // Prepare
      const requests: { url: string; init?: RequestInit }[] = [];
      const documents = documentsFor(ISSUER, [fixtureKey, otherKey]);
      const publisher = newPublisher({ fetch: cloudFrontFetch(requests) });
      await publisher.publish(ISSUER, documents);
      s3.calls.length = 0;

      // Act
      const view = await publisher.readPublic(ISSUER);

      // Assess
      expect(view).toEqual({ kids: [fixtureKey.kid, otherKey.kid], keySet: documents.keySet });
      expect(requests.map((request) => request.url)).toEqual([`${ISSUER}/keys.json`]);
      expect(requests[0]?.init?.redirect).toBe('manual');
      expect(commands()).toEqual([]);
    });

    it('accepts a content type with a charset', async () => {
      const fetch = answering(buildKeySet([fixtureKey]), 200, {
        ...jsonHeaders,
        'content-type': 'application/json; charset=utf-8',
      });

      expect((await newPublisher({ fetch }).readPublic(ISSUER)).kids).toEqual([fixtureKey.kid]);
    });

    it.each([
      [
        'a wrong content type',
        { ...jsonHeaders, 'content-type': 'binary/octet-stream' },
        'binary/octet-stream',
      ],
      ['text/plain', { ...jsonHeaders, 'content-type': 'text/plain' }, 'text/plain'],
      ['no content type', { 'cache-control': 'public, max-age=300' }, '(none)'],
      ['no-store', { ...jsonHeaders, 'cache-control': 'no-store' }, 'no-store'],
      ['max-age=0', { ...jsonHeaders, 'cache-control': 'public, max-age=0' }, 'max-age=0'],
      [
        'max-age = 0 spelled loosely',
        { ...jsonHeaders, 'cache-control': 'Public, MAX-AGE = 0' },
        'max-age=0',
      ],
    ])('refuses keys.json served with %s with ERR_ISSUER_HEADERS', async (_variant, headers, named) => {
      const fetch = answering(buildKeySet([fixtureKey]), 200, headers);

      await expect(newPublisher({ fetch }).readPublic(ISSUER)).rejects.toMatchObject({
        name: 'IssuerHeadersError',
        code: 'ERR_ISSUER_HEADERS',
        message: expect.stringContaining(named),
      });
    });

    it('refuses a redirect with ERR_ISSUER_FETCH', async () => {
      const fetch = answering('', 301, { location: 'https://elsewhere.example.com/keys.json' });

      await expect(newPublisher({ fetch }).readPublic(ISSUER)).rejects.toMatchObject({
        code: 'ERR_ISSUER_FETCH',
        message: expect.stringContaining('301 redirect to https://elsewhere.example.com/keys.json'),
      });
    });

    it.each([404, 403, 503])('refuses an HTTP %i with ERR_ISSUER_FETCH', async (status) => {
      const fetch = answering('', status, jsonHeaders);

      await expect(newPublisher({ fetch }).readPublic(ISSUER)).rejects.toMatchObject({
        code: 'ERR_ISSUER_FETCH',
        message: expect.stringContaining(`HTTP ${status}`),
      });
    });

    it('refuses an unpublished issuer (403 from CloudFront) with ERR_ISSUER_FETCH', async () => {
      await expect(newPublisher({ fetch: cloudFrontFetch() }).readPublic(ISSUER)).rejects.toMatchObject({
        code: 'ERR_ISSUER_FETCH',
      });
    });

    it('refuses a served keys.json that is not a valid key set', async () => {
      const fetch = answering('{"keys": []}', 200, jsonHeaders);

      await expect(newPublisher({ fetch }).readPublic(ISSUER)).rejects.toMatchObject({
        code: 'ERR_KEYSET_INVALID',
      });
    });

    it('refuses an unreachable issuer with ERR_ISSUER_FETCH', async () => {
      const fetch = async () => {
        throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } });
      };

      await expect(newPublisher({ fetch }).readPublic(ISSUER)).rejects.toMatchObject({
        code: 'ERR_ISSUER_FETCH',
        message: expect.stringContaining('ENOTFOUND'),
      });
    });
  });
});
