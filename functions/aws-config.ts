import { z } from 'zod';
import { DEFAULT_CLUSTER_SECRET_PREFIX } from '#shared/adapters/aws/cluster-credentials.ts';
import { BUCKET_NAME_PATTERN, ISSUER_ID_PATTERN } from '#shared/identifiers.ts';
import { TaskConfigError } from './task-errors.ts';

/** The environment variables every task Lambda needs (the infrastructure sets them). */
export const REQUIRED_ENV = [
  'KEYTURN_KMS_KEY_ID',
  'KEYTURN_KEYRING_MAC_KEY_ID',
  'KEYTURN_STATE_BUCKET',
  'KEYTURN_ISSUER_BUCKET',
] as const;

/** Where an issuer's documents are published: a bucket, and the distribution in front of it if any. */
export interface IssuerTarget {
  readonly bucket: string;
  /** Without one, nothing is invalidated (the bucket is served directly, or by a CDN keyturn does not own). */
  readonly distributionId?: string;
}

/** The configuration of a task Lambda, read from its environment. */
export interface AwsTaskConfig {
  /** KEYTURN_KMS_KEY_ID: the customer-managed key (its ARN) that makes and seals the signing keys. */
  readonly kmsKeyId: string;
  /** KEYTURN_KEYRING_MAC_KEY_ID: the KMS HMAC key (its ARN) that authenticates every keyring revision. */
  readonly keyringMacKeyId: string;
  /** KEYTURN_STATE_BUCKET: where the keyrings live. */
  readonly stateBucket: string;
  /** KEYTURN_ISSUER_BUCKET and KEYTURN_DISTRIBUTION_ID: where issuers are published by default. */
  readonly defaultTarget: IssuerTarget;
  /** KEYTURN_ISSUER_TARGETS: issuers published elsewhere (a ccoctl issuer migrated in place). */
  readonly issuerTargets: Readonly<Record<string, IssuerTarget>>;
  /** KEYTURN_CLUSTER_SECRET_PREFIX: issuer X's kubeconfig is secret `<prefix>X`. */
  readonly clusterSecretPrefix: string;
}

const DISTRIBUTION_ID = /^[A-Z0-9]{1,32}$/;
const SECRET_NAME_PREFIX = /^[A-Za-z0-9/_+=.@-]{1,256}$/;
const TARGETS_EXAMPLE = '{"<issuerId>": {"bucket": "<bucket>", "distributionId": "<E...>"}}';

const issuerTargetsSchema = z.record(
  z.string().regex(ISSUER_ID_PATTERN, 'is not an issuer id'),
  z.strictObject({
    bucket: z.string().regex(BUCKET_NAME_PATTERN, 'must be an S3 bucket name'),
    distributionId: z.string().regex(DISTRIBUTION_ID, 'must be a CloudFront distribution id').optional(),
  }),
);

/**
 * Reads a task Lambda's configuration. Throws TaskConfigError (ERR_TASK_CONFIG) naming every missing
 * variable, or the variable whose value is wrong and what it should look like.
 */
export function readAwsTaskConfig(env: NodeJS.ProcessEnv): AwsTaskConfig {
  const missing = REQUIRED_ENV.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw configError(
      `missing environment variable(s) ${missing.join(', ')}; set them on the function (the infrastructure stack does)`,
    );
  }
  const distributionId = env.KEYTURN_DISTRIBUTION_ID;
  return {
    kmsKeyId: env.KEYTURN_KMS_KEY_ID ?? '',
    keyringMacKeyId: env.KEYTURN_KEYRING_MAC_KEY_ID ?? '',
    stateBucket: env.KEYTURN_STATE_BUCKET ?? '',
    defaultTarget: {
      bucket: env.KEYTURN_ISSUER_BUCKET ?? '',
      ...(distributionId ? { distributionId } : {}),
    },
    issuerTargets: parseIssuerTargets(env.KEYTURN_ISSUER_TARGETS),
    clusterSecretPrefix: parseSecretPrefix(env.KEYTURN_CLUSTER_SECRET_PREFIX),
  };
}

/** The target of an issuer: its own entry in KEYTURN_ISSUER_TARGETS, else the stack's bucket and distribution. */
export function issuerTargetOf(config: AwsTaskConfig, issuerId: string): IssuerTarget {
  // Own entries only: an issuer called `constructor` must not find Object.prototype's.
  const own = Object.hasOwn(config.issuerTargets, issuerId) ? config.issuerTargets[issuerId] : undefined;
  return own ?? config.defaultTarget;
}

function parseIssuerTargets(value: string | undefined): Record<string, IssuerTarget> {
  if (value === undefined || value.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw configError(`KEYTURN_ISSUER_TARGETS is not JSON; expected ${TARGETS_EXAMPLE}`);
  }
  const parsed = issuerTargetsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    throw configError(
      `KEYTURN_ISSUER_TARGETS is invalid${where}: ${issue?.message ?? 'unexpected value'}; expected ${TARGETS_EXAMPLE}`,
    );
  }
  return parsed.data;
}

function parseSecretPrefix(value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_CLUSTER_SECRET_PREFIX;
  if (!SECRET_NAME_PREFIX.test(value)) {
    throw configError(
      `KEYTURN_CLUSTER_SECRET_PREFIX ${JSON.stringify(value)} cannot start a Secrets Manager secret name; ` +
        `use letters, digits and /_+=.@- (default ${DEFAULT_CLUSTER_SECRET_PREFIX})`,
    );
  }
  return value;
}

function configError(message: string): TaskConfigError {
  return new TaskConfigError('ERR_TASK_CONFIG', message);
}
