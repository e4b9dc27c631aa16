import type { Logger } from '@aws-lambda-powertools/logger';
import { createAwsVault } from '#shared/adapters/aws/aws-vault.ts';
import { createClusterCredentials } from '#shared/adapters/aws/cluster-credentials.ts';
import { createS3KeyringStore } from '#shared/adapters/aws/s3-keyring-store.ts';
import { createS3Publisher } from '#shared/adapters/aws/s3-publisher.ts';
import type { Fetch } from '#shared/issuer/read-public-issuer.ts';
import type { AuditLog, Clock, RotationPorts } from '#shared/ports.ts';
import { redactAuditEntry } from '#shared/redaction.ts';
import { issuerTargetOf, REQUIRED_ENV, readAwsTaskConfig } from './aws-config.ts';
import { type ConnectCluster, createSecretClusterSigner } from './cluster-port.ts';
import { createKeyturnLogger } from './observability.ts';
import type { PortsProvider } from './task-handlers.ts';

export { REQUIRED_ENV };

/** Options of {@link createAwsPortsProvider}; the defaults are what a Lambda uses. */
export interface AwsPortsOptions {
  /** Where audit entries go, one structured line each. @default a new keyturn Logger */
  readonly logger?: Logger;
  /** The steps' clock, also the clock of the kubeconfig cache. @default the system clock */
  readonly clock?: Clock;
  /** How the publishers read keys.json at the public URL. @default globalThis.fetch */
  readonly fetch?: Fetch;
  /** How a kubeconfig becomes a cluster. @default the OpenShift adapter */
  readonly connectCluster?: ConnectCluster;
  /** A lead time below keys.json's max-age outside an emergency. @default 'allow'; a Lambda's: 'refuse' */
  readonly shortLeadTime?: 'refuse' | 'allow';
}

/** Ports of one issuer, built on the process's shared adapters. */
export type AwsPortsOf = (issuerId: string) => RotationPorts;

const systemClock: Clock = { now: () => new Date() };

/**
 * The ports of a task Lambda on AWS, per issuer. Shared by every issuer of the process: the KMS + Secrets
 * Manager vault, the S3 keyring store (each revision authenticated by the KMS HMAC key), the clock, the audit trail (lines in the function's log) and the
 * cache of kubeconfigs. Per issuer, made once and kept: the publisher (the stack's issuer bucket and
 * distribution, or the issuer's entry in KEYTURN_ISSUER_TARGETS) and the cluster, which reads the
 * issuer's kubeconfig from Secrets Manager at its first call only. Reads the environment at once and
 * throws TaskConfigError (ERR_TASK_CONFIG) when it is incomplete or wrong.
 */
export function createAwsPortsProvider(
  env: NodeJS.ProcessEnv = process.env,
  options: AwsPortsOptions = {},
): AwsPortsOf {
  const config = readAwsTaskConfig(env);
  const clock = options.clock ?? systemClock;
  const shared = {
    vault: createAwsVault({ kmsKeyId: config.kmsKeyId }),
    store: createS3KeyringStore({ bucket: config.stateBucket, macKeyId: config.keyringMacKeyId }),
    clock,
    audit: createLoggerAuditLog(options.logger ?? createKeyturnLogger()),
    actor: 'workflow',
    ...(options.shortLeadTime === undefined ? {} : { shortLeadTime: options.shortLeadTime }),
  };
  const credentials = createClusterCredentials({
    secretPrefix: config.clusterSecretPrefix,
    now: () => clock.now().getTime(),
  });
  const byIssuer = new Map<string, RotationPorts>();
  return (issuerId) => {
    const known = byIssuer.get(issuerId);
    if (known !== undefined) return known;
    const ports: RotationPorts = {
      ...shared,
      publisher: createS3Publisher({ ...issuerTargetOf(config, issuerId), fetch: options.fetch }),
      cluster: createSecretClusterSigner({ issuerId, credentials, connect: options.connectCluster }),
    };
    byIssuer.set(issuerId, ports);
    return ports;
  };
}

/**
 * An AuditLog that writes each entry as one structured log line (`message: 'audit'`), key material in
 * its text redacted (SEALED).
 */
export function createLoggerAuditLog(logger: Logger): AuditLog {
  return {
    async append(entry) {
      logger.info('audit', { audit: redactAuditEntry(entry) });
    },
  };
}

/**
 * The ports provider of a task Lambda: reads the environment at the first invocation (not at import, so a
 * misconfigured function fails its invocations with ERR_TASK_CONFIG) and keeps the adapters for the
 * life of the process. A deployed rotation refuses a lead time below keys.json's max-age outside an
 * emergency (CloudFront and STS cache it).
 */
export function lazyAwsPorts(options: AwsPortsOptions = {}): PortsProvider {
  let portsOf: AwsPortsOf | undefined;
  return (issuerId) => {
    portsOf ??= createAwsPortsProvider(process.env, { shortLeadTime: 'refuse', ...options });
    return portsOf(issuerId);
  };
}
