import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type MockInstance, vi } from 'vitest';
import type { PrivateSigningKey } from '#shared/keys/index.ts';
import type { World } from '#test/shared/rotation/rotation-world.ts';

/** What the handlers wrote to stdout: log lines and EMF metric blobs, parsed. */
export interface CapturedOutput {
  readonly raw: string[];
  /** Logger lines (JSON objects without `_aws`). */
  logs(): Record<string, unknown>[];
  /** EMF blobs written by Metrics. */
  metrics(): Record<string, unknown>[];
  restore(): void;
}

/**
 * Captures process.stdout and stderr (where Powertools Logger and Metrics write outside POWERTOOLS_DEV) so tests can
 * read every line and nothing reaches the terminal.
 */
export function captureStdout(): CapturedOutput {
  const raw: string[] = [];
  const record = (chunk: unknown) => {
    raw.push(String(chunk));
    return true;
  };
  const spies: MockInstance[] = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  const parsed = () =>
    raw
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    raw,
    logs: () => parsed().filter((line) => !('_aws' in line)),
    metrics: () => parsed().filter((line) => '_aws' in line),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

/** A fresh logger and metrics instance per test, writing to the captured stdout. */
export function createObservability(): { logger: Logger; metrics: Metrics } {
  return {
    logger: new Logger({ serviceName: 'keyturn', logLevel: 'DEBUG' }),
    metrics: new Metrics({ namespace: 'keyturn', serviceName: 'keyturn' }),
  };
}

/** Text fragments that only a private key carries: PEM armour and the base64 body lines of each key. */
export async function privateMaterialOf(world: World): Promise<string[]> {
  const keys: PrivateSigningKey[] = [];
  for (const record of (await world.keyring()).keys) {
    if (record.vaultRef !== undefined) {
      // A destroyed key cannot leak any more; the others must not appear anywhere.
      const key = await world.vault.open(record.vaultRef).catch(() => undefined);
      if (key !== undefined) keys.push(key);
    }
  }
  const fragments = ['PRIVATE KEY', '-----BEGIN'];
  for (const key of keys) {
    const pem = key.key.export({ type: 'pkcs1', format: 'pem' }).toString();
    fragments.push(...pem.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----')));
    const jwk = key.key.export({ format: 'jwk' });
    for (const part of [jwk.d, jwk.p, jwk.q]) if (part !== undefined) fragments.push(part.slice(0, 40));
  }
  return fragments;
}

/** Fails with the first fragment found in `text`. */
export function findFragment(text: string, fragments: readonly string[]): string | undefined {
  return fragments.find((fragment) => text.includes(fragment));
}
