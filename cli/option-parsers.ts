import { InvalidArgumentError } from 'commander';
import { AWS_ISSUER_ID_MAX_LENGTH, AWS_ISSUER_ID_PATTERN, isRotationId } from '#shared/identifiers.ts';
import { parseRsaBits, type RsaBits } from '#shared/keys/index.ts';

/** `--bits`: 2048, 3072 or 4096, as a usage error otherwise. */
export function parseBitsOption(value: string): RsaBits {
  try {
    return parseRsaBits(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** `--token-refresh`: `wait` (keep the old key for the grace) or `reboot` (reboot the nodes, then drop it). */
export function parseTokenRefreshOption(value: string): 'wait' | 'reboot' {
  if (value === 'wait' || value === 'reboot') return value;
  throw new InvalidArgumentError('expected wait or reboot');
}

/** `--port`: 0–65535. */
export function parsePortOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected a port number 0-65535');
  }
  return port;
}

/** `--rotation-id`: 1-63 lowercase letters, digits, `.`, `_` or `-`. */
export function parseRotationIdOption(value: string): string {
  if (!isRotationId(value)) {
    throw new InvalidArgumentError("expected 1-63 lowercase letters, digits, '.', '_' or '-'");
  }
  return value;
}

/**
 * `--issuer-id` of an issuer in AWS: 1-42 lowercase letters, digits, `.` or `-`, as the deployment's
 * config allows, so that `<issuer>--<rotation id>` fits a Step Functions execution name.
 */
export function parseIssuerIdOption(value: string): string {
  if (!AWS_ISSUER_ID_PATTERN.test(value)) {
    throw new InvalidArgumentError(
      `expected an issuer id: 1-${AWS_ISSUER_ID_MAX_LENGTH} lowercase letters, digits, '.' or '-', starting with a letter or digit`,
    );
  }
  return value;
}

/** `--issuers a,b,c`: issuer ids in AWS (as `--issuer-id`), comma-separated, none twice. */
export function parseIssuerListOption(value: string): string[] {
  const ids = value.split(',').map((id) => id.trim());
  for (const id of ids) {
    if (id === '') throw new InvalidArgumentError('expected issuer ids separated by commas, none empty');
    try {
      parseIssuerIdOption(id);
    } catch {
      throw new InvalidArgumentError(
        `${id} is not an issuer id: 1-${AWS_ISSUER_ID_MAX_LENGTH} lowercase letters, digits, '.' or '-'`,
      );
    }
  }
  const twice = ids.find((id, index) => ids.indexOf(id) !== index);
  if (twice !== undefined) {
    // Two rotations of one issuer in one fleet: the second would only meet the first's lock (ONE-SIGNER).
    throw new InvalidArgumentError(`${twice} is named twice`);
  }
  return ids;
}

/** `--max-concurrency`: rotations at once in a fleet, an integer 1-1000 (the fleet workflow's bounds). */
export function parseMaxConcurrencyOption(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > 1000) {
    throw new InvalidArgumentError('expected a whole number from 1 to 1000');
  }
  return count;
}

/** `--tolerated-failure-percentage`: the share of a fleet allowed to fail, 0-100 (decimals allowed). */
export function parseToleratedFailurePercentageOption(value: string): number {
  const percentage = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || percentage > 100) {
    throw new InvalidArgumentError('expected a percentage from 0 to 100');
  }
  return percentage;
}
