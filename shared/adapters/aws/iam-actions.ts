/**
 * The IAM actions each SDK command of keyturn's AWS adapters needs. The IAM inventory test records the
 * commands every workflow step sends and writes the union of these per function to
 * `infra/iam-inventory.json`; the infrastructure grants exactly that, scoped to keyturn's resources.
 */
export const IAM_ACTIONS_BY_COMMAND: Readonly<Record<string, readonly string[]>> = {
  // KMS: generating key pairs under keyturn's key.
  GenerateDataKeyPairCommand: ['kms:GenerateDataKeyPair'],
  // Secrets Manager encrypts and decrypts under the customer-managed key on the caller's behalf.
  CreateSecretCommand: [
    'secretsmanager:CreateSecret',
    'secretsmanager:TagResource',
    'kms:GenerateDataKey',
    'kms:Decrypt',
  ],
  DescribeSecretCommand: ['secretsmanager:DescribeSecret'],
  GetSecretValueCommand: ['secretsmanager:GetSecretValue', 'kms:Decrypt'],
  DeleteSecretCommand: ['secretsmanager:DeleteSecret'],
  RestoreSecretCommand: ['secretsmanager:RestoreSecret'],
  // S3: the keyring in the state bucket, the documents in the issuer bucket.
  // Without s3:ListBucket, reading a missing object answers 403 instead of 404: a new issuer's first read
  // and first publish would fail as access denied.
  GetObjectCommand: ['s3:GetObject', 's3:ListBucket'],
  HeadObjectCommand: ['s3:GetObject', 's3:ListBucket'],
  PutObjectCommand: ['s3:PutObject'],
  // A PutObject that carries `Tagging` (the publisher keeps ccoctl's tags) also needs PutObjectTagging.
  'PutObjectCommand+Tagging': ['s3:PutObject', 's3:PutObjectTagging'],
  GetObjectTaggingCommand: ['s3:GetObjectTagging'],
  PutObjectTaggingCommand: ['s3:PutObjectTagging'],
  ListObjectsV2Command: ['s3:ListBucket'],
  // CloudFront: invalidating exactly the two documents after a publish.
  CreateInvalidationCommand: ['cloudfront:CreateInvalidation'],
  GetInvalidationCommand: ['cloudfront:GetInvalidation'],
  // STS: AssumeRoleWithWebIdentity is authorised by the token and the role's trust policy, not by IAM.
  AssumeRoleWithWebIdentityCommand: [],
};

/** The IAM actions a set of SDK commands needs, sorted; an unknown command is an error, never skipped. */
export function iamActionsFor(commands: Iterable<string>): string[] {
  const actions = new Set<string>();
  for (const command of commands) {
    const needed = IAM_ACTIONS_BY_COMMAND[command];
    if (needed === undefined) {
      throw new Error(`no IAM actions are recorded for ${command}: add it to IAM_ACTIONS_BY_COMMAND`);
    }
    for (const action of needed) actions.add(action);
  }
  return [...actions].sort();
}
