import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  type Invalidation,
} from '@aws-sdk/client-cloudfront';
import { InvalidationTimeoutError } from '../../port-errors.ts';
import { type AwsCallContext, AwsRejectedError, callAws } from './aws-errors.ts';
import { cloudFrontClient } from './clients.ts';

/** How to invalidate paths of one distribution. */
export interface CloudFrontInvalidationOptions {
  readonly distributionId: string;
  /** Wait until CloudFront reports the invalidation Completed. @default false */
  readonly wait?: boolean;
  /** @default the process's CloudFront client (clients.ts) */
  readonly cloudFront?: CloudFrontClient;
  /** Waits between polls; injectable so tests do not wait. @default a real timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Time between GetInvalidation polls. @default 5000 */
  readonly pollIntervalMs?: number;
  /** GetInvalidation polls before giving up with InvalidationTimeoutError. @default 60 */
  readonly maxPolls?: number;
}

/**
 * Invalidates exactly `paths` (each starting with `/`) in one CloudFront distribution and, when asked,
 * waits for CloudFront to report it Completed. Each call is a new invalidation (a fresh CallerReference);
 * the SDK's own retries of one call resend the same reference, which CloudFront treats as one request.
 */
export async function invalidatePaths(
  options: CloudFrontInvalidationOptions,
  paths: readonly string[],
): Promise<void> {
  const { distributionId } = options;
  const client = options.cloudFront ?? cloudFrontClient();
  const context = (operation: string): AwsCallContext => ({
    service: 'CloudFront',
    operation,
    resource: `distribution ${distributionId}`,
  });
  const created = await callAws(context('CreateInvalidation'), () =>
    client.send(
      new CreateInvalidationCommand({
        DistributionId: distributionId,
        InvalidationBatch: {
          CallerReference: `keyturn-${randomUUID()}`,
          Paths: { Quantity: paths.length, Items: [...paths] },
        },
      }),
    ),
  );
  if (options.wait !== true) return;
  const id = requireId(created.Invalidation, context('CreateInvalidation'));
  await waitForCompletion(options, client, id, context('GetInvalidation'));
}

async function waitForCompletion(
  options: CloudFrontInvalidationOptions,
  client: CloudFrontClient,
  id: string,
  context: AwsCallContext,
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const interval = options.pollIntervalMs ?? 5000;
  const maxPolls = options.maxPolls ?? 60;
  let status: string | undefined;
  for (let poll = 0; poll < maxPolls; poll += 1) {
    await sleep(interval);
    const output = await callAws(context, () =>
      client.send(new GetInvalidationCommand({ DistributionId: options.distributionId, Id: id })),
    );
    status = output.Invalidation?.Status;
    if (status === 'Completed') return;
  }
  throw new InvalidationTimeoutError(
    'ERR_INVALIDATION_TIMEOUT',
    `CloudFront invalidation ${id} of distribution ${options.distributionId} is still ${status ?? 'not reported'} after ${maxPolls} polls ${interval / 1000} s apart; edges may serve the old documents until it completes: retry the step, or check the invalidation in the CloudFront console`,
  );
}

function requireId(invalidation: Invalidation | undefined, context: AwsCallContext): string {
  if (invalidation?.Id === undefined) {
    throw new AwsRejectedError(
      'ERR_AWS_REJECTED',
      context,
      'MissingInvalidationId',
      undefined,
      'CloudFront answered without an invalidation id, so keyturn cannot wait for it',
    );
  }
  return invalidation.Id;
}
