import { GenerateMacCommand, type KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import type { KeyringMacKey } from '../../keyring/keyring-mac.ts';
import { callAws, toAwsError } from './aws-errors.ts';
import { kmsClient } from './clients.ts';

/** Options of {@link createKmsKeyringMacKey}. */
export interface KmsKeyringMacKeyOptions {
  /** The KMS HMAC key (KeySpec HMAC_256, KeyUsage GENERATE_VERIFY_MAC): id, ARN or alias. */
  readonly keyId: string;
  /** @default the process's KMS client (clients.ts) */
  readonly kms?: KMSClient;
}

/**
 * The keyring MAC key on AWS: HMAC-SHA-256 computed by KMS (GenerateMac / VerifyMac), so the key never
 * leaves KMS and only principals the key policy names can make a MAC. VerifyMac answers a MAC that does
 * not match with KMSInvalidMacException (never MacValid false): that is `false` here; any other failure
 * (denied, disabled key, throttled) is a typed AWS error.
 */
export function createKmsKeyringMacKey(options: KmsKeyringMacKeyOptions): KeyringMacKey {
  const kms = options.kms ?? kmsClient();
  const { keyId } = options;
  return {
    async generate(data) {
      const output = await callAws({ service: 'KMS', operation: 'GenerateMac', resource: keyId }, () =>
        kms.send(new GenerateMacCommand({ KeyId: keyId, MacAlgorithm: 'HMAC_SHA_256', Message: data })),
      );
      if (output.Mac === undefined) {
        throw new TypeError(`KMS GenerateMac with ${keyId} answered without a Mac`);
      }
      return output.Mac;
    },
    async verify(data, mac) {
      if (mac.length === 0) return false;
      try {
        const output = await kms.send(
          new VerifyMacCommand({ KeyId: keyId, MacAlgorithm: 'HMAC_SHA_256', Message: data, Mac: mac }),
        );
        return output.MacValid === true;
      } catch (error) {
        if ((error as { name?: unknown } | null)?.name === 'KMSInvalidMacException') return false;
        throw toAwsError(error, { service: 'KMS', operation: 'VerifyMac', resource: keyId });
      }
    },
  };
}
