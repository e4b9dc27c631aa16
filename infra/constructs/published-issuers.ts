import type { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { issuerObjects } from '#shared/adapters/aws/issuer-objects.ts';
import type { KeyturnConfig } from '../config/keyturn-config.ts';
import type { PublishedIssuer } from './inventory-grants.ts';
import type { IssuerHosting } from './issuer-hosting.ts';

/**
 * Where each configured issuer is published: under `<id>/` in the stack's bucket behind its distribution,
 * or, for an issuer migrated in place, at its existing URL's path in the bucket ccoctl created (and its
 * distribution, if it has one). Object keys come from the same function the publisher uses.
 */
export function publishedIssuers(
  stack: Stack,
  config: KeyturnConfig,
  hosting: IssuerHosting,
): PublishedIssuer[] {
  return config.issuers.map((issuer) => {
    const existing = issuer.existingIssuer;
    if (existing === undefined) {
      return {
        id: issuer.id,
        bucket: hosting.bucket,
        // The base URL is a deploy-time token; only the path matters for the object keys.
        documentKeys: issuerObjects(`https://issuer.invalid/${issuer.id}`).map((object) => object.key),
        distributionArn: hosting.distributionArn,
      };
    }
    return {
      id: issuer.id,
      bucket: s3.Bucket.fromBucketName(stack, `ExistingIssuerBucket-${issuer.id}`, existing.bucketName),
      documentKeys: issuerObjects(existing.url).map((object) => object.key),
      ...(existing.distributionId === undefined
        ? {}
        : {
            distributionArn: stack.formatArn({
              service: 'cloudfront',
              region: '',
              resource: 'distribution',
              resourceName: existing.distributionId,
            }),
          }),
    };
  });
}
