import type { Logger } from '@aws-lambda-powertools/logger';
import { createAwsVault } from '#shared/adapters/aws/aws-vault.ts';
import { createS3KeyringStore } from '#shared/adapters/aws/s3-keyring-store.ts';
import { createS3Publisher } from '#shared/adapters/aws/s3-publisher.ts';
import { createOpenShiftClusterSigner } from '#shared/adapters/openshift/index.ts';
import type { AuditLog, Clock, RotationPorts } from '#shared/ports.ts';
import { createKeyturnLogger } from './observability.ts';
import { TaskConfigError } from './task-errors.ts';

/** The environment variables every task Lambda needs (the infrastructure sets them). */
export const REQUIRED_ENV = [
  'KEYTURN_KMS_KEY_ID',
  'KEYTURN_STATE_BUCKET',
  'KEYTURN_ISSUER_BUCKET',
  'KEYTURN_KUBECONFIG',
] as const;

/** Options of {@link awsPortsFromEnv}. */
export interface AwsPortsOptions {
  /** Where audit entries go, one structured line each. @default a new keyturn Logger */
  readonly logger?: Logger;
}

const systemClock: Clock = { now: () => new Date() };

/**
 * The ports of a task Lambda on AWS: KMS + Secrets Manager vault, S3 keyring store, S3 + CloudFront
 * publisher, the OpenShift cluster, the system clock and an audit trail in the function's logs.
 * KEYTURN_KUBECONFIG holds the kubeconfig YAML itself for now; the infrastructure issue replaces it with a
 * Secrets Manager reference read at first use. Throws TaskConfigError naming every missing variable.
 */
export function awsPortsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: AwsPortsOptions = {},
): RotationPorts {
  const missing = REQUIRED_ENV.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new TaskConfigError(
      'ERR_TASK_CONFIG',
      `missing environment variable(s) ${missing.join(', ')}; set them on the function (the infrastructure stack does)`,
    );
  }
  const required = (name: (typeof REQUIRED_ENV)[number]) => env[name] ?? '';
  const distributionId = env.KEYTURN_DISTRIBUTION_ID;
  return {
    vault: createAwsVault({ kmsKeyId: required('KEYTURN_KMS_KEY_ID') }),
    store: createS3KeyringStore({ bucket: required('KEYTURN_STATE_BUCKET') }),
    publisher: createS3Publisher({
      bucket: required('KEYTURN_ISSUER_BUCKET'),
      ...(distributionId ? { distributionId } : {}),
    }),
    cluster: createOpenShiftClusterSigner({ kubeconfig: { yaml: required('KEYTURN_KUBECONFIG') } }),
    clock: systemClock,
    audit: createLoggerAuditLog(options.logger ?? createKeyturnLogger()),
    actor: 'workflow',
  };
}

/** An AuditLog that writes each entry as one structured log line (`message: 'audit'`). */
export function createLoggerAuditLog(logger: Logger): AuditLog {
  return {
    async append(entry) {
      logger.info('audit', { audit: entry });
    },
  };
}

/**
 * A ports provider for a task Lambda: builds the AWS ports from the environment on first use (not at
 * import, so a misconfigured function fails its invocation with ERR_TASK_CONFIG) and keeps them.
 */
export function lazyAwsPorts(options: AwsPortsOptions = {}): () => RotationPorts {
  let ports: RotationPorts | undefined;
  return () => {
    ports ??= awsPortsFromEnv(process.env, options);
    return ports;
  };
}
