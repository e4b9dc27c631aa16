import { describe, expect, it } from 'vitest';
import { issuerTargetOf, readAwsTaskConfig } from '#functions/aws-config.ts';

const ENV = {
  KEYTURN_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:111122223333:key/1234',
  KEYTURN_KEYRING_MAC_KEY_ID: 'arn:aws:kms:eu-west-1:111122223333:key/5678',
  KEYTURN_STATE_BUCKET: 'keyturn-state',
  KEYTURN_ISSUER_BUCKET: 'keyturn-issuers',
  KEYTURN_DISTRIBUTION_ID: 'E2KEYTURN',
};

describe('readAwsTaskConfig', () => {
  it('rejects a missing configuration with ERR_TASK_CONFIG naming every missing variable', () => {
    // Act
    const read = () => readAwsTaskConfig({ KEYTURN_STATE_BUCKET: 'state' });

    // Assess
    expect(read).toThrow(
      expect.objectContaining({
        name: 'TaskConfigError',
        code: 'ERR_TASK_CONFIG',
        message: expect.stringContaining(
          'KEYTURN_KMS_KEY_ID, KEYTURN_KEYRING_MAC_KEY_ID, KEYTURN_ISSUER_BUCKET;',
        ),
      }),
    );
  });

  it('reads the stack defaults: the issuer bucket, the distribution and keyturn-cluster/', () => {
    // Act
    const config = readAwsTaskConfig(ENV);

    // Assess
    expect(config).toEqual({
      kmsKeyId: ENV.KEYTURN_KMS_KEY_ID,
      keyringMacKeyId: ENV.KEYTURN_KEYRING_MAC_KEY_ID,
      stateBucket: 'keyturn-state',
      defaultTarget: { bucket: 'keyturn-issuers', distributionId: 'E2KEYTURN' },
      issuerTargets: {},
      clusterSecretPrefix: 'keyturn-cluster/',
    });
  });

  it('reads KEYTURN_ISSUER_TARGETS and KEYTURN_CLUSTER_SECRET_PREFIX', () => {
    // Prepare
    const targets = {
      legacy: { bucket: 'legacy-oidc' },
      migrated: { bucket: 'm-oidc', distributionId: 'E9' },
    };

    // Act
    const config = readAwsTaskConfig({
      ...ENV,
      KEYTURN_ISSUER_TARGETS: JSON.stringify(targets),
      KEYTURN_CLUSTER_SECRET_PREFIX: 'prod/clusters/',
    });

    // Assess
    expect(config.issuerTargets).toEqual(targets);
    expect(config.clusterSecretPrefix).toBe('prod/clusters/');
  });

  it.each([
    ['not JSON', '{legacy:', 'is not JSON'],
    ['an array', '[]', 'is invalid:'],
    ['a bad issuer id', '{"Legacy": {"bucket": "legacy-oidc"}}', 'is invalid at Legacy'],
    [
      'a bad bucket name',
      '{"legacy": {"bucket": "Legacy_OIDC"}}',
      'at legacy.bucket: must be an S3 bucket name',
    ],
    ['no bucket', '{"legacy": {"distributionId": "E9"}}', 'at legacy.bucket'],
    [
      'a bad distribution id',
      '{"legacy": {"bucket": "legacy-oidc", "distributionId": "e9/x"}}',
      'distributionId',
    ],
    ['an unknown field', '{"legacy": {"bucket": "legacy-oidc", "path": "x"}}', 'Unrecognized key'],
  ])('rejects a KEYTURN_ISSUER_TARGETS that is %s with ERR_TASK_CONFIG', (_, value, problem) => {
    // Act
    const read = () => readAwsTaskConfig({ ...ENV, KEYTURN_ISSUER_TARGETS: value });

    // Assess
    expect(read).toThrow(
      expect.objectContaining({
        code: 'ERR_TASK_CONFIG',
        message: expect.stringMatching(/^KEYTURN_ISSUER_TARGETS .*expected \{"<issuerId>"/),
      }),
    );
    expect(read).toThrow(problem);
  });

  it.each(['keyturn cluster/', 'keyturn-cluster/*', 'x'.repeat(257)])(
    'rejects the secret prefix %j with ERR_TASK_CONFIG',
    (prefix) => {
      // Act
      const read = () => readAwsTaskConfig({ ...ENV, KEYTURN_CLUSTER_SECRET_PREFIX: prefix });

      // Assess
      expect(read).toThrow(
        expect.objectContaining({
          code: 'ERR_TASK_CONFIG',
          message: expect.stringContaining('KEYTURN_CLUSTER_SECRET_PREFIX'),
        }),
      );
    },
  );
});

describe('issuerTargetOf', () => {
  it('finds a listed issuer its own target and every other issuer the stack default', () => {
    // Prepare
    const config = readAwsTaskConfig({
      ...ENV,
      KEYTURN_ISSUER_TARGETS: '{"legacy": {"bucket": "legacy-oidc"}}',
    });

    // Act
    const targets = ['legacy', 'cluster-a', 'constructor'].map((id) => issuerTargetOf(config, id));

    // Assess
    expect(targets).toEqual([
      { bucket: 'legacy-oidc' },
      { bucket: 'keyturn-issuers', distributionId: 'E2KEYTURN' },
      { bucket: 'keyturn-issuers', distributionId: 'E2KEYTURN' },
    ]);
  });
});
