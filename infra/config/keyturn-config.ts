import { z } from 'zod';
import {
  AWS_ISSUER_ID_MAX_LENGTH,
  AWS_ISSUER_ID_PATTERN,
  BUCKET_NAME_PATTERN,
  DISTRIBUTION_ID_PATTERN,
} from '#shared/identifiers.ts';
import { LOG_RETENTION_DAYS } from '../constructs/log-retention.ts';

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_US_EAST_1 = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;
const IAM_ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const IAM_ROLE_OR_USER = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;
const OIDC_PROVIDER = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/;
const WAF_ACL = /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+$/;

const existingIssuerSchema = z.strictObject({
  /** The issuer URL clusters already use (ccoctl's S3 or CloudFront URL); it does not change. */
  url: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }),
  /** The bucket ccoctl created; keyturn writes keys.json and discovery there. */
  bucketName: z.string().regex(BUCKET_NAME_PATTERN, 'must be an S3 bucket name'),
  /** The distribution in front of that bucket, if any, to invalidate after each publish. */
  distributionId: z
    .string()
    .regex(DISTRIBUTION_ID_PATTERN, 'must be a CloudFront distribution id')
    .optional(),
});

const issuerSchema = z.strictObject({
  id: z
    .string()
    // Issuer ids name a URL path, an S3 prefix, secrets and execution names (`<id>--<uuid>` ≤ 80 chars).
    .regex(
      AWS_ISSUER_ID_PATTERN,
      `must be 1-${AWS_ISSUER_ID_MAX_LENGTH} lowercase letters, digits, '.' or '-', starting alphanumeric`,
    ),
  /** Days between scheduled rotations. @default rotation.intervalDays */
  rotationIntervalDays: z.int().min(1).max(3650).optional(),
  /** Alarm when the active key is older than this. @default rotation.maxKeyAgeDays */
  maxKeyAgeDays: z.int().min(1).max(3650).optional(),
  /** Create the IAM OIDC provider, or name the one that exists. @default 'create' */
  oidcProvider: z
    .union([
      z.literal('create'),
      z.strictObject({ existingArn: z.string().regex(OIDC_PROVIDER, 'must be an IAM OIDC provider ARN') }),
    ])
    .default('create'),
  /** A ccoctl-created issuer migrated in place: keep its URL and bucket. */
  existingIssuer: existingIssuerSchema.optional(),
});

/** The schema of keyturn.config.json; `parseKeyturnConfig` adds the cross-field checks. */
export const keyturnConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  /** @default 'Keyturn' */
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,100}$/, 'must be a CloudFormation stack name')
    .default('Keyturn'),
  /** Pin the stack to an account and region. @default environment-agnostic */
  env: z.strictObject({ account: z.string().regex(ACCOUNT), region: z.string().regex(REGION) }).optional(),
  hosting: z
    .strictObject({
      /** A custom domain for every issuer URL (recommended: URLs survive a new distribution). */
      domainName: z.string().regex(HOST, 'must be a lowercase DNS name').optional(),
      /** ACM certificate in us-east-1 covering domainName. */
      certificateArn: z
        .string()
        .regex(ACM_US_EAST_1, 'must be an ACM certificate ARN in us-east-1')
        .optional(),
      /** A WAF web ACL (global, us-east-1) for the distribution. */
      webAclArn: z.string().regex(WAF_ACL, 'must be a global WAFv2 web ACL ARN').optional(),
    })
    .default({}),
  rotation: z
    .strictObject({
      /** @default 90 */
      intervalDays: z.int().min(1).max(3650).default(90),
      /** @default 104 (the interval plus two weeks) */
      maxKeyAgeDays: z.int().min(1).max(3650).optional(),
    })
    .default({ intervalDays: 90 }),
  fleet: z
    .strictObject({
      /** Rotations running at once in a fleet rotation. @default 2 */
      maxConcurrency: z.int().min(1).max(1000).default(2),
      /** Share of issuers that may fail before the fleet execution fails. @default 0 */
      toleratedFailurePercentage: z.number().min(0).max(100).default(0),
    })
    .default({ maxConcurrency: 2, toleratedFailurePercentage: 0 }),
  /** Principals allowed to use the signing key from outside the functions (`keyturn init --aws`). */
  operatorRoleArns: z.array(z.string().regex(IAM_ROLE, 'must be an IAM role ARN')).default([]),
  /**
   * The IAM roles and users (of any account) that may send rotation requests to keyturn's event bus; the
   * bus denies every other principal. `[]`: nobody. @default operatorRoleArns
   */
  rotationRequesterArns: z
    .array(z.string().regex(IAM_ROLE_OR_USER, 'must be an IAM role or user ARN'))
    .max(20)
    .optional(),
  alarms: z.strictObject({ email: z.email().optional() }).default({}),
  /** Days the functions' and workflows' logs are kept. @default 365 */
  logRetentionDays: z
    .int()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(365),
  /** Place the functions that reach the cluster API in a VPC (private clusters). */
  vpc: z
    .strictObject({
      vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/),
      availabilityZones: z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/)).min(1),
      privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/)).min(1),
      securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/)).min(1),
    })
    .optional(),
  issuers: z.array(issuerSchema).min(1, 'list at least one issuer').max(200),
});

/** A validated keyturn deployment: the stack, its hosting and every issuer it rotates. */
export type KeyturnConfig = z.output<typeof keyturnConfigSchema>;
/** One issuer of the fleet. */
export type IssuerConfig = KeyturnConfig['issuers'][number];
