import { createHash } from 'node:crypto';
import { GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand, type Tag } from '@aws-sdk/client-s3';
import { ISSUER_CACHE_CONTROL, ISSUER_CONTENT_TYPE } from '../../issuer/publishing.ts';
import { PublishConflictError } from '../../port-errors.ts';
import { GENERATION_METADATA, type IssuerObject } from './issuer-objects.ts';
import { isConditionalWriteConflict, isMissingObject, type S3Bucket } from './s3-objects.ts';

/** What an issuer document object holds now, as HeadObject tells it. */
interface CurrentObject {
  readonly etag: string;
  readonly contentType: string | undefined;
  readonly cacheControl: string | undefined;
  /** The keyring generation it was built from (GENERATION_METADATA); 0 when it records none. */
  readonly generation: number;
}

/** One issuer document to write: its text and the keyring generation it was built from. */
export interface IssuerDocumentWrite {
  readonly body: string;
  readonly generation: number;
}

/**
 * Writes one issuer document with the headers DESIGN.md §1 asks for and its generation in the object's
 * metadata, keeping the object's tags (ccoctl marks its objects
 * `openshift.io/cloud-credential-operator/<name>=owned`, and a PutObject without `Tagging` would drop
 * them). An object of a higher generation is left alone (`superseded`): documents of an older keyring
 * revision never replace those of a newer one. The write is conditional on what was read: `If-Match` the
 * ETag seen, or `If-None-Match: *` when there was no object; when it fails because the object changed,
 * the object is read again: a publish of a higher generation got in between (`superseded`), anything
 * else (a hand edit) fails with PublishConflictError instead of being overwritten. An object that
 * already has these bytes (its ETag is their MD5, as for any single-part upload encrypted with SSE-S3),
 * these headers and this generation is left alone (RETRY-SAFE).
 */
export async function writeIssuerDocument(
  bucket: S3Bucket,
  object: IssuerObject,
  document: IssuerDocumentWrite,
): Promise<'written' | 'unchanged' | 'superseded'> {
  const { body, generation } = document;
  const cacheControl = ISSUER_CACHE_CONTROL[object.document];
  const current = await headObject(bucket, object.key);
  if (current !== undefined && current.generation > generation) {
    return 'superseded';
  }
  if (
    current?.etag === md5ETag(body) &&
    current.contentType === ISSUER_CONTENT_TYPE &&
    current.cacheControl === cacheControl &&
    current.generation === generation
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
          Metadata: { [GENERATION_METADATA]: String(generation) },
          Tagging: encodeTagging(tags),
          ...(current === undefined ? { IfNoneMatch: '*' } : { IfMatch: current.etag }),
        }),
      ),
    );
  } catch (error) {
    // 412/409: the object is not the one read; 404 on If-Match: it was deleted since.
    if (isConditionalWriteConflict(error) || isMissingObject(error)) {
      const now = await headObject(bucket, object.key);
      if (now !== undefined && now.generation > generation) return 'superseded';
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
    return {
      etag: output.ETag,
      contentType: output.ContentType,
      cacheControl: output.CacheControl,
      generation: generationOf(output.Metadata),
    };
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

/** The generation an object's metadata records; 0 when it has none or not a whole number (a hand edit). */
function generationOf(metadata: Record<string, string> | undefined): number {
  const generation = Number(metadata?.[GENERATION_METADATA] ?? '0');
  return Number.isSafeInteger(generation) && generation >= 0 ? generation : 0;
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
