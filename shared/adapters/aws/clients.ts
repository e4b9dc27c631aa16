import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';

/**
 * SDK clients, created once per process on first use. Region and endpoint come from the environment the
 * SDK already reads (AWS_REGION, AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE>), so a user can point
 * keyturn at an emulator without code. Throttling and transient errors are retried by the SDK (standard
 * retry mode, `maxAttempts`), and by the workflow after that, never by a hand-written loop.
 */
const CLIENT_CONFIG = { maxAttempts: 5 } as const;

let kms: KMSClient | undefined;
let secretsManager: SecretsManagerClient | undefined;
let s3: S3Client | undefined;
let cloudFront: CloudFrontClient | undefined;
let sts: STSClient | undefined;

/** The process's KMS client. */
export function kmsClient(): KMSClient {
  kms ??= new KMSClient(CLIENT_CONFIG);
  return kms;
}

/** The process's Secrets Manager client. */
export function secretsManagerClient(): SecretsManagerClient {
  secretsManager ??= new SecretsManagerClient(CLIENT_CONFIG);
  return secretsManager;
}

/** The process's S3 client. */
export function s3Client(): S3Client {
  s3 ??= new S3Client(CLIENT_CONFIG);
  return s3;
}

/** The process's CloudFront client (a global service; the SDK signs for us-east-1). */
export function cloudFrontClient(): CloudFrontClient {
  cloudFront ??= new CloudFrontClient(CLIENT_CONFIG);
  return cloudFront;
}

/** The process's STS client. */
export function stsClient(): STSClient {
  sts ??= new STSClient(CLIENT_CONFIG);
  return sts;
}
