import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import {
  createFakeServiceCore,
  type FaultInjector,
  type RecordedCall,
  responseMetadata,
} from './fake-aws.ts';

/** One stored object version, as the fake keeps it. */
export interface FakeS3Object {
  readonly key: string;
  readonly body: Buffer;
  /** Quoted MD5 hex of the body, as S3 answers for a single-part upload. */
  readonly etag: string;
  /** Set in a versioned bucket only. */
  readonly versionId: string | undefined;
  readonly contentType: string;
  readonly cacheControl: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** User metadata (`x-amz-meta-*`), keys lower-cased as S3 keeps them. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly lastModified: Date;
}

/** What another writer (a person with the console, ccoctl) may set on an object. */
export interface FakeS3WriteOptions {
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Options of {@link createFakeS3}. */
export interface FakeS3Options {
  /** Most keys ListObjectsV2 returns per page, whatever MaxKeys asks. @default 1000 */
  readonly maxKeysPerPage?: number;
}

/**
 * A stateful S3 behind aws-sdk-client-mock: buckets (versioned or not), objects with ETags, version ids,
 * content type, cache control and tags, conditional writes (If-Match / If-None-Match), listing with
 * continuation tokens, and injectable faults (throttling is 503 SlowDown, denial 403 AccessDenied), each
 * answered with an error shaped like the SDK's.
 */
export interface FakeS3 extends FaultInjector {
  /** Every command sent through the SDK, in order (faulted ones included). */
  readonly calls: RecordedCall[];
  /** Stubs `send` of S3Client (every instance, the module singleton too) or of one client. */
  install(target?: S3Client | typeof S3Client): AwsClientStub<S3Client>;
  /** Removes the stub installed by {@link install}. */
  restore(): void;
  createBucket(name: string, options?: { readonly versioned?: boolean }): void;
  /** Writes an object as someone else would (not recorded in `calls`, no faults). */
  putObject(
    bucket: string,
    key: string,
    body: string | Uint8Array,
    options?: FakeS3WriteOptions,
  ): FakeS3Object;
  /** The current version of an object. */
  getObject(bucket: string, key: string): FakeS3Object | undefined;
  /** Every version of an object, oldest first (one in an unversioned bucket). */
  versions(bucket: string, key: string): FakeS3Object[];
  /** Answers the next `n` conditional PutObjects with 409 ConditionalRequestConflict (a racing write). */
  conflictNext(n?: number): void;
  /** Runs `action` just before the next command of this kind is applied (a hand edit in between). */
  beforeNext(command: string, action: () => void): void;
}

interface Bucket {
  readonly versioned: boolean;
  readonly objects: Map<string, FakeS3Object[]>;
}

type Input = Record<string, unknown>;

/** Creates an empty fake S3; call `install()` to route the SDK through it. */
export function createFakeS3(options: FakeS3Options = {}): FakeS3 {
  const core = createFakeServiceCore({
    throttled: () => s3Error('SlowDown', 503, 'Please reduce your request rate.'),
    denied: () => s3Error('AccessDenied', 403, 'Access Denied'),
  });
  const buckets = new Map<string, Bucket>();
  const hooks: { command: string; action: () => void }[] = [];
  let conflicts = 0;
  let versionCounter = 0;
  let stub: AwsClientStub<S3Client> | undefined;

  const bucketOf = (name: unknown): Bucket => {
    const bucket = buckets.get(String(name));
    if (bucket === undefined) throw s3Error('NoSuchBucket', 404, 'The specified bucket does not exist');
    return bucket;
  };
  const current = (bucket: Bucket, key: string) => bucket.objects.get(key)?.at(-1);

  const store = (bucket: Bucket, key: string, body: Buffer, write: FakeS3WriteOptions): FakeS3Object => {
    versionCounter += 1;
    const object: FakeS3Object = {
      key,
      body,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      versionId: bucket.versioned ? `v${String(versionCounter).padStart(6, '0')}` : undefined,
      // S3 stores binary/octet-stream when a PUT names no content type.
      contentType: write.contentType ?? 'binary/octet-stream',
      cacheControl: write.cacheControl,
      tags: { ...(write.tags ?? {}) },
      metadata: Object.fromEntries(
        Object.entries(write.metadata ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
      ),
      lastModified: new Date(),
    };
    const history = bucket.versioned ? (bucket.objects.get(key) ?? []) : [];
    bucket.objects.set(key, [...history, object]);
    return object;
  };

  /** Records the call and applies faults (the shared core), runs a pending hook, then answers. */
  const answer =
    (command: string, handle: (input: Input) => object) =>
    (input: Input): Promise<object> =>
      core.handle(command, input, () => {
        const hook = hooks.findIndex((entry) => entry.command === command);
        if (hook >= 0) hooks.splice(hook, 1)[0]?.action();
        return handle(input);
      });

  const putObject = (input: Input) => {
    const bucket = bucketOf(input.Bucket);
    const key = String(input.Key);
    const existing = current(bucket, key);
    const conditional = input.IfMatch !== undefined || input.IfNoneMatch !== undefined;
    if (conditional && conflicts > 0) {
      conflicts -= 1;
      throw s3Error('ConditionalRequestConflict', 409, 'A conflicting operation occurred; retry');
    }
    if (input.IfNoneMatch !== undefined) {
      if (input.IfNoneMatch !== '*') throw s3Error('NotImplemented', 501, 'If-None-Match accepts only *');
      if (existing !== undefined) throw preconditionFailed();
    }
    if (input.IfMatch !== undefined) {
      // AWS S3 User Guide, "Conditional write behavior": with If-Match and no current version the write
      // fails with 404 Not Found, not 412.
      if (existing === undefined) throw noSuchKey();
      if (unquote(String(input.IfMatch)) !== unquote(existing.etag)) throw preconditionFailed();
    }
    const object = store(bucket, key, bodyBytes(input.Body), {
      contentType: input.ContentType as string | undefined,
      cacheControl: input.CacheControl as string | undefined,
      tags: parseTagging(input.Tagging),
      metadata: input.Metadata as Record<string, string> | undefined,
    });
    return { ETag: object.etag, VersionId: object.versionId };
  };

  const readObject = (input: Input, missing: () => S3ServiceException): FakeS3Object => {
    const object = current(bucketOf(input.Bucket), String(input.Key));
    if (object === undefined) throw missing();
    return object;
  };

  const headers = (object: FakeS3Object) => ({
    ETag: object.etag,
    VersionId: object.versionId,
    ContentType: object.contentType,
    CacheControl: object.cacheControl,
    ContentLength: object.body.length,
    LastModified: object.lastModified,
    Metadata: { ...object.metadata },
  });

  const listObjects = (input: Input) => {
    const bucket = bucketOf(input.Bucket);
    const prefix = String(input.Prefix ?? '');
    const after = input.ContinuationToken === undefined ? '' : decodeToken(String(input.ContinuationToken));
    const pageSize = Math.min(Number(input.MaxKeys ?? 1000), options.maxKeysPerPage ?? 1000);
    const keys = [...bucket.objects.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
    const page = keys.slice(0, pageSize);
    const truncated = keys.length > page.length;
    return {
      Name: String(input.Bucket),
      Prefix: prefix,
      KeyCount: page.length,
      IsTruncated: truncated,
      NextContinuationToken: truncated ? encodeToken(page.at(-1) ?? '') : undefined,
      Contents: page.map((key) => {
        const object = current(bucket, key) as FakeS3Object;
        return { Key: key, ETag: object.etag, Size: object.body.length, LastModified: object.lastModified };
      }),
    };
  };

  return {
    calls: core.calls,
    throttleNext: core.throttleNext,
    denyNext: core.denyNext,
    failNext: core.failNext,
    install(target = S3Client) {
      stub = mockClient(target);
      stub.onAnyCommand().rejects(new Error('the fake S3 does not implement this command'));
      stub.on(PutObjectCommand).callsFake(answer('PutObjectCommand', putObject));
      stub.on(GetObjectCommand).callsFake(
        answer('GetObjectCommand', (input) => {
          const object = readObject(input, noSuchKey);
          return { ...headers(object), Body: streamOf(object.body) };
        }),
      );
      // HEAD answers carry no body, so the SDK can only name a 404 after the status: NotFound.
      stub
        .on(HeadObjectCommand)
        .callsFake(answer('HeadObjectCommand', (input) => headers(readObject(input, notFound))));
      stub.on(GetObjectTaggingCommand).callsFake(
        answer('GetObjectTaggingCommand', (input) => {
          const object = readObject(input, noSuchKey);
          const TagSet = Object.entries(object.tags).map(([Key, Value]) => ({ Key, Value }));
          return { VersionId: object.versionId, TagSet };
        }),
      );
      stub.on(ListObjectsV2Command).callsFake(answer('ListObjectsV2Command', listObjects));
      return stub;
    },
    restore() {
      stub?.restore();
      stub = undefined;
    },
    createBucket(name, bucketOptions = {}) {
      buckets.set(name, { versioned: bucketOptions.versioned ?? false, objects: new Map() });
    },
    putObject(bucket, key, body, write = {}) {
      return store(bucketOf(bucket), key, Buffer.from(body), write);
    },
    getObject(bucket, key) {
      return current(bucketOf(bucket), key);
    },
    versions(bucket, key) {
      return [...(bucketOf(bucket).objects.get(key) ?? [])];
    },
    conflictNext(n = 1) {
      conflicts += n;
    },
    beforeNext(command, action) {
      hooks.push({ command, action });
    },
  };
}

/** An error as the SDK throws it: `name`, `$fault`, `$metadata.httpStatusCode`. */
function s3Error(name: string, status: number, message: string): S3ServiceException {
  return new S3ServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: responseMetadata(status),
  });
}

function preconditionFailed(): S3ServiceException {
  return s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
}

function noSuchKey(): S3ServiceException {
  return s3Error('NoSuchKey', 404, 'The specified key does not exist.');
}

function notFound(): S3ServiceException {
  return s3Error('NotFound', 404, 'Not Found');
}

function unquote(etag: string): string {
  return etag.replace(/^"(.*)"$/, '$1');
}

function bodyBytes(body: unknown): Buffer {
  if (typeof body === 'string' || body instanceof Uint8Array) return Buffer.from(body);
  if (body === undefined) return Buffer.alloc(0);
  throw new Error('the fake S3 takes a PutObject Body of a string or bytes only');
}

/** The `Tagging` query string (`k1=v1&k2=v2`, URL-encoded) as a record; S3 allows 10 tags at most. */
function parseTagging(tagging: unknown): Record<string, string> {
  if (tagging === undefined) return {};
  const tags = Object.fromEntries(new URLSearchParams(String(tagging)));
  if (Object.keys(tags).length > 10)
    throw s3Error('BadRequest', 400, 'Object tags cannot be greater than 10');
  return tags;
}

/** A Node stream with the SDK's mixin methods, as GetObject's `Body` is in Node. */
function streamOf(bytes: Buffer) {
  return Object.assign(Readable.from([bytes]), {
    transformToString: async (encoding: BufferEncoding = 'utf8') => bytes.toString(encoding),
    transformToByteArray: async () => new Uint8Array(bytes),
    transformToWebStream: () => Readable.toWeb(Readable.from([bytes])),
  });
}

function encodeToken(key: string): string {
  return Buffer.from(key).toString('base64url');
}

function decodeToken(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}
