import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsUnavailableError, toAwsError } from '#shared/adapters/aws/aws-errors.ts';
import { readStackOutputs } from '#shared/adapters/aws/stack-outputs.ts';
import { createFakeCloudFormation, type FakeCloudFormation } from '#test/fakes/aws/fake-cloudformation.ts';

const CONTEXT = { service: 'KMS', operation: 'Sign', resource: 'alias/keyturn' } as const;

/** An error shaped like the one the SDK's Node HTTP handler rejects with when DNS has no answer. */
function dnsFailure(): Error {
  return Object.assign(new Error('getaddrinfo ENOTFOUND cloudformation.eu-west-1.amazonaws.com'), {
    code: 'ENOTFOUND',
    errno: -3008,
    syscall: 'getaddrinfo',
    hostname: 'cloudformation.eu-west-1.amazonaws.com',
    $metadata: { attempts: 1, totalRetryDelay: 0 },
  });
}

describe('toAwsError on network failures', () => {
  let cloudFormation: FakeCloudFormation;
  const client = new CloudFormationClient({ region: 'eu-west-1', maxAttempts: 1 });

  beforeEach(() => {
    cloudFormation = createFakeCloudFormation();
    cloudFormation.install();
  });
  afterEach(() => cloudFormation.restore());

  it('rejects with ERR_AWS_UNREACHABLE naming the call, the cause and the host when DNS fails', async () => {
    // Prepare
    cloudFormation.failNext('DescribeStacksCommand', () => dnsFailure());

    // Act
    const error = await readStackOutputs({ cloudFormation: client }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(AwsUnavailableError);
    expect(error).toMatchObject({
      code: 'ERR_AWS_UNREACHABLE',
      name: 'AwsUnavailableError',
      awsName: 'ENOTFOUND',
    });
    expect((error as Error).message).toMatch(/CloudFormation DescribeStacks .*ENOTFOUND/);
    expect((error as Error).message).toMatch(
      /cloudformation\.eu-west-1\.amazonaws\.com could not be reached/,
    );
    expect((error as Error).message).toMatch(/proxy/);
  });

  it('maps refused and reset connections, timeouts and proxy failures to ERR_AWS_UNREACHABLE', () => {
    // Prepare
    const failures = [
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:3128'), {
        code: 'ECONNREFUSED',
        address: '10.0.0.1',
        port: 3128,
      }),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }),
      Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT', $metadata: {} }),
      Object.assign(new Error('proxy refused'), { code: 'ERR_TUNNEL_CONNECTION_FAILED' }),
    ];

    // Act
    const mapped = failures.map((failure) => toAwsError(failure, CONTEXT));

    // Assess
    for (const error of mapped) {
      expect(error).toBeInstanceOf(AwsUnavailableError);
      expect(error).toMatchObject({ code: 'ERR_AWS_UNREACHABLE' });
    }
    expect((mapped[0] as Error).message).toMatch(/10\.0\.0\.1:3128 could not be reached/);
    expect((mapped[1] as Error).message).toMatch(/the AWS endpoint could not be reached/);
  });

  it('leaves answers with an HTTP status and errors that are not network failures alone', () => {
    // Prepare
    const answered = Object.assign(new Error('timed out'), {
      name: 'RequestTimeout',
      $metadata: { httpStatusCode: 400 },
    });
    const bug = new TypeError('cannot read properties of undefined');

    // Act
    const fromAws = toAwsError(answered, CONTEXT);
    const passed = toAwsError(bug, CONTEXT);

    // Assess
    expect(fromAws).toMatchObject({ code: 'ERR_AWS_REJECTED' });
    expect(passed).toBe(bug);
  });
});
