import { createHash } from 'node:crypto';
import { GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand, type Tag } from '@aws-sdk/client-s3';
import { ISSUER_CACHE_CONTROL, ISSUER_CONTENT_TYPE } from '../../issuer/publishing.ts';
import { PublishConflictError } from '../../port-errors.ts';
import type { IssuerObject } from './issuer-objects.ts';
import { isConditionalWriteConflict, isMissingObject, type S3Bucket } from './s3-objects.ts';

/** What an issuer document object holds now, as HeadObject tells it. */
interface CurrentObject {
  readonly etag: string;
  readonly contentType: string | undefined;
  readonly cacheControl: string | undefined;
}

/**
 * Writes one issuer document with the headers DESIGN.md §1 asks for, keeping the object's tags (ccoctl
 * marks its objects `openshift.io/cloud-credential-operator/<name>=owned`, and a PutObject without
 * `Tagging` would drop them). The write is conditional on what was read: `If-Match` the ETag seen, or
 * `If-None-Match: *` when there was no object, so a concurrent hand edit fails the publish with
 * PublishConflictError instead of being overwritten. An object that already has these bytes (its ETag is
 * their MD5, as for any single-part upload encrypted with SSE-S3) and these headers is left alone.
 */
export async function writeIssuerDocument(
  bucket: S3Bucket,
  object: IssuerObject,
  body: string,
): Promise<'written' | 'unchanged'> {
  const cacheControl = ISSUER_CACHE_CONTROL[object.document];
  const current = await headObject(bucket, object.key);
  if (
    current?.etag === md5ETag(body) &&
    current.contentType === ISSUER_CONTENT_TYPE &&
    current.cacheControl === cacheControl
  ) {
    return 'unchanged';
  }
  const tags = current === undefined ? [] : await readTags(bucket, object.key);
  try {
    await bucket.send('PutObject', object.key, (s3) =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket.name,
          Key: object.key,
          Body: body,
          ContentType: ISSUER_CONTENT_TYPE,
          CacheControl: cacheControl,
          Tagging: encodeTagging(tags),
          ...(current === undefined ? { IfNoneMatch: '*' } : { IfMatch: current.etag }),
        }),
      ),
    );
  } catch (error) {
    // 412/409: the object is not the one read; 404 on If-Match: it was deleted since.
    if (isConditionalWriteConflict(error) || isMissingObject(error)) {
      throw conflict(bucket.location(object.key), current, error);
    }
    throw error;
  }
  return 'written';
}

async function headObject(bucket: S3Bucket, key: string): Promise<CurrentObject | undefined> {
  try {
    const output = await bucket.send('HeadObject', key, (s3) =>
      s3.send(new HeadObjectCommand({ Bucket: bucket.name, Key: key })),
    );
    if (output.ETag === undefined) return undefined;
    return { etag: output.ETag, contentType: output.ContentType, cacheControl: output.CacheControl };
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
}

async function readTags(bucket: S3Bucket, key: string): Promise<Tag[]> {
  try {
    const output = await bucket.send('GetObjectTagging', key, (s3) =>
      s3.send(new GetObjectTaggingCommand({ Bucket: bucket.name, Key: key })),
    );
    return output.TagSet ?? [];
  } catch (error) {
    if (isMissingObject(error)) {
      throw new PublishConflictError(
        'ERR_PUBLISH_CONFLICT',
        `${bucket.location(key)} was deleted while keyturn was reading it; nothing was written: retry the publish`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** The `Tagging` of a PutObject: tags as a URL query string (`k1=v1&k2=v2`), absent when there are none. */
function encodeTagging(tags: readonly Tag[]): string | undefined {
  const pairs = tags.flatMap(({ Key, Value }) =>
    Key === undefined ? [] : [`${encodeURIComponent(Key)}=${encodeURIComponent(Value ?? '')}`],
  );
  return pairs.length === 0 ? undefined : pairs.join('&');
}

/** The ETag S3 gives a single-part upload of `body`: its MD5 in hex, quoted. */
function md5ETag(body: string): string {
  return `"${createHash('md5').update(body, 'utf8').digest('hex')}"`;
}

function conflict(location: string, read: CurrentObject | undefined, cause: unknown): PublishConflictError {
  const seen = read === undefined ? 'when it was absent' : `at ETag ${read.etag}`;
  return new PublishConflictError(
    'ERR_PUBLISH_CONFLICT',
    `${location} was changed by someone else since keyturn read it ${seen} (a hand edit or another publish); nothing was overwritten: check the object, then retry the publish`,
    { cause },
  );
}
