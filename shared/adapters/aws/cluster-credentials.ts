import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KeyturnError } from '../../errors.ts';
import { AwsAccessDeniedError, AwsNotFoundError, AwsRejectedError, callAws } from './aws-errors.ts';
import { secretsManagerClient } from './clients.ts';

/** Where an issuer's kubeconfig lives unless configured otherwise: `keyturn-cluster/<issuerId>`. */
export const DEFAULT_CLUSTER_SECRET_PREFIX = 'keyturn-cluster/';

/** How long a kubeconfig read from Secrets Manager is reused before it is read again. */
export const DEFAULT_CLUSTER_CREDENTIALS_CACHE_SECONDS = 300;

/** Why an issuer's cluster credentials cannot be used; each message names the secret, never its value. */
export type ClusterCredentialsCode =
  /** The secret does not exist, or is scheduled for deletion. */
  | 'ERR_CLUSTER_CREDENTIALS_MISSING'
  /** IAM (or the KMS key policy) does not let the function read or decrypt the secret. */
  | 'ERR_CLUSTER_CREDENTIALS_DENIED'
  /** The secret has no SecretString, or only whitespace. */
  | 'ERR_CLUSTER_CREDENTIALS_EMPTY'
  /** The SecretString is not a kubeconfig keyturn can use. */
  | 'ERR_CLUSTER_CREDENTIALS_INVALID'
  /** The kubeconfig would run a program or read a file inside the function for its credentials. */
  | 'ERR_CLUSTER_CREDENTIALS_UNSAFE';

/**
 * The kubeconfig of an issuer's cluster cannot be used: the secret is missing, unreadable, empty or not a
 * kubeconfig. Not retryable: someone has to create or fix the secret (the message says how).
 */
export class ClusterCredentialsError extends KeyturnError<ClusterCredentialsCode> {
  /** The Secrets Manager secret that was read. */
  readonly secretName: string;

  constructor(code: ClusterCredentialsCode, secretName: string, message: string) {
    super(code, message);
    this.secretName = secretName;
  }
}

/** An issuer's kubeconfig as read from Secrets Manager. */
export interface ClusterKubeconfig {
  /** The secret it came from, for messages. */
  readonly secretName: string;
  /** The kubeconfig (YAML or JSON). Key material's cousin: never log it, never put it in an error. */
  readonly kubeconfig: string;
}

/** Reads the kubeconfig of each issuer's cluster. */
export interface ClusterCredentials {
  /** The kubeconfig of `issuerId`'s cluster, from the cache while it is fresh. */
  kubeconfigOf(issuerId: string): Promise<ClusterKubeconfig>;
}

/** Options of {@link createClusterCredentials}. */
export interface ClusterCredentialsOptions {
  /** Prepended to the issuer id to name its secret. @default 'keyturn-cluster/' */
  readonly secretPrefix?: string;
  /** Seconds a kubeconfig is reused before the secret is read again. @default 300 */
  readonly cacheSeconds?: number;
  /** Milliseconds since the epoch, for the cache. @default Date.now */
  readonly now?: () => number;
  /** @default the process's Secrets Manager client (clients.ts) */
  readonly secretsManager?: SecretsManagerClient;
}

/** The command that creates an issuer's secret, for messages. */
export function createSecretHint(secretName: string): string {
  return `aws secretsmanager create-secret --name ${secretName} --kms-key-id <SigningKeyArn output> --secret-string file://kubeconfig`;
}

/** The error for a SecretString that is not a usable kubeconfig; `problem` must not quote the value. */
export function invalidClusterCredentials(secretName: string, problem: string): ClusterCredentialsError {
  return new ClusterCredentialsError(
    'ERR_CLUSTER_CREDENTIALS_INVALID',
    secretName,
    `secret ${secretName} does not hold a usable kubeconfig: ${problem}; replace its value with ` +
      `aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string file://kubeconfig`,
  );
}

/**
 * The error for a kubeconfig that would make the function run a program or read one of its own files
 * for credentials; `references` are positions in it (`users[0].user.exec`), never its names or values.
 */
export function unsafeClusterCredentials(
  secretName: string,
  references: readonly string[],
): ClusterCredentialsError {
  return new ClusterCredentialsError(
    'ERR_CLUSTER_CREDENTIALS_UNSAFE',
    secretName,
    `secret ${secretName} holds a kubeconfig that would run a program or read a file inside the function ` +
      `for its credentials (${references.join(', ')}): keyturn refuses exec, auth-provider, token-file and ` +
      'certificate, key or CA file paths in a kubeconfig from Secrets Manager, as whoever can write the secret ' +
      "could run commands or read the function's own files. Give its user a token (a service-account token, " +
      'docs/openshift.md) or client-certificate-data and client-key-data, and its cluster ' +
      'certificate-authority-data (kubectl config view --minify --flatten --raw embeds certificate files), ' +
      `then replace the value with aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string file://kubeconfig`,
  );
}

/**
 * Cluster credentials in Secrets Manager: issuer X's kubeconfig is the SecretString of secret
 * `<prefix>X`, encrypted with keyturn's KMS key, so reading it takes secretsmanager:GetSecretValue on the
 * secret and kms:Decrypt on the key. Each issuer's value is cached for `cacheSeconds`, so a Lambda reads
 * it once per few minutes and picks up a replaced kubeconfig (a renewed token) after that. Missing,
 * denied and empty secrets are ClusterCredentialsErrors; throttling, outages and a disabled key stay the
 * typed AWS errors the workflow retries or reports.
 */
export function createClusterCredentials(options: ClusterCredentialsOptions = {}): ClusterCredentials {
  const prefix = options.secretPrefix ?? DEFAULT_CLUSTER_SECRET_PREFIX;
  const ttlMs = (options.cacheSeconds ?? DEFAULT_CLUSTER_CREDENTIALS_CACHE_SECONDS) * 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { readonly value: ClusterKubeconfig; readonly expiresAt: number }>();

  const read = async (secretName: string): Promise<ClusterKubeconfig> => {
    const answer = await callAws(
      { service: 'SecretsManager', operation: 'GetSecretValue', resource: secretName },
      () =>
        (options.secretsManager ?? secretsManagerClient()).send(
          new GetSecretValueCommand({ SecretId: secretName }),
        ),
    ).catch((error: unknown) => {
      throw explainReadError(error, secretName);
    });
    const kubeconfig = answer.SecretString ?? '';
    if (kubeconfig.trim() === '') {
      throw new ClusterCredentialsError(
        'ERR_CLUSTER_CREDENTIALS_EMPTY',
        secretName,
        `secret ${secretName} has no SecretString (a binary or empty value); store the kubeconfig text with ` +
          `aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string file://kubeconfig`,
      );
    }
    return { secretName, kubeconfig };
  };

  return {
    async kubeconfigOf(issuerId) {
      const cached = cache.get(issuerId);
      if (cached !== undefined && now() < cached.expiresAt) return cached.value;
      const value = await read(`${prefix}${issuerId}`);
      cache.set(issuerId, { value, expiresAt: now() + ttlMs });
      return value;
    },
  };
}

/** Missing and denied secrets get a message saying what to do; other errors pass unchanged. */
function explainReadError(error: unknown, secretName: string): unknown {
  // A secret scheduled for deletion answers InvalidRequestException: as good as missing until restored.
  if (
    error instanceof AwsNotFoundError ||
    (error instanceof AwsRejectedError && error.awsName === 'InvalidRequestException')
  ) {
    return new ClusterCredentialsError(
      'ERR_CLUSTER_CREDENTIALS_MISSING',
      secretName,
      `secret ${secretName} with this issuer's kubeconfig does not exist (or is scheduled for deletion); ` +
        `create it with ${createSecretHint(secretName)}`,
    );
  }
  if (error instanceof AwsAccessDeniedError) {
    return new ClusterCredentialsError(
      'ERR_CLUSTER_CREDENTIALS_DENIED',
      secretName,
      `the function may not read secret ${secretName}: its role needs secretsmanager:GetSecretValue on the ` +
        "secret and kms:Decrypt on the KMS key that encrypts it; create the secret under keyturn's key " +
        `(${createSecretHint(secretName)})`,
    );
  }
  return error;
}
