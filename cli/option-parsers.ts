import { InvalidArgumentError } from 'commander';
import { parseRsaBits, type RsaBits } from '#shared/keys/index.ts';

/** `--bits`: 2048, 3072 or 4096, as a usage error otherwise. */
export function parseBitsOption(value: string): RsaBits {
  try {
    return parseRsaBits(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** `--port`: 0–65535. */
export function parsePortOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected a port number 0-65535');
  }
  return port;
}
