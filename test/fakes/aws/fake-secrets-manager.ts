import { randomBytes, randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  type CreateSecretCommandInput,
  DecryptionFailure,
  DeleteSecretCommand,
  type DeleteSecretCommandInput,
  DescribeSecretCommand,
  type DescribeSecretCommandInput,
  EncryptionFailure,
  GetSecretValueCommand,
  type GetSecretValueCommandInput,
  InternalServiceError,
  InvalidParameterException,
  InvalidRequestException,
  PutSecretValueCommand,
  type PutSecretValueCommandInput,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  type RestoreSecretCommandInput,
  SecretsManagerClient,
  SecretsManagerServiceException,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import {
  createFakeServiceCore,
  FAKE_ACCOUNT,
  FAKE_CALLER_ARN,
  FAKE_REGION,
  type FaultInjector,
  iamActionOf,
  type RecordedCall,
  responseMetadata,
} from './fake-aws.ts';
import type { FakeKms } from './fake-kms.ts';

/** One version of a secret as stored: ciphertext under the secret's KMS key, never the value. */
export interface FakeSecretVersion {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly ciphertext: Uint8Array;
}

/** A secret as the fake stores it, for tests to inspect. */
export interface FakeSecret {
  readonly name: string;
  readonly arn: string;
  readonly kmsKeyId: string | undefined;
  readonly description: string | undefined;
  readonly tags: readonly Tag[];
  /** When DeleteSecret was called; undefined unless scheduled for deletion. */
  readonly deletedDate: Date | undefined;
  /** When the secret goes for good (end of the recovery window). */
  readonly deletionDate: Date | undefined;
  readonly versions: readonly FakeSecretVersion[];
}

/**
 * A stateful Secrets Manager over a {@link FakeKms}: secrets by name with ARNs, versions keyed by
 * ClientRequestToken (idempotent creates), values encrypted under the secret's KMS key (so a disabled key
 * makes GetSecretValue fail), scheduled deletion with a recovery window on the injected clock, restore,
 * faults and a call log.
 */
export interface FakeSecretsManager extends FaultInjector {
  readonly calls: RecordedCall[];
  /** The secret named by name or ARN, or undefined (also once purged after its recovery window). */
  secret(secretId: string): FakeSecret | undefined;
  /**
   * Stores `value` as the current version of secret `name` (created if missing) as an operator would with
   * `aws secretsmanager create-secret`/`put-secret-value`: sealed under `kmsKeyId` (default: the account's
   * aws/secretsmanager key) through the fake KMS, and not recorded in `calls`.
   */
  putSecret(name: string, value: string, options?: { readonly kmsKeyId?: string }): FakeSecret;
  /** Mocks `send` of SecretsManagerClient (all instances) or of one client; `restore()` it after the test. */
  install(target?: SecretsManagerClient | typeof SecretsManagerClient): AwsClientStub<SecretsManagerClient>;
}

/** Options of {@link createFakeSecretsManager}. */
export interface FakeSecretsManagerOptions {
  /** The service's clock (recovery windows). @default () => new Date() */
  readonly now?: () => Date;
}

interface VersionRecord {
  readonly versionId: string;
  readonly stages: Set<string>;
  readonly ciphertext: Uint8Array;
}

interface SecretRecord {
  readonly name: string;
  readonly arn: string;
  readonly kmsKeyId: string | undefined;
  readonly description: string | undefined;
  readonly tags: Tag[];
  readonly createdDate: Date;
  lastChangedDate: Date;
  deletedDate: Date | undefined;
  deletionDate: Date | undefined;
  readonly versions: Map<string, VersionRecord>;
}

const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const MAX_DESCRIPTION = 2048;
const DAY_MS = 86_400_000;
const DEFAULT_KEY_ALIAS = 'alias/aws/secretsmanager';
const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function smError(name: string, status: number, message: string): Error {
  const options = { message, $metadata: responseMetadata(status) };
  switch (name) {
    case 'ResourceExistsException':
      return new ResourceExistsException(options);
    case 'ResourceNotFoundException':
      return new ResourceNotFoundException(options);
    case 'InvalidRequestException':
      return new InvalidRequestException(options);
    case 'InvalidParameterException':
      return new InvalidParameterException(options);
    case 'DecryptionFailure':
      return new DecryptionFailure(options);
    case 'EncryptionFailure':
      return new EncryptionFailure(options);
    case 'InternalServiceError':
      return new InternalServiceError(options);
    default:
      return new SecretsManagerServiceException({
        name,
        $fault: status >= 500 ? 'server' : 'client',
        ...options,
      });
  }
}

/** An InternalServiceError (500) for `failNext`: the service failed, or the answer never arrived. */
export function internalServiceError(): Error {
  return smError('InternalServiceError', 500, 'An error occurred on the server side.');
}

/** Creates an empty fake Secrets Manager whose values are encrypted by `kms`. */
export function createFakeSecretsManager(
  kms: FakeKms,
  options: FakeSecretsManagerOptions = {},
): FakeSecretsManager {
  const now = options.now ?? (() => new Date());
  const secrets = new Map<string, SecretRecord>();
  const core = createFakeServiceCore({
    throttled: () => smError('ThrottlingException', 400, 'Rate exceeded'),
    denied: (command) =>
      smError(
        'AccessDeniedException',
        400,
        `User: ${FAKE_CALLER_ARN} is not authorized to perform: ${iamActionOf('secretsmanager', command)} because no identity-based policy allows the ${iamActionOf('secretsmanager', command)} action`,
      ),
  });

  /** Secrets past their recovery window are gone, as in AWS. */
  const purgeExpired = (): void => {
    for (const [name, record] of secrets) {
      if (record.deletionDate !== undefined && record.deletionDate <= now()) secrets.delete(name);
    }
  };
  const lookup = (secretId: string | undefined): SecretRecord | undefined => {
    purgeExpired();
    return [...secrets.values()].find((record) => record.name === secretId || record.arn === secretId);
  };
  const found = (secretId: string | undefined): SecretRecord => {
    const record = lookup(secretId);
    if (record === undefined) {
      throw smError('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret.");
    }
    return record;
  };
  const notDeleted = (record: SecretRecord): SecretRecord => {
    if (record.deletedDate !== undefined) {
      throw smError(
        'InvalidRequestException',
        400,
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return record;
  };
  const keyOf = (record: SecretRecord): string => {
    if (record.kmsKeyId !== undefined) return record.kmsKeyId;
    return (kms.key(DEFAULT_KEY_ALIAS) ?? kms.createKey({ alias: DEFAULT_KEY_ALIAS })).arn;
  };
  const contextOf = (record: SecretRecord, versionId: string) => ({
    SecretARN: record.arn,
    SecretVersionId: versionId,
  });
  const seal = (record: SecretRecord, versionId: string, value: string): Uint8Array => {
    try {
      return kms.encrypt(keyOf(record), Buffer.from(value, 'utf8'), contextOf(record, versionId));
    } catch (error) {
      throw smError(
        'EncryptionFailure',
        400,
        `Secrets Manager can't encrypt the protected secret text using the provided KMS key. ${(error as Error).message}`,
      );
    }
  };
  const unseal = (record: SecretRecord, version: VersionRecord): string => {
    try {
      return Buffer.from(kms.decrypt(version.ciphertext, contextOf(record, version.versionId))).toString();
    } catch (error) {
      throw smError(
        'DecryptionFailure',
        400,
        `Secrets Manager can't decrypt the protected secret text using the provided KMS key. ${(error as Error).message}`,
      );
    }
  };
  /** A token already used: the same value is the same request (ignored), another is refused. */
  const sameVersion = (record: SecretRecord, token: string, value: string): boolean => {
    const version = record.versions.get(token);
    if (version === undefined) return false;
    if (unseal(record, version) !== value) {
      throw smError(
        'ResourceExistsException',
        400,
        "You can't modify an existing version, you can only create new versions.",
      );
    }
    return true;
  };
  const addVersion = (record: SecretRecord, token: string, value: string): void => {
    const ciphertext = seal(record, token, value);
    for (const version of record.versions.values()) {
      version.stages.delete('AWSPREVIOUS');
      if (version.stages.delete('AWSCURRENT')) version.stages.add('AWSPREVIOUS');
    }
    record.versions.set(token, { versionId: token, stages: new Set(['AWSCURRENT']), ciphertext });
    record.lastChangedDate = now();
  };
  const requireString = (value: string | undefined, member: string): string => {
    if (value === undefined) {
      throw new Error(`the fake Secrets Manager only stores ${member}; SecretBinary is not implemented`);
    }
    return value;
  };

  const createSecret = (input: CreateSecretCommandInput) => {
    const name = input.Name ?? '';
    if (!NAME.test(name)) {
      throw smError(
        'InvalidParameterException',
        400,
        'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
      );
    }
    if ((input.Description?.length ?? 0) > MAX_DESCRIPTION) {
      throw smError(
        'ValidationException',
        400,
        `1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DESCRIPTION}`,
      );
    }
    const value = requireString(input.SecretString, 'SecretString');
    // The SDK fills in a token when the caller gives none; under aws-sdk-client-mock nobody does.
    const token = input.ClientRequestToken ?? randomUUID();
    const existing = lookup(name);
    if (existing !== undefined) {
      if (existing.deletedDate !== undefined) {
        throw smError(
          'InvalidRequestException',
          400,
          "You can't create this secret because a secret with this name is already scheduled for deletion.",
        );
      }
      if (sameVersion(existing, token, value)) {
        return { ARN: existing.arn, Name: existing.name, VersionId: token };
      }
      throw smError(
        'ResourceExistsException',
        400,
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const suffix = Array.from(randomBytes(6), (byte) => SUFFIX_CHARS[byte % SUFFIX_CHARS.length]).join('');
    const record: SecretRecord = {
      name,
      arn: `arn:aws:secretsmanager:${FAKE_REGION}:${FAKE_ACCOUNT}:secret:${name}-${suffix}`,
      kmsKeyId: input.KmsKeyId,
      description: input.Description,
      tags: [...(input.Tags ?? [])],
      createdDate: now(),
      lastChangedDate: now(),
      deletedDate: undefined,
      deletionDate: undefined,
      versions: new Map(),
    };
    addVersion(record, token, value);
    secrets.set(name, record);
    return { ARN: record.arn, Name: record.name, VersionId: token };
  };

  const putSecretValue = (input: PutSecretValueCommandInput) => {
    const record = notDeleted(found(input.SecretId));
    const value = requireString(input.SecretString, 'SecretString');
    const token = input.ClientRequestToken ?? randomUUID();
    if (!sameVersion(record, token, value)) addVersion(record, token, value);
    const stages = [...(record.versions.get(token)?.stages ?? [])];
    return { ARN: record.arn, Name: record.name, VersionId: token, VersionStages: stages };
  };

  const describeSecret = (input: DescribeSecretCommandInput) => {
    const record = found(input.SecretId);
    return {
      ARN: record.arn,
      Name: record.name,
      Description: record.description,
      KmsKeyId: record.kmsKeyId,
      Tags: record.tags.map((tag) => ({ ...tag })),
      CreatedDate: record.createdDate,
      LastChangedDate: record.lastChangedDate,
      DeletedDate: record.deletedDate,
      VersionIdsToStages: Object.fromEntries(
        [...record.versions.values()].map((version) => [version.versionId, [...version.stages]]),
      ),
    };
  };

  const getSecretValue = (input: GetSecretValueCommandInput) => {
    const record = notDeleted(found(input.SecretId));
    const stage = input.VersionStage ?? (input.VersionId === undefined ? 'AWSCURRENT' : undefined);
    const version = [...record.versions.values()].find(
      (candidate) =>
        (input.VersionId === undefined || candidate.versionId === input.VersionId) &&
        (stage === undefined || candidate.stages.has(stage)),
    );
    if (version === undefined) {
      throw smError(
        'ResourceNotFoundException',
        400,
        `Secrets Manager can't find the specified secret value for staging label: ${stage ?? 'AWSCURRENT'}`,
      );
    }
    return {
      ARN: record.arn,
      Name: record.name,
      VersionId: version.versionId,
      SecretString: unseal(record, version),
      VersionStages: [...version.stages],
      CreatedDate: record.createdDate,
    };
  };

  const deleteSecret = (input: DeleteSecretCommandInput) => {
    const record = found(input.SecretId);
    if (input.ForceDeleteWithoutRecovery === true) {
      if (input.RecoveryWindowInDays !== undefined) {
        throw smError(
          'InvalidParameterException',
          400,
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        );
      }
      secrets.delete(record.name);
      return { ARN: record.arn, Name: record.name, DeletionDate: now() };
    }
    const days = input.RecoveryWindowInDays ?? 30;
    if (!Number.isInteger(days) || days < 7 || days > 30) {
      throw smError(
        'InvalidParameterException',
        400,
        'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
      );
    }
    if (record.deletedDate !== undefined) {
      throw smError(
        'InvalidRequestException',
        400,
        "You can't perform this operation on the secret because it was already scheduled for deletion.",
      );
    }
    record.deletedDate = now();
    record.deletionDate = new Date(now().getTime() + days * DAY_MS);
    return { ARN: record.arn, Name: record.name, DeletionDate: record.deletionDate };
  };

  const restoreSecret = (input: RestoreSecretCommandInput) => {
    const record = found(input.SecretId);
    record.deletedDate = undefined;
    record.deletionDate = undefined;
    return { ARN: record.arn, Name: record.name };
  };

  return {
    calls: core.calls,
    throttleNext: core.throttleNext,
    denyNext: core.denyNext,
    failNext: core.failNext,
    secret(secretId) {
      const record = lookup(secretId);
      return record === undefined ? undefined : snapshot(record);
    },
    putSecret(name, value, putOptions = {}) {
      const existing = lookup(name);
      if (existing === undefined) {
        createSecret({ Name: name, SecretString: value, KmsKeyId: putOptions.kmsKeyId });
      } else {
        addVersion(notDeleted(existing), randomUUID(), value);
      }
      return snapshot(found(name));
    },
    install(target = SecretsManagerClient) {
      const stub = mockClient(target);
      stub.onAnyCommand().rejects(new Error('the fake Secrets Manager does not implement this command'));
      stub
        .on(CreateSecretCommand)
        .callsFake((input: CreateSecretCommandInput) =>
          core.handle('CreateSecretCommand', input, () => createSecret(input)),
        );
      stub
        .on(PutSecretValueCommand)
        .callsFake((input: PutSecretValueCommandInput) =>
          core.handle('PutSecretValueCommand', input, () => putSecretValue(input)),
        );
      stub
        .on(DescribeSecretCommand)
        .callsFake((input: DescribeSecretCommandInput) =>
          core.handle('DescribeSecretCommand', input, () => describeSecret(input)),
        );
      stub
        .on(GetSecretValueCommand)
        .callsFake((input: GetSecretValueCommandInput) =>
          core.handle('GetSecretValueCommand', input, () => getSecretValue(input)),
        );
      stub
        .on(DeleteSecretCommand)
        .callsFake((input: DeleteSecretCommandInput) =>
          core.handle('DeleteSecretCommand', input, () => deleteSecret(input)),
        );
      stub
        .on(RestoreSecretCommand)
        .callsFake((input: RestoreSecretCommandInput) =>
          core.handle('RestoreSecretCommand', input, () => restoreSecret(input)),
        );
      return stub;
    },
  };
}

function snapshot(record: SecretRecord): FakeSecret {
  return {
    name: record.name,
    arn: record.arn,
    kmsKeyId: record.kmsKeyId,
    description: record.description,
    tags: record.tags.map((tag) => ({ ...tag })),
    deletedDate: record.deletedDate,
    deletionDate: record.deletionDate,
    versions: [...record.versions.values()].map((version) => ({
      versionId: version.versionId,
      stages: [...version.stages],
      ciphertext: version.ciphertext,
    })),
  };
}
