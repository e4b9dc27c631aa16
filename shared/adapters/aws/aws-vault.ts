import type { KMSClient } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { encodePrivateKeyPem, encodePublicKeyPem } from '../../keys/encode.ts';
import { InvalidKeyError } from '../../keys/errors.ts';
import { parseRsaBits } from '../../keys/generate.ts';
import { parsePrivateKey } from '../../keys/parse-private-key.ts';
import type { PrivateSigningKey } from '../../keys/signing-key.ts';
import { VaultError } from '../../port-errors.ts';
import type { KeyVault, VaultKey } from '../../ports.ts';
import { AwsNotFoundError, AwsRejectedError, callAws } from './aws-errors.ts';
import {
  assertSecretNamePrefix,
  clientRequestTokenOf,
  parseSecretRef,
  readSecretDescription,
  secretDescriptionOf,
  secretNameOf,
  secretTagsOf,
} from './aws-vault-secret.ts';
import { kmsClient, secretsManagerClient } from './clients.ts';
import { generateKeyPairInKms } from './kms-key-pair.ts';

/** Options of {@link createAwsVault}. */
export interface AwsVaultOptions {
  /** The customer-managed KMS key (id, ARN or alias) that generates key pairs and encrypts the secrets. */
  readonly kmsKeyId: string;
  /** First part of every secret name, `<prefix>/<issuerId>/<slot>`; IAM is scoped to it. @default 'keyturn' */
  readonly secretNamePrefix?: string;
  /** Days a destroyed key can still be restored (7 to 30, as Secrets Manager allows). @default 7 */
  readonly recoveryWindowDays?: number;
  /** @default the process's KMS client (clients.ts) */
  readonly kms?: KMSClient;
  /** @default the process's Secrets Manager client (clients.ts) */
  readonly secretsManager?: SecretsManagerClient;
}

const SECRETS_MANAGER = 'SecretsManager';

/**
 * A KeyVault on AWS: KMS GenerateDataKeyPair makes each RSA pair under the customer-managed key, and the
 * private key (PKCS#1 PEM, as the cluster wants it) goes into its own Secrets Manager secret
 * `<prefix>/<issuerId>/<slot>` encrypted with that key; the ref is the secret name. The public half is in
 * the secret's Description, so a retried generate finds the first key with DescribeSecret alone, and the
 * create carries a ClientRequestToken derived from issuer and slot (RETRY-SAFE). Plaintext lives only
 * inside generate/seal and in what open returns (SEALED); errors name secrets and kids, never key material.
 */
export function createAwsVault(options: AwsVaultOptions): KeyVault {
  const prefix = assertSecretNamePrefix(options.secretNamePrefix ?? 'keyturn');
  const recoveryWindowDays = options.recoveryWindowDays ?? 7;
  if (!Number.isInteger(recoveryWindowDays) || recoveryWindowDays < 7 || recoveryWindowDays > 30) {
    throw new RangeError(
      `recoveryWindowDays ${recoveryWindowDays} is not allowed by Secrets Manager; use 7 to 30 days`,
    );
  }
  const kms = (): KMSClient => options.kms ?? kmsClient();
  const secretsManager = (): SecretsManagerClient => options.secretsManager ?? secretsManagerClient();

  const describe = async (name: string): Promise<DescribeSecretCommandOutput | undefined> => {
    try {
      return await callAws({ service: SECRETS_MANAGER, operation: 'DescribeSecret', resource: name }, () =>
        secretsManager().send(new DescribeSecretCommand({ SecretId: name })),
      );
    } catch (error) {
      if (error instanceof AwsNotFoundError) return undefined;
      throw error;
    }
  };

  /** The key already in a slot; a slot whose secret is scheduled for deletion cannot be reused. */
  const keyInSlot = async (name: string): Promise<VaultKey | undefined> => {
    const secret = await describe(name);
    if (secret === undefined) return undefined;
    if (secret.DeletedDate !== undefined) {
      throw new VaultError(
        'ERR_VAULT_SLOT_TAKEN',
        `vault slot ${name} holds a key scheduled for deletion; restore it (${restoreCommand(name)}) or use a new slot`,
      );
    }
    return readSecretDescription(name, secret.Description);
  };

  const createSecret = async (
    issuerId: string,
    slot: string,
    privateKey: PrivateSigningKey,
  ): Promise<VaultKey> => {
    const name = secretNameOf(prefix, issuerId, slot);
    const { kid, bits } = privateKey.publicKey;
    const key: VaultKey = { kid, bits, publicKeyPem: encodePublicKeyPem(privateKey.publicKey), ref: name };
    try {
      await callAws({ service: SECRETS_MANAGER, operation: 'CreateSecret', resource: name }, () =>
        secretsManager().send(
          new CreateSecretCommand({
            Name: name,
            ClientRequestToken: clientRequestTokenOf(issuerId, slot),
            KmsKeyId: options.kmsKeyId,
            SecretString: encodePrivateKeyPem(privateKey),
            Description: secretDescriptionOf(key),
            Tags: secretTagsOf(issuerId, slot, kid),
          }),
        ),
      );
      return key;
    } catch (error) {
      // A racing generator created the slot first: whatever is in the slot now is the key of record.
      if (error instanceof AwsRejectedError && error.awsName === 'ResourceExistsException') {
        const winner = await keyInSlot(name);
        if (winner !== undefined) return winner;
      }
      throw error;
    }
  };

  return {
    async generate({ issuerId, slot, bits }) {
      const size = parseRsaBits(bits);
      const name = secretNameOf(prefix, issuerId, slot);
      const key =
        (await keyInSlot(name)) ??
        (await createSecret(issuerId, slot, await generateKeyPairInKms(kms(), options.kmsKeyId, size)));
      if (key.bits !== size) {
        throw new VaultError(
          'ERR_VAULT_SLOT_TAKEN',
          `vault slot ${name} already holds a ${key.bits}-bit key, not ${size}-bit; use a new slot`,
        );
      }
      return key;
    },

    async seal({ issuerId, slot, privateKey }) {
      const name = secretNameOf(prefix, issuerId, slot);
      const key = (await keyInSlot(name)) ?? (await createSecret(issuerId, slot, privateKey));
      if (key.kid !== privateKey.publicKey.kid) {
        throw new VaultError(
          'ERR_VAULT_SLOT_TAKEN',
          `vault slot ${name} already holds key ${key.kid}, not ${privateKey.publicKey.kid}; use a new slot`,
        );
      }
      return key;
    },

    async open(ref) {
      parseSecretRef(prefix, ref);
      const secret = await describe(ref);
      if (secret === undefined) {
        throw new VaultError(
          'ERR_VAULT_NOT_FOUND',
          `no secret ${ref} in Secrets Manager: the key was never sealed, or its recovery window has passed`,
        );
      }
      if (secret.DeletedDate !== undefined) {
        throw new VaultError(
          'ERR_VAULT_NOT_FOUND',
          `secret ${ref} was scheduled for deletion on ${secret.DeletedDate.toISOString()}; if that was an ` +
            `accident, restore it within the recovery window with: ${restoreCommand(ref)}`,
        );
      }
      const recorded = readSecretDescription(ref, secret.Description);
      const value = await callAws(
        { service: SECRETS_MANAGER, operation: 'GetSecretValue', resource: ref },
        () => secretsManager().send(new GetSecretValueCommand({ SecretId: ref })),
      );
      const privateKey = readPrivateKey(ref, value.SecretString);
      if (privateKey.publicKey.kid !== recorded.kid) {
        throw new VaultError(
          'ERR_VAULT_TAMPERED',
          `secret ${ref} holds key ${privateKey.publicKey.kid}, not ${recorded.kid} as its description records; was its value changed outside keyturn?`,
        );
      }
      return privateKey;
    },

    async destroy(ref) {
      parseSecretRef(prefix, ref);
      try {
        await callAws({ service: SECRETS_MANAGER, operation: 'DeleteSecret', resource: ref }, () =>
          secretsManager().send(
            new DeleteSecretCommand({ SecretId: ref, RecoveryWindowInDays: recoveryWindowDays }),
          ),
        );
      } catch (error) {
        if (error instanceof AwsNotFoundError) return;
        // Secrets Manager refuses to delete a secret twice; already scheduled is what destroy wants.
        if (error instanceof AwsRejectedError && error.awsName === 'InvalidRequestException') {
          const secret = await describe(ref);
          if (secret === undefined || secret.DeletedDate !== undefined) return;
        }
        throw error;
      }
    },
  };
}

/** Parses a secret's value; a value that is no private key means the secret was edited. */
function readPrivateKey(name: string, secretString: string | undefined): PrivateSigningKey {
  try {
    return parsePrivateKey(secretString ?? '', `secret ${name}`);
  } catch (error) {
    if (!(error instanceof InvalidKeyError)) throw error;
    throw new VaultError(
      'ERR_VAULT_TAMPERED',
      `secret ${name} does not hold a private key keyturn can read (${error.code}); was its value changed outside keyturn?`,
    );
  }
}

function restoreCommand(name: string): string {
  return `aws secretsmanager restore-secret --secret-id ${name}`;
}
