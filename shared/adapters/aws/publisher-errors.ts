import { KeyturnError } from '../../errors.ts';

/**
 * An issuer document in the bucket changed (or appeared, or vanished) between the publisher reading it
 * and writing it: someone edited it by hand, or another publish ran at the same moment. Nothing was
 * overwritten. Retryable: a re-run reads the new object and writes on top of it, keeping its tags.
 */
export class PublishConflictError extends KeyturnError<'ERR_PUBLISH_CONFLICT'> {}

/**
 * A CloudFront invalidation did not complete within the polls allowed. It keeps running in CloudFront;
 * retryable: a re-run invalidates again and waits again.
 */
export class InvalidationTimeoutError extends KeyturnError<'ERR_INVALIDATION_TIMEOUT'> {}

/**
 * The public keys.json answers 200 but with headers relying parties mishandle: a content type other than
 * application/json, or caching forbidden (`no-store`, `max-age=0`), DESIGN.md §1.
 */
export class IssuerHeadersError extends KeyturnError<'ERR_ISSUER_HEADERS'> {}
