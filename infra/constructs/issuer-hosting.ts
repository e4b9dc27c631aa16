import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { privateBucketProps } from './private-bucket.ts';

/** Props of {@link IssuerHosting}. */
export interface IssuerHostingProps {
  /** Receives the bucket's server access logs and the distribution's access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Serve every issuer under this name instead of the distribution's own. @default none */
  readonly domainName?: string;
  /** The ACM certificate (us-east-1) for `domainName`. Required with it. */
  readonly certificateArn?: string;
  /** A WAFv2 web ACL (global) to attach. @default none */
  readonly webAclArn?: string;
}

/**
 * The public face of every issuer: a private bucket holding `<issuer>/keys.json` and
 * `<issuer>/.well-known/openid-configuration`, served by one CloudFront distribution through Origin
 * Access Control, HTTPS only. The cache honours the Cache-Control keyturn writes on each object
 * (shared/issuer/publishing.ts), so a new key is visible within its max-age even without an invalidation.
 */
export class IssuerHosting extends Construct {
  /** The issuer bucket (KEYTURN_ISSUER_BUCKET). */
  public readonly bucket: s3.Bucket;
  /** The distribution (KEYTURN_DISTRIBUTION_ID). */
  public readonly distribution: cloudfront.Distribution;
  /** `https://<domain>` without a trailing slash; issuer X is `${baseUrl}/X`. */
  public readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: IssuerHostingProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', privateBucketProps(props.accessLogsBucket, 's3/issuers/'));
    const customDomain =
      props.domainName !== undefined && props.certificateArn !== undefined
        ? {
            domainNames: [props.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {};
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'keyturn OIDC issuers',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        cachePolicy: this.createCachePolicy(),
        responseHeadersPolicy: this.createResponseHeadersPolicy(),
        compress: true,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: props.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.webAclArn === undefined ? {} : { webAclId: props.webAclArn }),
      ...customDomain,
    });
    this.baseUrl = `https://${props.domainName ?? this.distribution.distributionDomainName}`;
    this.acknowledgeFindings(props);
  }

  private acknowledgeFindings(props: IssuerHostingProps): void {
    const distribution = Validations.of(this.distribution);
    distribution.acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'AWS STS and relying parties fetch keys.json from every region and network; a geo restriction would make token verification fail for them.',
    });
    if (props.webAclArn === undefined) {
      distribution.acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'Two small public read-only documents, cached, GET/HEAD only, no origin logic to protect; a web ACL can be attached with hosting.webAclArn.',
      });
    }
    if (props.domainName === undefined) {
      distribution.acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose minimum TLS version cannot be set; hosting.domainName with certificateArn enforces TLS 1.2 (TLSv1.2_2021).',
      });
    }
  }

  /** The URL of issuer `issuerId` (its keys.json is `${url}/keys.json`). */
  issuerUrl(issuerId: string): string {
    return `${this.baseUrl}/${issuerId}`;
  }

  /** The ARN of the distribution, for cloudfront:CreateInvalidation. */
  get distributionArn(): string {
    return Stack.of(this).formatArn({
      service: 'cloudfront',
      region: '',
      resource: 'distribution',
      resourceName: this.distribution.distributionId,
    });
  }

  /**
   * Cache keys carry nothing from the request (the documents do not vary); the TTL follows the object's
   * Cache-Control (keys.json max-age 300, discovery 3600), with 5 minutes when an object has none and a
   * day at most. Not CachingDisabled: STS and every verifier read through the cache.
   */
  private createCachePolicy(): cloudfront.CachePolicy {
    return new cloudfront.CachePolicy(this, 'CachePolicy', {
      comment: 'keyturn: honour the Cache-Control of keys.json and discovery',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.minutes(5),
      maxTtl: Duration.days(1),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
  }

  /** CORS for browser-based verifiers (GET from any origin, no credentials), HSTS and nosniff. */
  private createResponseHeadersPolicy(): cloudfront.ResponseHeadersPolicy {
    return new cloudfront.ResponseHeadersPolicy(this, 'ResponseHeaders', {
      comment: 'keyturn: CORS GET *, HSTS, nosniff',
      corsBehavior: {
        accessControlAllowCredentials: false,
        accessControlAllowHeaders: ['*'],
        accessControlAllowMethods: ['GET', 'HEAD'],
        accessControlAllowOrigins: ['*'],
        accessControlMaxAge: Duration.days(1),
        originOverride: true,
      },
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
      },
    });
  }
}
