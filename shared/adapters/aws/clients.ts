import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';

/**
 * SDK clients, created once per process (and per region, when a caller names one) on first use. Region,
 * credentials and endpoint otherwise come from the environment the SDK already reads (AWS_REGION,
 * AWS_PROFILE, AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE>), so a user can point keyturn at an emulator
 * without code. Throttling and transient errors are retried by the SDK (standard retry mode,
 * `maxAttempts`), and by the workflow after that, never by a hand-written loop.
 */
const CLIENT_CONFIG = { maxAttempts: 5 } as const;

/** One client per region; the key '' is the SDK's default region. */
function perRegion<T>(create: (config: { maxAttempts: number; region?: string }) => T) {
  const clients = new Map<string, T>();
  return (region?: string): T => {
    const key = region ?? '';
    let client = clients.get(key);
    if (client === undefined) {
      client = create(region === undefined ? CLIENT_CONFIG : { ...CLIENT_CONFIG, region });
      clients.set(key, client);
    }
    return client;
  };
}

const kms = perRegion((config) => new KMSClient(config));
const secretsManager = perRegion((config) => new SecretsManagerClient(config));
const s3 = perRegion((config) => new S3Client(config));
const cloudFront = perRegion((config) => new CloudFrontClient(config));
const sts = perRegion((config) => new STSClient(config));
const sfn = perRegion((config) => new SFNClient(config));
const cloudFormation = perRegion((config) => new CloudFormationClient(config));

/** The process's KMS client (of `region`, or of the SDK's default region). */
export function kmsClient(region?: string): KMSClient {
  return kms(region);
}

/** The process's Secrets Manager client (of `region`, or of the SDK's default region). */
export function secretsManagerClient(region?: string): SecretsManagerClient {
  return secretsManager(region);
}

/** The process's S3 client (of `region`, or of the SDK's default region). */
export function s3Client(region?: string): S3Client {
  return s3(region);
}

/** The process's CloudFront client (a global service; the SDK signs for us-east-1). */
export function cloudFrontClient(region?: string): CloudFrontClient {
  return cloudFront(region);
}

/** The process's STS client (of `region`, or of the SDK's default region). */
export function stsClient(region?: string): STSClient {
  return sts(region);
}

/** The process's Step Functions client (of `region`, or of the SDK's default region). */
export function sfnClient(region?: string): SFNClient {
  return sfn(region);
}

/** The process's CloudFormation client (of `region`, or of the SDK's default region). */
export function cloudFormationClient(region?: string): CloudFormationClient {
  return cloudFormation(region);
}
