import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FULL_CONFIG, synthForSuite } from './synth-stack.ts';

/** CloudFront's managed CachingDisabled policy: keyturn must not use it (STS reads through the cache). */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

describe('IssuerHosting', () => {
  const minimal = synthForSuite();
  const full = synthForSuite(FULL_CONFIG);

  it('keeps every bucket private: all public access blocked, SSL only, no policy granting anyone', () => {
    const buckets = minimal.template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    const policies = Object.values(minimal.template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      const statements = policy.Properties.PolicyDocument.Statement as Record<string, unknown>[];
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
        expect(JSON.stringify(statement.Principal)).not.toMatch(/"\*"|\{"AWS":"\*"\}/);
      }
    }
  });

  it('versions the issuer bucket and logs its access', () => {
    minimal.template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { LogFilePrefix: 's3/issuers/', DestinationBucketName: Match.anyValue() },
    });
  });

  it('reads the bucket through Origin Access Control, signed, and only from this distribution', () => {
    minimal.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    minimal.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        Origins: [
          Match.objectLike({
            OriginAccessControlId: Match.anyValue(),
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ],
      },
    });
    minimal.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    expect(minimal.template.findResources('AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual({});
  });

  it('serves HTTPS only, compressed, GET and HEAD', () => {
    minimal.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'https-only',
          Compress: true,
          AllowedMethods: ['GET', 'HEAD'],
        }),
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      },
    });
  });

  it('honours the Cache-Control keyturn writes instead of disabling the cache', () => {
    minimal.template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        MinTTL: 0,
        DefaultTTL: 300,
        MaxTTL: 86400,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          EnableAcceptEncodingGzip: true,
          EnableAcceptEncodingBrotli: true,
          CookiesConfig: { CookieBehavior: 'none' },
          HeadersConfig: { HeaderBehavior: 'none' },
          QueryStringsConfig: { QueryStringBehavior: 'none' },
        }),
      },
    });
    const behavior = Object.values(minimal.template.findResources('AWS::CloudFront::Distribution'))[0]
      ?.Properties.DistributionConfig.DefaultCacheBehavior;
    expect(behavior.CachePolicyId).toEqual({ Ref: expect.stringMatching(/CachePolicy/) });
    expect(JSON.stringify(behavior)).not.toContain(CACHING_DISABLED);
  });

  it('answers with CORS for GET from any origin, HSTS and nosniff', () => {
    minimal.template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        CorsConfig: Match.objectLike({
          AccessControlAllowCredentials: false,
          AccessControlAllowMethods: { Items: ['GET', 'HEAD'] },
          AccessControlAllowOrigins: { Items: ['*'] },
        }),
        SecurityHeadersConfig: {
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 63072000, Override: true }),
          ContentTypeOptions: { Override: true },
        },
      },
    });
  });

  it('serves a custom domain with its certificate and TLS 1.2 at least, behind the configured web ACL', () => {
    full.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['oidc.example.com'],
        ViewerCertificate: {
          AcmCertificateArn: FULL_CONFIG.hosting.certificateArn,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
        WebACLId: FULL_CONFIG.hosting.webAclArn,
      }),
    });
    const outputs = full.template.findOutputs('IssuerBaseUrl');
    expect(outputs.IssuerBaseUrl?.Value).toBe('https://oidc.example.com');
  });
});
