import type { S3Client } from '@aws-sdk/client-s3';
import { type AwsCallContext, AwsNotFoundError, AwsRejectedError, callAws } from './aws-errors.ts';
import { s3Client } from './clients.ts';

/** The small surface both S3 adapters share: one bucket, one client, every call mapped to typed errors. */
export interface S3Bucket {
  readonly name: string;
  /** Sends one S3 command; errors become keyturn's typed AWS errors (see aws-errors.ts). */
  send<T>(operation: string, key: string, call: (client: S3Client) => Promise<T>): Promise<T>;
  /** `s3://bucket/key`, for messages. */
  location(key: string): string;
}

/** A bucket seen through `client`, or through the process's S3 client when none is injected. */
export function s3Bucket(name: string, client?: S3Client): S3Bucket {
  const location = (key: string) => `s3://${name}/${key}`;
  return {
    name,
    location,
    send(operation, key, call) {
      const context: AwsCallContext = { service: 'S3', operation, resource: location(key) };
      return callAws(context, () => call(client ?? s3Client()));
    },
  };
}

/**
 * True when S3 refused a conditional write because the object is not what the writer expected:
 * 412 PreconditionFailed (the ETag differs, or If-None-Match met an object) or 409
 * ConditionalRequestConflict (another write to the key raced this one). Both mean: re-read and retry.
 */
export function isConditionalWriteConflict(error: unknown): error is AwsRejectedError {
  return error instanceof AwsRejectedError && (error.httpStatus === 412 || error.httpStatus === 409);
}

/**
 * True when the object is not there: NoSuchKey from GetObject and GetObjectTagging (and from an If-Match
 * PutObject whose object is gone), NotFound from HeadObject, which has no body to name the error.
 */
export function isMissingObject(error: unknown): error is AwsNotFoundError {
  return error instanceof AwsNotFoundError && (error.awsName === 'NoSuchKey' || error.awsName === 'NotFound');
}

/** An S3 ETag for a write that must always return one. */
export function requireETag(etag: string | undefined, context: AwsCallContext): string {
  if (etag === undefined || etag === '') {
    throw new AwsRejectedError(
      'ERR_AWS_REJECTED',
      context,
      'MissingETag',
      undefined,
      'S3 answered without an ETag; check that the endpoint is S3 or an S3-compatible store that supports conditional writes',
    );
  }
  return etag;
}
