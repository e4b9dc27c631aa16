import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import {
  createFakeServiceCore,
  FAKE_ACCOUNT,
  FAKE_REGION,
  type FaultInjector,
  type RecordedCall,
  responseMetadata,
} from './fake-aws.ts';

/** A stack as a test declares it. */
export interface FakeStackSpec {
  /** @default 'CREATE_COMPLETE' */
  readonly status?: string;
  /** Output key → value. */
  readonly outputs?: Readonly<Record<string, string>>;
}

/**
 * A stateful CloudFormation behind aws-sdk-client-mock, for DescribeStacks: stacks by name or stack id,
 * with a status and outputs; an unknown stack is a 400 ValidationError "Stack with id X does not exist",
 * as CloudFormation answers it.
 */
export interface FakeCloudFormation extends FaultInjector {
  readonly calls: RecordedCall[];
  install(target?: CloudFormationClient | typeof CloudFormationClient): AwsClientStub<CloudFormationClient>;
  restore(): void;
  /** Creates or replaces a stack; returns its stack id. */
  putStack(name: string, spec: FakeStackSpec): string;
  /** Deletes a stack (DescribeStacks by name no longer finds it). */
  deleteStack(name: string): void;
}

interface StackRecord {
  readonly name: string;
  readonly id: string;
  readonly spec: FakeStackSpec;
  readonly created: Date;
}

/** Creates a fake CloudFormation in account 111122223333, eu-west-1, without stacks. */
export function createFakeCloudFormation(): FakeCloudFormation {
  const core = createFakeServiceCore({
    throttled: () => cfnError('Throttling', 'Rate exceeded'),
    denied: () =>
      cfnError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks'),
  });
  const stacks = new Map<string, StackRecord>();
  let stub: AwsClientStub<CloudFormationClient> | undefined;

  const describe = (record: StackRecord) => ({
    StackId: record.id,
    StackName: record.name,
    CreationTime: record.created,
    StackStatus: record.spec.status ?? 'CREATE_COMPLETE',
    Outputs: Object.entries(record.spec.outputs ?? {}).map(([OutputKey, OutputValue]) => ({
      OutputKey,
      OutputValue,
    })),
  });

  const describeStacks = (input: { StackName?: string }) => {
    if (input.StackName === undefined) return { Stacks: [...stacks.values()].map(describe) };
    const record = [...stacks.values()].find(
      (stack) => stack.name === input.StackName || stack.id === input.StackName,
    );
    if (record === undefined) {
      throw cfnError('ValidationError', `Stack with id ${input.StackName} does not exist`);
    }
    return { Stacks: [describe(record)] };
  };

  return {
    calls: core.calls,
    throttleNext: core.throttleNext,
    denyNext: core.denyNext,
    failNext: core.failNext,
    install(target = CloudFormationClient) {
      stub = mockClient(target);
      stub.onAnyCommand().rejects(new Error('the fake CloudFormation does not implement this command'));
      stub
        .on(DescribeStacksCommand)
        .callsFake((input: { StackName?: string }) =>
          core.handle('DescribeStacksCommand', input, () => describeStacks(input)),
        );
      return stub;
    },
    restore() {
      stub?.restore();
      stub = undefined;
    },
    putStack(name, spec) {
      const id = `arn:aws:cloudformation:${FAKE_REGION}:${FAKE_ACCOUNT}:stack/${name}/${crypto.randomUUID()}`;
      stacks.set(name, { name, id, spec, created: new Date('2026-03-01T11:00:00.000Z') });
      return id;
    },
    deleteStack(name) {
      stacks.delete(name);
    },
  };
}

function cfnError(name: string, message: string): CloudFormationServiceException {
  return new CloudFormationServiceException({
    name,
    message,
    $fault: 'client',
    $metadata: responseMetadata(400),
  });
}
