import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { issuerIdOfKeyringName } from '#shared/identifiers.ts';
import {
  IssuerExistsError,
  IssuerNotFoundError,
  KeyringConflictError,
  KeyringFormatError,
} from '../../keyring/errors.ts';
import { type Keyring, parseKeyring, serializeKeyring } from '../../keyring/keyring.ts';
import type { KeyringStore, StoredKeyring } from '../../ports.ts';
import { isConditionalWriteConflict, isMissingObject, requireETag, s3Bucket } from './s3-objects.ts';

/** Where the S3 keyring store keeps keyrings. */
export interface S3KeyringStoreOptions {
  /** The private, versioned state bucket. */
  readonly bucket: string;
  /** Key prefix of the keyring objects. @default 'keyrings/' */
  readonly prefix?: string;
  /** @default the process's S3 client (clients.ts) */
  readonly s3?: S3Client;
}

/**
 * A KeyringStore in S3: `<prefix><issuerId>.json` holds the serialised keyring and its revision is the
 * object's ETag. `create` writes with `If-None-Match: *` and `update` with `If-Match: <revision>`, so S3
 * itself arbitrates: of two writers from one revision exactly one wins and the other gets
 * KeyringConflictError (ONE-SIGNER); a retried step re-reads and converges (RETRY-SAFE). The bucket's
 * versioning keeps every earlier keyring; encryption is the bucket's default.
 */
export function createS3KeyringStore(options: S3KeyringStoreOptions): KeyringStore {
  const bucket = s3Bucket(options.bucket, options.s3);
  const prefix = options.prefix ?? 'keyrings/';
  const keyOf = (issuerId: string) => `${prefix}${issuerId}.json`;

  /** Writes the keyring with one precondition; returns what was written and its new ETag. */
  const put = async (
    keyring: Keyring,
    condition: Pick<PutObjectCommandInput, 'IfMatch' | 'IfNoneMatch'>,
  ): Promise<StoredKeyring> => {
    const key = keyOf(keyring.issuerId);
    const text = encodeKeyring(keyring, bucket.location(key));
    const output = await bucket.send('PutObject', key, (s3) =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket.name,
          Key: key,
          Body: text,
          ContentType: 'application/json',
          ...condition,
        }),
      ),
    );
    const revision = requireETag(output.ETag, {
      service: 'S3',
      operation: 'PutObject',
      resource: bucket.location(key),
    });
    return { keyring: parseKeyring(text, bucket.location(key)), revision };
  };

  return {
    async read(issuerId) {
      const key = keyOf(issuerId);
      let object: { text: string; etag: string | undefined };
      try {
        object = await bucket.send('GetObject', key, async (s3) => {
          const output = await s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
          return { text: (await output.Body?.transformToString('utf8')) ?? '', etag: output.ETag };
        });
      } catch (error) {
        if (isMissingObject(error)) return undefined;
        throw error;
      }
      const keyring = parseKeyring(object.text, bucket.location(key));
      if (keyring.issuerId !== issuerId) {
        throw new KeyringFormatError(
          'ERR_KEYRING_FORMAT',
          `${bucket.location(key)}: holds the keyring of issuer ${keyring.issuerId}; a keyring object must be named after its issuer`,
        );
      }
      const revision = requireETag(object.etag, {
        service: 'S3',
        operation: 'GetObject',
        resource: bucket.location(key),
      });
      return { keyring, revision };
    },

    async create(keyring) {
      try {
        return await put(keyring, { IfNoneMatch: '*' });
      } catch (error) {
        if (isConditionalWriteConflict(error) && error.httpStatus === 412) {
          throw new IssuerExistsError(
            'ERR_ISSUER_EXISTS',
            `issuer ${keyring.issuerId} already has a keyring (${bucket.location(keyOf(keyring.issuerId))}); keyturn never overwrites one`,
            { cause: error },
          );
        }
        if (isConditionalWriteConflict(error)) {
          throw new KeyringConflictError(
            'ERR_KEYRING_CONFLICT',
            `another process is creating the keyring of ${keyring.issuerId} at the same moment; re-read it and retry`,
            { cause: error },
          );
        }
        throw error;
      }
    },

    async update(keyring, expectedRevision) {
      try {
        return await put(keyring, { IfMatch: expectedRevision });
      } catch (error) {
        if (isConditionalWriteConflict(error)) {
          throw new KeyringConflictError(
            'ERR_KEYRING_CONFLICT',
            `the keyring of ${keyring.issuerId} changed since it was read (revision ${expectedRevision}); re-read it and retry`,
            { cause: error },
          );
        }
        // S3 answers an If-Match write on a missing object with 404, not 412.
        if (isMissingObject(error)) {
          throw new IssuerNotFoundError(
            'ERR_ISSUER_NOT_FOUND',
            `issuer ${keyring.issuerId} has no keyring to update (${bucket.location(keyOf(keyring.issuerId))}); run keyturn init first`,
            { cause: error },
          );
        }
        throw error;
      }
    },

    async list() {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await bucket.send('ListObjectsV2', prefix, (s3) =>
          s3.send(
            new ListObjectsV2Command({ Bucket: bucket.name, Prefix: prefix, ContinuationToken: token }),
          ),
        );
        for (const object of page.Contents ?? []) {
          const id = issuerIdOfKeyringName(object.Key?.slice(prefix.length) ?? '');
          if (id !== undefined) ids.push(id);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return ids.sort();
    },
  };
}

/**
 * Validates a keyring before it is written, so a bad one fails with KeyringFormatError like a bad object
 * does (serializeKeyring alone would throw zod's own error).
 */
function encodeKeyring(keyring: Keyring, location: string): string {
  return serializeKeyring(parseKeyring(JSON.stringify(keyring), `the keyring to write to ${location}`));
}
