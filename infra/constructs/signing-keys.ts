import { Arn, ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type TaskName, taskPascalName } from '#shared/workflow-tasks.ts';
import { adminOnlyKeyPolicy, KEYRING_MAC_ACTIONS, splitKmsActions } from './key-policies.ts';
import { privateBucketProps } from './private-bucket.ts';

/** Secrets holding private signing keys: `keyturn/<issuer>/<slot>` (shared/adapters/aws/aws-vault.ts). */
export const SIGNING_KEY_SECRET_PREFIX = 'keyturn/';
/** Secrets holding each cluster's kubeconfig: `keyturn-cluster/<issuer>` (functions/aws-ports.ts). */
export const CLUSTER_CREDENTIALS_SECRET_PREFIX = 'keyturn-cluster/';
/** Where keyrings live in the state bucket: `keyrings/<issuer>.json`. */
export const KEYRING_PREFIX = 'keyrings/';

/** Props of {@link SigningKeys}. */
export interface SigningKeysProps {
  /** Receives the state bucket's access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Roles allowed to use the key outside the functions (`keyturn init --aws`, creating cluster secrets). */
  readonly operatorRoleArns?: readonly string[];
}

/**
 * Where private keys and rotation state live: the customer-managed KMS key (yearly rotation on) that
 * encrypts the signing-key and cluster-credential secrets, the private, versioned state bucket of
 * keyrings, and the KMS HMAC key that authenticates every keyring revision (so whoever may write the
 * bucket but not use that key cannot make keyturn publish a key). Both key policies let the account
 * administer the key but only the principals given to {@link allowKeyUse} and {@link allowKeyringMac}
 * (keyturn's functions, the configured operators) use it.
 */
export class SigningKeys extends Construct {
  /** The CMK of the secrets; its ARN is the functions' KEYTURN_KMS_KEY_ID. */
  public readonly key: kms.Key;
  /** The keyring bucket (conditional writes, versioned so every keyring revision stays). */
  public readonly stateBucket: s3.Bucket;
  /**
   * The HMAC_256 key (GENERATE_VERIFY_MAC) whose MAC every keyring revision carries; its ARN is the
   * functions' KEYTURN_KEYRING_MAC_KEY_ID and the stack output KeyringMacKeyArn. KMS rotates no HMAC key.
   */
  public readonly keyringMacKey: kms.Key;

  constructor(scope: Construct, id: string, props: SigningKeysProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'keyturn: encrypts the private service-account signing keys and cluster credentials',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: adminOnlyKeyPolicy(),
    });
    this.keyringMacKey = new kms.Key(this, 'KeyringMacKey', {
      description: 'keyturn: authenticates every keyring revision in the state bucket (HMAC-SHA-256)',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: adminOnlyKeyPolicy(),
    });
    const operators = (props.operatorRoleArns ?? []).map((arn) => new iam.ArnPrincipal(arn));
    if (operators.length > 0) {
      this.allowKeyUse('Operators', operators, ['kms:GenerateDataKeyPair'], false);
      this.allowKeyUse('OperatorsViaSecretsManager', operators, ['kms:Decrypt', 'kms:GenerateDataKey'], true);
      // init and reseal write keyrings; status and rotate read them (docs/aws.md, operator IAM).
      this.allowKeyringMac('Operators', operators, KEYRING_MAC_ACTIONS);
    }
    this.stateBucket = new s3.Bucket(
      this,
      'StateBucket',
      privateBucketProps(props.accessLogsBucket, 's3/state/'),
    );
  }

  /**
   * Adds a key-policy statement letting `principals` use the key for `actions`; `viaSecretsManager`
   * limits them to requests Secrets Manager makes on their behalf in this region.
   */
  allowKeyUse(
    sid: string,
    principals: iam.IPrincipal[],
    actions: string[],
    viaSecretsManager: boolean,
  ): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals,
        actions,
        resources: ['*'],
        ...(viaSecretsManager
          ? { conditions: { StringEquals: { 'kms:ViaService': secretsManagerService(this) } } }
          : {}),
      }),
    );
  }

  /**
   * Lets one function's role use the key for the kms actions its inventory lists: data key pairs
   * directly, decrypt and data keys only through Secrets Manager.
   */
  allowFunctionKeyUse(task: TaskName, role: iam.IRole, actions: readonly string[]): void {
    const sid = `Function${taskPascalName(task)}`;
    const { direct, viaSecretsManager } = splitKmsActions(actions);
    if (direct.length > 0) this.allowKeyUse(sid, [role], direct, false);
    if (viaSecretsManager.length > 0)
      this.allowKeyUse(`${sid}ViaSecretsManager`, [role], viaSecretsManager, true);
  }

  /**
   * Lets one function's role use the keyring HMAC key for the kms actions its inventory lists under
   * `keyring-mac-key` (GenerateMac to write keyrings, VerifyMac to read them); nothing when it lists none.
   */
  allowFunctionKeyringMac(task: TaskName, role: iam.IRole, actions: readonly string[]): void {
    if (actions.length > 0) this.allowKeyringMac(`Function${taskPascalName(task)}`, [role], actions);
  }

  /** Adds a statement to the HMAC key's policy letting `principals` perform `actions` with it. */
  allowKeyringMac(sid: string, principals: iam.IPrincipal[], actions: readonly string[]): void {
    this.keyringMacKey.addToResourcePolicy(
      new iam.PolicyStatement({ sid, principals, actions: [...actions], resources: ['*'] }),
    );
  }

  /** The ARN of the secrets whose name matches `namePattern` (`keyturn/cluster-a/*`). */
  secretArn(namePattern: string): string {
    return Arn.format(
      {
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: namePattern,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      Stack.of(this),
    );
  }
}

/** `secretsmanager.<region>.amazonaws.com`, the kms:ViaService value of Secrets Manager. */
export function secretsManagerService(scope: Construct): string {
  return `secretsmanager.${Stack.of(scope).region}.amazonaws.com`;
}
