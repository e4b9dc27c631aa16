import type { KeyturnConfig } from '../config/keyturn-config.ts';
import type { IssuerHosting } from './issuer-hosting.ts';
import { CLUSTER_CREDENTIALS_SECRET_PREFIX, type SigningKeys } from './signing-keys.ts';

/**
 * The environment of every task function, as functions/aws-config.ts reads it: the CMK, the keyring
 * HMAC key, the state and
 * issuer buckets, the distribution, the prefix of the cluster-credential secrets and, for issuers migrated
 * in place, where each one publishes (KEYTURN_ISSUER_TARGETS). Names and ids only, never a secret.
 */
export function functionEnvironment(
  config: KeyturnConfig,
  signing: SigningKeys,
  hosting: IssuerHosting,
): Record<string, string> {
  const targets = Object.fromEntries(
    config.issuers.flatMap(({ id, existingIssuer }) =>
      existingIssuer === undefined
        ? []
        : [
            [
              id,
              {
                bucket: existingIssuer.bucketName,
                ...(existingIssuer.distributionId === undefined
                  ? {}
                  : { distributionId: existingIssuer.distributionId }),
              },
            ],
          ],
    ),
  );
  return {
    KEYTURN_KMS_KEY_ID: signing.key.keyArn,
    KEYTURN_KEYRING_MAC_KEY_ID: signing.keyringMacKey.keyArn,
    KEYTURN_STATE_BUCKET: signing.stateBucket.bucketName,
    KEYTURN_ISSUER_BUCKET: hosting.bucket.bucketName,
    KEYTURN_DISTRIBUTION_ID: hosting.distribution.distributionId,
    KEYTURN_CLUSTER_SECRET_PREFIX: CLUSTER_CREDENTIALS_SECRET_PREFIX,
    ...(Object.keys(targets).length === 0 ? {} : { KEYTURN_ISSUER_TARGETS: JSON.stringify(targets) }),
  };
}
