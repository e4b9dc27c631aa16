import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { InventoryEntry, ResourceRole } from './iam-inventory.ts';
import { splitKmsActions } from './key-policies.ts';
import {
  CLUSTER_CREDENTIALS_SECRET_PREFIX,
  KEYRING_PREFIX,
  SIGNING_KEY_SECRET_PREFIX,
} from './signing-keys.ts';

/** Where one issuer's documents are published. */
export interface PublishedIssuer {
  readonly id: string;
  readonly bucket: s3.IBucket;
  /** Object keys of keys.json and the discovery document (shared/adapters/aws/issuer-objects.ts). */
  readonly documentKeys: readonly string[];
  /** The distribution to invalidate, if any. */
  readonly distributionArn?: string;
}

/** The concrete resources behind each resource role of the IAM inventory. */
export interface GrantTargets {
  readonly stateBucket: s3.IBucket;
  readonly issuers: readonly PublishedIssuer[];
  readonly keyArn: string;
  /** The KMS HMAC key of keyring revisions. */
  readonly keyringMacKeyArn: string;
  /** kms:ViaService of Secrets Manager in the stack's region. */
  readonly secretsManagerService: string;
  /** The ARN of secrets whose name matches `namePattern` (Secrets Manager appends `-` and 6 characters). */
  readonly secretArn: (namePattern: string) => string;
}

/**
 * The identity-policy statements of one function: exactly the actions its inventory entry lists, each on
 * the configured issuers' resources only: their keyring objects, their two published documents, their
 * distributions, the CMK (decrypt and data keys only through Secrets Manager), the keyring HMAC key,
 * their signing-key secrets
 * and their cluster-credential secret.
 */
export function statementsFor(entry: InventoryEntry, targets: GrantTargets): iam.PolicyStatement[] {
  return Object.entries(entry.resources).flatMap(([role, actions]) =>
    statementsForRole(role as ResourceRole, [...actions].sort(), targets),
  );
}

function statementsForRole(
  role: ResourceRole,
  actions: string[],
  targets: GrantTargets,
): iam.PolicyStatement[] {
  const ids = targets.issuers.map((issuer) => issuer.id);
  switch (role) {
    case 'state-bucket':
      return bucketStatements(
        actions,
        [targets.stateBucket],
        ids.map((id) => targets.stateBucket.arnForObjects(`${KEYRING_PREFIX}${id}.json`)),
      );
    case 'issuer-bucket':
      return bucketStatements(
        actions,
        unique(targets.issuers.map((issuer) => issuer.bucket)),
        targets.issuers.flatMap((issuer) =>
          issuer.documentKeys.map((key) => issuer.bucket.arnForObjects(key)),
        ),
      );
    case 'distribution':
      return [statement(actions, unique(targets.issuers.flatMap((issuer) => issuer.distributionArn ?? [])))];
    case 'kms-key': {
      const { direct, viaSecretsManager } = splitKmsActions(actions);
      const condition = { StringEquals: { 'kms:ViaService': targets.secretsManagerService } };
      return [
        ...(direct.length > 0 ? [statement(direct, [targets.keyArn])] : []),
        ...(viaSecretsManager.length > 0 ? [statement(viaSecretsManager, [targets.keyArn], condition)] : []),
      ];
    }
    case 'keyring-mac-key':
      return [statement(actions, [targets.keyringMacKeyArn])];
    case 'signing-key-secrets':
      return [
        statement(
          actions,
          ids.map((id) => targets.secretArn(`${SIGNING_KEY_SECRET_PREFIX}${id}/*`)),
        ),
      ];
    case 'cluster-credentials':
      return [
        statement(
          actions,
          ids.map((id) => targets.secretArn(`${CLUSTER_CREDENTIALS_SECRET_PREFIX}${id}-??????`)),
        ),
      ];
  }
}

/**
 * Object actions on the given objects; s3:ListBucket on the buckets without a prefix condition, because
 * S3 checks it without a prefix to answer a missing object with 404 (absent keyring) instead of 403.
 */
function bucketStatements(
  actions: string[],
  buckets: readonly s3.IBucket[],
  objectArns: string[],
): iam.PolicyStatement[] {
  const objectActions = actions.filter((action) => action !== 's3:ListBucket');
  return [
    ...(objectActions.length > 0 ? [statement(objectActions, objectArns)] : []),
    ...(actions.includes('s3:ListBucket')
      ? [
          statement(
            ['s3:ListBucket'],
            buckets.map((bucket) => bucket.bucketArn),
          ),
        ]
      : []),
  ];
}

function statement(
  actions: string[],
  resources: string[],
  conditions?: Record<string, unknown>,
): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions, resources, ...(conditions === undefined ? {} : { conditions }) });
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
