import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Props of {@link AccessLogBucket}. */
export interface AccessLogBucketProps {
  /** Days access logs are kept. @default 365 */
  readonly retentionDays?: number;
}

/**
 * The bucket that receives the S3 server access logs of keyturn's buckets and the CloudFront access
 * logs: private, SSL only, ACLs enabled only because CloudFront standard logging writes with an ACL.
 */
export class AccessLogBucket extends Construct {
  /** The log bucket; pass it as `serverAccessLogsBucket`. */
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(props.retentionDays ?? 365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging its own accesses into itself would loop.',
    });
  }
}
