import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import { parseDiscovery } from '../../issuer/discovery.ts';
import { normalizeIssuerUrl } from '../../issuer/issuer-url.ts';
import { parseKeySet } from '../../issuer/key-set.ts';
import type { Fetch } from '../../issuer/read-public-issuer.ts';
import { readPublicKeySet } from '../../issuer/served-headers.ts';
import type { IssuerPublisher } from '../../ports.ts';
import { invalidatePaths } from './cloudfront-invalidation.ts';
import { writeIssuerDocument } from './issuer-document-writer.ts';
import { issuerObjects } from './issuer-objects.ts';
import { s3Bucket } from './s3-objects.ts';

/** Where the S3 publisher writes, what it invalidates, and how it reads back. */
export interface S3PublisherOptions {
  /** The private issuer bucket CloudFront serves (Origin Access Control). */
  readonly bucket: string;
  /** The CloudFront distribution in front of the bucket; without one, `invalidate` does nothing. */
  readonly distributionId?: string;
  /** Make `invalidate` wait until CloudFront reports the invalidation Completed. @default false */
  readonly waitForInvalidation?: boolean;
  /** Used by `readPublic`. @default globalThis.fetch */
  readonly fetch?: Fetch;
  /** @default the process's S3 client (clients.ts) */
  readonly s3?: S3Client;
  /** @default the process's CloudFront client (clients.ts) */
  readonly cloudFront?: CloudFrontClient;
  /** Waits between invalidation polls; injectable so tests do not wait. @default a real timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Time between invalidation polls. @default 5000 */
  readonly invalidationPollMs?: number;
  /** Invalidation polls before InvalidationTimeoutError. @default 60 */
  readonly maxInvalidationPolls?: number;
}

/**
 * An IssuerPublisher on S3 and CloudFront: the issuer `https://d111.cloudfront.net/cluster-a` is published
 * as `cluster-a/keys.json` and `cluster-a/.well-known/openid-configuration` in the bucket, keys.json
 * first so the discovery document never names keys that are not there yet. Writes are conditional,
 * keep the objects' tags and record the documents' generation in the objects' metadata; objects of a
 * higher generation are left alone, so a stale writer is `superseded` (see writeIssuerDocument); a
 * re-publish of the same bytes and generation writes nothing (RETRY-SAFE). `readPublic` reads through the
 * public URL, as STS does.
 */
export function createS3Publisher(options: S3PublisherOptions): IssuerPublisher {
  const bucket = s3Bucket(options.bucket, options.s3);
  return {
    async publish(issuerUrl, documents) {
      const issuer = normalizeIssuerUrl(issuerUrl);
      const [keySetObject, discoveryObject] = issuerObjects(issuer);
      // ALWAYS-VALID: nothing that would not pass a relying party's checks reaches the bucket.
      parseKeySet(documents.keySet);
      parseDiscovery(documents.discovery, issuer);
      const { generation } = documents;
      const keySet = await writeIssuerDocument(bucket, keySetObject, { body: documents.keySet, generation });
      if (keySet === 'superseded') return 'superseded';
      const discovery = await writeIssuerDocument(bucket, discoveryObject, {
        body: documents.discovery,
        generation,
      });
      return discovery === 'superseded' ? 'superseded' : 'published';
    },

    async invalidate(issuerUrl) {
      if (options.distributionId === undefined) return;
      const paths = issuerObjects(issuerUrl).map((object) => `/${object.key}`);
      await invalidatePaths(
        {
          distributionId: options.distributionId,
          wait: options.waitForInvalidation ?? false,
          cloudFront: options.cloudFront,
          sleep: options.sleep,
          pollIntervalMs: options.invalidationPollMs,
          maxPolls: options.maxInvalidationPolls,
        },
        paths,
      );
    },

    readPublic: (issuerUrl) => readPublicKeySet(issuerUrl, { fetch: options.fetch }),
  };
}
