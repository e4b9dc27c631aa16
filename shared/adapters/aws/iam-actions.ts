/**
 * The IAM actions each SDK call of keyturn's AWS adapters needs, and on which of keyturn's resources. The
 * IAM inventory test records the calls every workflow step sends and writes, per function, the actions by
 * resource role to `infra/iam-inventory.json`; the infrastructure grants exactly that, each role scoped to
 * its own resources.
 */
import { KeyturnError } from '../../errors.ts';

/** A recorded call has no IAM actions on file, or acts on a resource that is not keyturn's. */
export class IamInventoryError extends KeyturnError<'ERR_IAM_INVENTORY'> {}

/** The kinds of resource keyturn's functions act on; the infrastructure maps each to ARNs. */
export type ResourceRole =
  /** `keyrings/<issuer>.json` in the state bucket. */
  | 'state-bucket'
  /** keys.json and the discovery document in the issuer bucket (or a migrated issuer's own bucket). */
  | 'issuer-bucket'
  /** The CloudFront distribution in front of the issuer bucket. */
  | 'distribution'
  /** The customer-managed KMS key, including what Secrets Manager does with it on the caller's behalf. */
  | 'kms-key'
  /** The KMS HMAC key that authenticates keyring revisions (GenerateMac, VerifyMac). */
  | 'keyring-mac-key'
  /** The private signing keys: secrets `keyturn/<issuer>/<slot>`. */
  | 'signing-key-secrets'
  /** The kubeconfigs: secrets `keyturn-cluster/<issuer>`. */
  | 'cluster-credentials';

/** The names of keyturn's resources a recorded call may touch, to tell the roles apart. */
export interface KeyturnResourceNames {
  readonly stateBucket: string;
  /** The stack's issuer bucket and the buckets of migrated issuers. */
  readonly issuerBuckets: readonly string[];
  /** The key's id, ARN or alias, as the calls name it. */
  readonly kmsKeyIds: readonly string[];
  /** The keyring HMAC key's id, ARN or alias, as the calls name it. @default none */
  readonly keyringMacKeyIds?: readonly string[];
  readonly distributionIds: readonly string[];
  /** @default 'keyturn/' */
  readonly signingKeySecretPrefix?: string;
  /** @default 'keyturn-cluster/' */
  readonly clusterSecretPrefix?: string;
}

/** One SDK call as the fakes record it: the command's class name and its input. */
export interface SdkCall {
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/** The IAM actions one command needs on the resource it names, and with the KMS key behind a secret. */
interface CommandGrant {
  readonly service: 'kms' | 'secretsmanager' | 's3' | 'cloudfront' | 'sts';
  readonly actions: readonly string[];
  /** Secrets Manager encrypts and decrypts under the secret's customer-managed key on the caller's behalf. */
  readonly onKmsKey?: readonly string[];
}

const GRANTS: Readonly<Record<string, CommandGrant>> = {
  GenerateDataKeyPairCommand: { service: 'kms', actions: ['kms:GenerateDataKeyPair'] },
  GenerateMacCommand: { service: 'kms', actions: ['kms:GenerateMac'] },
  VerifyMacCommand: { service: 'kms', actions: ['kms:VerifyMac'] },
  CreateSecretCommand: {
    service: 'secretsmanager',
    actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
    onKmsKey: ['kms:GenerateDataKey', 'kms:Decrypt'],
  },
  DescribeSecretCommand: { service: 'secretsmanager', actions: ['secretsmanager:DescribeSecret'] },
  GetSecretValueCommand: {
    service: 'secretsmanager',
    actions: ['secretsmanager:GetSecretValue'],
    onKmsKey: ['kms:Decrypt'],
  },
  DeleteSecretCommand: { service: 'secretsmanager', actions: ['secretsmanager:DeleteSecret'] },
  RestoreSecretCommand: { service: 'secretsmanager', actions: ['secretsmanager:RestoreSecret'] },
  // Without s3:ListBucket, reading a missing object answers 403 instead of 404: a new issuer's first read
  // and first publish would fail as access denied.
  GetObjectCommand: { service: 's3', actions: ['s3:GetObject', 's3:ListBucket'] },
  HeadObjectCommand: { service: 's3', actions: ['s3:GetObject', 's3:ListBucket'] },
  // A PutObject that carries `Tagging` (the publisher keeps ccoctl's tags) also needs PutObjectTagging.
  PutObjectCommand: { service: 's3', actions: ['s3:PutObject'] },
  GetObjectTaggingCommand: { service: 's3', actions: ['s3:GetObjectTagging'] },
  PutObjectTaggingCommand: { service: 's3', actions: ['s3:PutObjectTagging'] },
  ListObjectsV2Command: { service: 's3', actions: ['s3:ListBucket'] },
  CreateInvalidationCommand: { service: 'cloudfront', actions: ['cloudfront:CreateInvalidation'] },
  GetInvalidationCommand: { service: 'cloudfront', actions: ['cloudfront:GetInvalidation'] },
  // AssumeRoleWithWebIdentity is authorised by the token and the role's trust policy, not by IAM.
  AssumeRoleWithWebIdentityCommand: { service: 'sts', actions: [] },
};

/** What a function needs: its commands, every action, and the actions per resource role (all sorted). */
export interface IamInventoryEntry {
  readonly commands: readonly string[];
  readonly actions: readonly string[];
  readonly resources: Readonly<Partial<Record<ResourceRole, readonly string[]>>>;
}

/**
 * The IAM actions one call needs, by the role of the resource each applies to. The role comes from what
 * the call names: its bucket, secret id (name or ARN), key id or distribution id. A command or a resource
 * that is not keyturn's is an error, never skipped: the inventory must not silently grant too little.
 */
export function iamGrantsOf(call: SdkCall, names: KeyturnResourceNames): [ResourceRole, string[]][] {
  const grant = GRANTS[call.command];
  if (grant === undefined) {
    throw new IamInventoryError(
      'ERR_IAM_INVENTORY',
      `no IAM actions are recorded for ${call.command}: add it to shared/adapters/aws/iam-actions.ts`,
    );
  }
  if (grant.service === 'sts') return [];
  const actions = [...grant.actions];
  if (call.command === 'PutObjectCommand' && call.input.Tagging !== undefined) {
    actions.push('s3:PutObjectTagging');
  }
  const grants: [ResourceRole, string[]][] = [[roleOf(grant.service, call, names), actions]];
  if (grant.onKmsKey !== undefined) {
    const keyId = call.input.KmsKeyId;
    if (keyId !== undefined && !names.kmsKeyIds.includes(String(keyId))) {
      throw unknownResource(call, `KMS key ${String(keyId)}`);
    }
    grants.push(['kms-key', [...grant.onKmsKey]]);
  }
  return grants;
}

/** The inventory entry of a function from the calls it sent. */
export function iamInventoryOf(calls: Iterable<SdkCall>, names: KeyturnResourceNames): IamInventoryEntry {
  const commands = new Set<string>();
  const byRole = new Map<ResourceRole, Set<string>>();
  for (const call of calls) {
    commands.add(call.command);
    for (const [role, actions] of iamGrantsOf(call, names)) {
      const set = byRole.get(role) ?? new Set<string>();
      for (const action of actions) set.add(action);
      byRole.set(role, set);
    }
  }
  const resources = Object.fromEntries(
    [...byRole.entries()]
      .filter(([, actions]) => actions.size > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([role, actions]) => [role, [...actions].sort()]),
  );
  const actions = new Set(Object.values(resources).flat());
  return { commands: [...commands].sort(), actions: [...actions].sort(), resources };
}

function roleOf(service: CommandGrant['service'], call: SdkCall, names: KeyturnResourceNames): ResourceRole {
  const { Bucket, SecretId, Name, KeyId, DistributionId } = call.input;
  if (service === 's3' && Bucket === names.stateBucket) return 'state-bucket';
  if (service === 's3' && names.issuerBuckets.includes(String(Bucket))) return 'issuer-bucket';
  if (service === 'kms' && names.kmsKeyIds.includes(String(KeyId))) return 'kms-key';
  if (service === 'kms' && (names.keyringMacKeyIds ?? []).includes(String(KeyId))) return 'keyring-mac-key';
  if (service === 'cloudfront' && names.distributionIds.includes(String(DistributionId)))
    return 'distribution';
  if (service === 'secretsmanager') {
    // The cluster prefix first: it may be the more specific one (`keyturn/clusters/`).
    const secret = secretNameOf(String(SecretId ?? Name));
    if (secret.startsWith(names.clusterSecretPrefix ?? 'keyturn-cluster/')) return 'cluster-credentials';
    if (secret.startsWith(names.signingKeySecretPrefix ?? 'keyturn/')) return 'signing-key-secrets';
  }
  const named = Bucket ?? SecretId ?? Name ?? KeyId ?? DistributionId;
  throw unknownResource(call, `${service} resource ${String(named)}`);
}

/** A secret's name from its name or ARN (`arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf`). */
function secretNameOf(secretId: string): string {
  const arn = /^arn:aws[a-z-]*:secretsmanager:[^:]*:\d*:secret:(.+)-[A-Za-z0-9]{6}$/.exec(secretId);
  return arn?.[1] ?? secretId;
}

function unknownResource(call: SdkCall, what: string): IamInventoryError {
  return new IamInventoryError(
    'ERR_IAM_INVENTORY',
    `${call.command} acts on ${what}, which is none of keyturn's resources`,
  );
}
