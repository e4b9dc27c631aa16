import type { KMSClient } from '@aws-sdk/client-kms';
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
import { type Keyring, parseKeyring } from '../../keyring/keyring.ts';
import {
  checkKeyringSeal,
  openSealedKeyring,
  type ResealableKeyringStore,
  sealKeyring,
} from '../../keyring/keyring-mac.ts';
import type { StoredKeyring } from '../../ports.ts';
import { kmsClient, s3Client } from './clients.ts';
import { createKmsKeyringMacKey } from './kms-keyring-mac-key.ts';
import { isConditionalWriteConflict, isMissingObject, requireETag, s3Bucket } from './s3-objects.ts';
import type { KeyturnStackOutputs } from './stack-outputs.ts';

/** Where the S3 keyring store keeps keyrings. */
export interface S3KeyringStoreOptions {
  /** The private, versioned state bucket. */
  readonly bucket: string;
  /** Key prefix of the keyring objects. @default 'keyrings/' */
  readonly prefix?: string;
  /** @default the process's S3 client (clients.ts) */
  readonly s3?: S3Client;
  /** The KMS HMAC key that authenticates every keyring revision (stack output KeyringMacKeyArn). */
  readonly macKeyId: string;
  /** @default the process's KMS client (clients.ts) */
  readonly kms?: KMSClient;
}

/** The command that re-seals a keyring of the deployed stack once a person has checked it. */
const RESEAL = (issuerId: string) => `keyturn reseal --aws --issuer ${issuerId}`;

/**
 * A KeyringStore in S3: `<prefix><issuerId>.json` holds the serialised keyring and its revision is the
 * object's ETag. `create` writes with `If-None-Match: *` and `update` with `If-Match: <revision>`, so S3
 * itself arbitrates: of two writers from one revision exactly one wins and the other gets
 * KeyringConflictError (ONE-SIGNER); a retried step re-reads and converges (RETRY-SAFE). The bucket's
 * versioning keeps every earlier keyring; encryption is the bucket's default. Each revision carries an
 * HMAC made by KMS (keyring-mac.ts): `read` refuses a keyring whose MAC fails (ERR_KEYRING_TAMPERED) or
 * is missing (ERR_KEYRING_UNSEALED), so whoever may write the state bucket but not use the HMAC key
 * cannot make keyturn publish a key.
 */
export function createS3KeyringStore(options: S3KeyringStoreOptions): ResealableKeyringStore {
  const bucket = s3Bucket(options.bucket, options.s3);
  const macKey = createKmsKeyringMacKey({ keyId: options.macKeyId, kms: options.kms });
  const prefix = options.prefix ?? 'keyrings/';
  const keyOf = (issuerId: string) => `${prefix}${issuerId}.json`;

  /** Writes the keyring with one precondition; returns what was written and its new ETag. */
  const put = async (
    keyring: Keyring,
    condition: Pick<PutObjectCommandInput, 'IfMatch' | 'IfNoneMatch'>,
  ): Promise<StoredKeyring> => {
    const key = keyOf(keyring.issuerId);
    const text = await sealKeyring(keyring, macKey, bucket.location(key));
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

  /** The stored keyring, its shape and issuer checked but not its MAC; undefined when there is none. */
  const readUnverified = async (issuerId: string) => {
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
    return { text: object.text, keyring, revision };
  };

  return {
    async read(issuerId) {
      const found = await readUnverified(issuerId);
      if (found === undefined) return undefined;
      const keyring = await openSealedKeyring(found.text, macKey, {
        source: bucket.location(keyOf(issuerId)),
        resealCommand: RESEAL(issuerId),
        docs: 'docs/aws.md, "Tamper evidence"',
      });
      return { keyring, revision: found.revision };
    },

    async reseal(issuerId) {
      const found = await readUnverified(issuerId);
      if (found === undefined) {
        throw new IssuerNotFoundError(
          'ERR_ISSUER_NOT_FOUND',
          `issuer ${issuerId} has no keyring in ${bucket.location(prefix)}; run keyturn init --aws first`,
        );
      }
      const before = await checkKeyringSeal(found.text, found.keyring, macKey);
      if (before === 'sealed') {
        return { stored: { keyring: found.keyring, revision: found.revision }, before };
      }
      try {
        return { stored: await put(found.keyring, { IfMatch: found.revision }), before };
      } catch (error) {
        if (isConditionalWriteConflict(error)) {
          throw new KeyringConflictError(
            'ERR_KEYRING_CONFLICT',
            `the keyring of ${issuerId} changed while it was being re-sealed; check it again, then rerun ${RESEAL(issuerId)}`,
            { cause: error },
          );
        }
        throw error;
      }
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
 * The keyring store of a deployed stack (its state bucket and keyring HMAC key), with the process's S3 and
 * KMS clients of `region` (or of the SDK's default region).
 */
export function createStackKeyringStore(
  stack: Pick<KeyturnStackOutputs, 'stateBucketName' | 'keyringMacKeyArn'>,
  region?: string,
): ResealableKeyringStore {
  return createS3KeyringStore({
    bucket: stack.stateBucketName,
    s3: s3Client(region),
    macKeyId: stack.keyringMacKeyArn,
    kms: kmsClient(region),
  });
}
