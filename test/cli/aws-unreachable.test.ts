import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsWorld, createAwsWorld } from './aws-world.ts';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

/** What the SDK's Node HTTP handler rejects with when the endpoint's name does not resolve. */
function dnsFailure(): Error {
  return Object.assign(new Error('getaddrinfo ENOTFOUND cloudformation.eu-west-1.amazonaws.com'), {
    code: 'ENOTFOUND',
    syscall: 'getaddrinfo',
    hostname: 'cloudformation.eu-west-1.amazonaws.com',
    $metadata: { attempts: 1, totalRetryDelay: 0 },
  });
}

describe('keyturn commands in AWS when AWS cannot be reached', () => {
  let world: AwsWorld;
  let directory: { path: string; remove: () => Promise<void> };

  beforeEach(async () => {
    world = createAwsWorld();
    world.addIssuers('demo');
    directory = await makeTempDirectory();
  });
  afterEach(async () => {
    world.restore();
    await directory.remove();
  });

  for (const args of [
    ['rotate', '--issuer', 'demo'],
    ['maintain', '--aws'],
  ]) {
    it(`exits 3 naming the cause and the host: keyturn ${args.join(' ')}`, async () => {
      // Prepare
      world.cloudFormation.failNext('DescribeStacksCommand', () => dnsFailure());

      // Act
      const run = await runKeyturn(args, { cwd: directory.path, sleep: async () => {} });

      // Assess
      expect(run.code, run.err).toBe(3);
      expect(run.err).toMatch(/ENOTFOUND/);
      expect(run.err).toMatch(/cloudformation\.eu-west-1\.amazonaws\.com could not be reached/);
      expect(run.err).not.toMatch(/internal error/);
    });
  }
});
