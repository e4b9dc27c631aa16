import * as iam from 'aws-cdk-lib/aws-iam';

/** Key management without use: the account can administer the key but not encrypt or decrypt with it. */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/**
 * A key policy where the account administers the key (so it can never be locked out) but holds no
 * cryptographic permission: users are added one by one with `key.addToResourcePolicy`.
 */
export function adminOnlyKeyPolicy(): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AccountAdministersButDoesNotUse',
        principals: [new iam.AccountRootPrincipal()],
        actions: [...KEY_ADMIN_ACTIONS],
        resources: ['*'],
      }),
    ],
  });
}

/** KMS actions that only Secrets Manager performs for keyturn (sealing and opening secrets). */
const KMS_VIA_SECRETS_MANAGER = new Set(['kms:Decrypt', 'kms:GenerateDataKey']);

/**
 * Splits a function's kms actions into those it calls itself (GenerateDataKeyPair) and those Secrets
 * Manager calls on its behalf, which are granted only with `kms:ViaService` = Secrets Manager.
 */
export function splitKmsActions(actions: readonly string[]): {
  direct: string[];
  viaSecretsManager: string[];
} {
  return {
    direct: actions.filter((action) => !KMS_VIA_SECRETS_MANAGER.has(action)),
    viaSecretsManager: actions.filter((action) => KMS_VIA_SECRETS_MANAGER.has(action)),
  };
}

/** What the roles that write or read keyrings do with the keyring HMAC key (shared/keyring/keyring-mac.ts). */
export const KEYRING_MAC_ACTIONS = ['kms:GenerateMac', 'kms:VerifyMac'];
