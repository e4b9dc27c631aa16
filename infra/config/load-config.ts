import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { KeyturnError } from '#shared/errors.ts';
import { MAX_EXECUTION_SECONDS, maxFleetIssuers } from '../workflows/fleet-timeout.ts';
import { type IssuerConfig, type KeyturnConfig, keyturnConfigSchema } from './keyturn-config.ts';

/** A keyturn.config.json that cannot be deployed; the message lists every problem with its path. */
export class ConfigError extends KeyturnError<'ERR_CONFIG'> {
  constructor(message: string) {
    super('ERR_CONFIG', message);
  }
}

/** Reads and validates a keyturn config file. Throws ConfigError naming the file and each problem. */
export function loadKeyturnConfig(path: string): KeyturnConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'cannot be read';
    throw new ConfigError(`${path}: ${reason}; copy keyturn.config.json or pass -c config=FILE to cdk`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseKeyturnConfig(value, path);
}

/** Validates a config value (schema, then the rules across fields). */
export function parseKeyturnConfig(value: unknown, source = 'config'): KeyturnConfig {
  const parsed = keyturnConfigSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError(describeIssues(source, parsed.error.issues));
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(`${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return parsed.data;
}

/** Days after which the active key of `issuer` is too old: its own setting, the fleet's, or interval + 14. */
export function maxKeyAgeDaysOf(config: KeyturnConfig, issuer: IssuerConfig): number {
  return issuer.maxKeyAgeDays ?? config.rotation.maxKeyAgeDays ?? rotationIntervalDaysOf(config, issuer) + 14;
}

/** Days between scheduled rotations of `issuer`. */
export function rotationIntervalDaysOf(config: KeyturnConfig, issuer: IssuerConfig): number {
  return issuer.rotationIntervalDays ?? config.rotation.intervalDays;
}

function describeIssues(source: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.map((issue) => {
    const path = issue.path
      .map((part, index) =>
        typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
      )
      .join('');
    return `  - ${path || '(top level)'}: ${issue.message}`;
  });
  return `${source}:\n${lines.join('\n')}`;
}

function crossFieldProblems(config: KeyturnConfig): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const issuer of config.issuers) {
    if (seen.has(issuer.id)) problems.push(`issuers: id ${issuer.id} is listed twice`);
    seen.add(issuer.id);
    if (maxKeyAgeDaysOf(config, issuer) <= rotationIntervalDaysOf(config, issuer)) {
      problems.push(
        `issuers: ${issuer.id}: maxKeyAgeDays must exceed the rotation interval, or the key-age alarm fires before every scheduled rotation`,
      );
    }
  }
  const fleetLimit = maxFleetIssuers();
  if (config.issuers.length > fleetLimit) {
    problems.push(
      `issuers: ${config.issuers.length} issuers cannot all be rotated one at a time by one fleet execution within Step Functions' ${MAX_EXECUTION_SECONDS} s (one year) limit; list at most ${fleetLimit}, or deploy a second stack for the rest`,
    );
  }
  const { domainName, certificateArn } = config.hosting;
  if ((domainName === undefined) !== (certificateArn === undefined)) {
    problems.push(
      'hosting: domainName and certificateArn go together (CloudFront serves a custom name only with its certificate)',
    );
  }
  const vpc = config.vpc;
  if (vpc !== undefined && vpc.privateSubnetIds.length % vpc.availabilityZones.length !== 0) {
    problems.push(
      'vpc: give the same number of privateSubnetIds in each of the availabilityZones, in zone order',
    );
  }
  return problems;
}
