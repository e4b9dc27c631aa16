import { describe, expect, it } from 'vitest';
import { iamGrantsOf, iamInventoryOf, type KeyturnResourceNames } from '#shared/adapters/aws/iam-actions.ts';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234';
const NAMES: KeyturnResourceNames = {
  stateBucket: 'keyturn-state',
  issuerBuckets: ['keyturn-issuers', 'legacy-oidc'],
  kmsKeyIds: [KEY_ARN],
  distributionIds: ['E2KEYTURN'],
};

describe('iamGrantsOf', () => {
  it.each([
    ['GetObjectCommand', { Bucket: 'keyturn-state' }, 'state-bucket'],
    ['PutObjectCommand', { Bucket: 'keyturn-issuers' }, 'issuer-bucket'],
    ['GetObjectTaggingCommand', { Bucket: 'legacy-oidc' }, 'issuer-bucket'],
    ['CreateInvalidationCommand', { DistributionId: 'E2KEYTURN' }, 'distribution'],
    ['GenerateDataKeyPairCommand', { KeyId: KEY_ARN }, 'kms-key'],
    ['DescribeSecretCommand', { SecretId: 'keyturn/cluster-a/r1' }, 'signing-key-secrets'],
    ['GetSecretValueCommand', { SecretId: 'keyturn-cluster/cluster-a' }, 'cluster-credentials'],
    [
      'DeleteSecretCommand',
      { SecretId: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:keyturn/cluster-a/r1-AbCdEf' },
      'signing-key-secrets',
    ],
  ])('gives %s on %j the role %s', (command, input, role) => {
    // Act
    const grants = iamGrantsOf({ command, input }, NAMES);

    // Assess
    expect(grants[0]?.[0]).toBe(role);
  });

  it('adds the KMS actions Secrets Manager performs on the caller behalf to the kms-key role', () => {
    // Act
    const read = iamGrantsOf(
      { command: 'GetSecretValueCommand', input: { SecretId: 'keyturn/a/r1' } },
      NAMES,
    );
    const create = iamGrantsOf(
      { command: 'CreateSecretCommand', input: { Name: 'keyturn/a/r1', KmsKeyId: KEY_ARN } },
      NAMES,
    );

    // Assess
    expect(read).toEqual([
      ['signing-key-secrets', ['secretsmanager:GetSecretValue']],
      ['kms-key', ['kms:Decrypt']],
    ]);
    expect(create).toEqual([
      ['signing-key-secrets', ['secretsmanager:CreateSecret', 'secretsmanager:TagResource']],
      ['kms-key', ['kms:GenerateDataKey', 'kms:Decrypt']],
    ]);
  });

  it('adds s3:PutObjectTagging to a PutObject that carries tags', () => {
    // Act
    const grants = iamGrantsOf(
      { command: 'PutObjectCommand', input: { Bucket: 'keyturn-issuers', Tagging: 'a=b' } },
      NAMES,
    );

    // Assess
    expect(grants).toEqual([['issuer-bucket', ['s3:PutObject', 's3:PutObjectTagging']]]);
  });

  it('tells a cluster prefix inside the signing-key prefix apart', () => {
    // Act
    const grants = iamGrantsOf(
      { command: 'GetSecretValueCommand', input: { SecretId: 'keyturn/clusters/cluster-a' } },
      { ...NAMES, clusterSecretPrefix: 'keyturn/clusters/' },
    );

    // Assess
    expect(grants[0]?.[0]).toBe('cluster-credentials');
  });

  it.each([
    ['an unknown command', { command: 'DeleteBucketCommand', input: { Bucket: 'keyturn-state' } }],
    ['a bucket that is not keyturn', { command: 'GetObjectCommand', input: { Bucket: 'someone-else' } }],
    ['a secret outside the prefixes', { command: 'GetSecretValueCommand', input: { SecretId: 'db/pass' } }],
    ['another KMS key', { command: 'GenerateDataKeyPairCommand', input: { KeyId: 'alias/other' } }],
    [
      'a secret under another KMS key',
      { command: 'CreateSecretCommand', input: { Name: 'keyturn/a/r1', KmsKeyId: 'alias/other' } },
    ],
    ['another distribution', { command: 'CreateInvalidationCommand', input: { DistributionId: 'EOTHER' } }],
  ])('rejects %s with ERR_IAM_INVENTORY instead of skipping it', (_, call) => {
    // Act
    const grant = () => iamGrantsOf(call, NAMES);

    // Assess
    expect(grant).toThrow(expect.objectContaining({ name: 'IamInventoryError', code: 'ERR_IAM_INVENTORY' }));
  });
});

describe('iamInventoryOf', () => {
  it('sorts commands and actions, groups them by role and omits roles with no actions', () => {
    // Act
    const entry = iamInventoryOf(
      [
        { command: 'PutObjectCommand', input: { Bucket: 'keyturn-state' } },
        { command: 'GetObjectCommand', input: { Bucket: 'keyturn-state' } },
        { command: 'GetSecretValueCommand', input: { SecretId: 'keyturn-cluster/a' } },
        { command: 'AssumeRoleWithWebIdentityCommand', input: {} },
      ],
      NAMES,
    );

    // Assess
    expect(entry).toEqual({
      commands: [
        'AssumeRoleWithWebIdentityCommand',
        'GetObjectCommand',
        'GetSecretValueCommand',
        'PutObjectCommand',
      ],
      actions: [
        'kms:Decrypt',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
        'secretsmanager:GetSecretValue',
      ],
      resources: {
        'cluster-credentials': ['secretsmanager:GetSecretValue'],
        'kms-key': ['kms:Decrypt'],
        'state-bucket': ['s3:GetObject', 's3:ListBucket', 's3:PutObject'],
      },
    });
    expect(Object.keys(entry.resources)).toEqual(['cluster-credentials', 'kms-key', 'state-bucket']);
  });
});
