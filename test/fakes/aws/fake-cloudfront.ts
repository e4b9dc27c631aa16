import {
  CloudFrontClient,
  CloudFrontServiceException,
  CreateInvalidationCommand,
  GetInvalidationCommand,
} from '@aws-sdk/client-cloudfront';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import {
  createFakeServiceCore,
  type FaultInjector,
  type RecordedCall,
  responseMetadata,
} from './fake-aws.ts';

/** One invalidation, as the fake keeps it. */
export interface FakeInvalidation {
  readonly id: string;
  readonly distributionId: string;
  readonly callerReference: string;
  readonly paths: readonly string[];
  readonly createTime: Date;
  /** GetInvalidation calls answered so far. */
  polls: number;
}

/** Options of {@link createFakeCloudFront}. */
export interface FakeCloudFrontOptions {
  /** Distributions that exist. @default ['E2KEYTURNTEST'] */
  readonly distributions?: readonly string[];
  /** GetInvalidation answers InProgress this many times, then Completed (Infinity: never). @default 2 */
  readonly pollsUntilComplete?: number;
}

/**
 * A stateful CloudFront behind aws-sdk-client-mock: CreateInvalidation (with CallerReference
 * idempotency and CloudFront's validation of the batch) and GetInvalidation (InProgress for a configurable
 * number of polls, then Completed), with injectable faults shaped like the SDK's errors (throttling is
 * 400 Throttling, denial 403 AccessDenied).
 */
export interface FakeCloudFront extends FaultInjector {
  /** Every command sent through the SDK, in order (faulted ones included). */
  readonly calls: RecordedCall[];
  /** Every invalidation created, oldest first. */
  readonly invalidations: FakeInvalidation[];
  /** Stubs `send` of CloudFrontClient (every instance) or of one client. */
  install(target?: CloudFrontClient | typeof CloudFrontClient): AwsClientStub<CloudFrontClient>;
  /** Removes the stub installed by {@link install}. */
  restore(): void;
  /** Changes how many polls later invalidations stay InProgress. */
  setPollsUntilComplete(polls: number): void;
  /** Answers the next `n` CreateInvalidations with 400 TooManyInvalidationsInProgress. */
  tooManyInvalidationsNext(n?: number): void;
}

type Input = Record<string, unknown>;
interface Batch {
  readonly CallerReference?: string;
  readonly Paths?: { readonly Quantity?: number; readonly Items?: readonly string[] };
}

/** Creates a fake CloudFront; call `install()` to route the SDK through it. */
export function createFakeCloudFront(options: FakeCloudFrontOptions = {}): FakeCloudFront {
  const distributions = new Set(options.distributions ?? ['E2KEYTURNTEST']);
  let pollsUntilComplete = options.pollsUntilComplete ?? 2;
  const core = createFakeServiceCore({
    throttled: () => cloudFrontError('Throttling', 400, 'Rate exceeded'),
    denied: () => cloudFrontError('AccessDenied', 403, 'Access denied.'),
  });
  const invalidations: FakeInvalidation[] = [];
  let stub: AwsClientStub<CloudFrontClient> | undefined;

  const answer =
    (command: string, handle: (input: Input) => object) =>
    (input: Input): Promise<object> =>
      core.handle(command, input, () => handle(input));

  const distributionOf = (input: Input): string => {
    const id = String(input.DistributionId);
    if (!distributions.has(id)) {
      throw cloudFrontError('NoSuchDistribution', 404, 'The specified distribution does not exist.');
    }
    return id;
  };

  const describe = (invalidation: FakeInvalidation) => ({
    Id: invalidation.id,
    Status: invalidation.polls > pollsUntilComplete ? 'Completed' : 'InProgress',
    CreateTime: invalidation.createTime,
    InvalidationBatch: {
      CallerReference: invalidation.callerReference,
      Paths: { Quantity: invalidation.paths.length, Items: [...invalidation.paths] },
    },
  });

  const createInvalidation = (input: Input) => {
    const distributionId = distributionOf(input);
    const batch = (input.InvalidationBatch ?? {}) as Batch;
    const paths = batch.Paths?.Items ?? [];
    if (batch.CallerReference === undefined || batch.CallerReference === '') {
      throw cloudFrontError('InvalidArgument', 400, 'CallerReference is required.');
    }
    if (batch.Paths?.Quantity !== paths.length) {
      throw cloudFrontError('InconsistentQuantities', 400, 'Quantity does not match the number of paths.');
    }
    if (paths.length === 0 || paths.some((path) => !path.startsWith('/'))) {
      throw cloudFrontError('InvalidArgument', 400, 'Every invalidation path must begin with /.');
    }
    const earlier = invalidations.find(
      (entry) => entry.distributionId === distributionId && entry.callerReference === batch.CallerReference,
    );
    if (earlier !== undefined) {
      if (earlier.paths.join('\n') !== paths.join('\n')) {
        throw cloudFrontError(
          'InvalidationBatchAlreadyExists',
          409,
          'CallerReference was used with other paths.',
        );
      }
      return { Location: locationOf(earlier), Invalidation: describe(earlier) };
    }
    const invalidation: FakeInvalidation = {
      id: `I${String(invalidations.length + 1).padStart(12, '0')}`,
      distributionId,
      callerReference: batch.CallerReference,
      paths: [...paths],
      createTime: new Date(),
      polls: 0,
    };
    invalidations.push(invalidation);
    return { Location: locationOf(invalidation), Invalidation: describe(invalidation) };
  };

  const getInvalidation = (input: Input) => {
    const distributionId = distributionOf(input);
    const invalidation = invalidations.find(
      (entry) => entry.distributionId === distributionId && entry.id === input.Id,
    );
    if (invalidation === undefined) {
      throw cloudFrontError('NoSuchInvalidation', 404, 'The specified invalidation does not exist.');
    }
    invalidation.polls += 1;
    return { Invalidation: describe(invalidation) };
  };

  return {
    calls: core.calls,
    throttleNext: core.throttleNext,
    denyNext: core.denyNext,
    failNext: core.failNext,
    invalidations,
    install(target = CloudFrontClient) {
      stub = mockClient(target);
      stub.onAnyCommand().rejects(new Error('the fake CloudFront does not implement this command'));
      stub.on(CreateInvalidationCommand).callsFake(answer('CreateInvalidationCommand', createInvalidation));
      stub.on(GetInvalidationCommand).callsFake(answer('GetInvalidationCommand', getInvalidation));
      return stub;
    },
    restore() {
      stub?.restore();
      stub = undefined;
    },
    setPollsUntilComplete(polls) {
      pollsUntilComplete = polls;
    },
    tooManyInvalidationsNext(n = 1) {
      const error = () =>
        cloudFrontError('TooManyInvalidationsInProgress', 400, 'Too many invalidations in progress.');
      for (let i = 0; i < n; i += 1) core.failNext('CreateInvalidationCommand', error);
    },
  };
}

function cloudFrontError(name: string, status: number, message: string): CloudFrontServiceException {
  return new CloudFrontServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: responseMetadata(status),
  });
}

function locationOf(invalidation: FakeInvalidation): string {
  return `https://cloudfront.amazonaws.com/2020-05-31/distribution/${invalidation.distributionId}/invalidation/${invalidation.id}`;
}
