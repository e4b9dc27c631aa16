import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidExecutionInput,
  InvalidName,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import {
  createFakeServiceCore,
  FAKE_ACCOUNT,
  FAKE_REGION,
  type FaultInjector,
  type RecordedCall,
  responseMetadata,
} from './fake-aws.ts';
import { historyPage } from './fake-sfn-history-pages.ts';
import { detailsMemberOf, type EventSpec } from './sfn-history.ts';

/** An execution as the fake keeps it. */
export interface FakeExecution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly history: Record<string, unknown>[];
  /** Scripted batches not yet appended by `advance`. */
  readonly pending: EventSpec[][];
  output?: string;
  error?: string;
  cause?: string;
}

/** Options of {@link createFakeSfn}. */
export interface FakeSfnOptions {
  /** Most events GetExecutionHistory returns per page, whatever maxResults asks. @default 1000 */
  readonly maxResultsPerPage?: number;
}

/**
 * A stateful Step Functions behind aws-sdk-client-mock: state machines, executions keyed by name
 * (StartExecution is idempotent for the same input while running, ExecutionAlreadyExists otherwise),
 * histories that grow as the test script advances them, GetExecutionHistory with maxResults, reverseOrder,
 * nextToken and includeExecutionData, and DescribeExecution with status, error, cause and output.
 */
export interface FakeSfn extends FaultInjector {
  readonly calls: RecordedCall[];
  readonly executions: FakeExecution[];
  install(target?: SFNClient | typeof SFNClient): AwsClientStub<SFNClient>;
  restore(): void;
  /** Creates a state machine whose executions follow `script` (batches of events); returns its ARN. */
  createStateMachine(name: string, script?: readonly (readonly EventSpec[])[]): string;
  /** Changes the script of executions started from now on. */
  setScript(stateMachineArn: string, script: readonly (readonly EventSpec[])[]): void;
  /** Appends the next scripted batch to each running execution (or one); false when nothing was left. */
  advance(executionArn?: string): boolean;
}

type Input = Record<string, unknown>;
const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const START = Date.parse('2026-03-01T12:00:00.000Z');

/** Creates a fake Step Functions in account 111122223333, eu-west-1. */
export function createFakeSfn(options: FakeSfnOptions = {}): FakeSfn {
  const core = createFakeServiceCore({
    throttled: () => sfnError('ThrottlingException', 'Rate exceeded'),
    denied: () => sfnError('AccessDeniedException', 'not authorized'),
  });
  const scripts = new Map<string, readonly (readonly EventSpec[])[]>();
  const executions: FakeExecution[] = [];
  let clock = START;
  let stub: AwsClientStub<SFNClient> | undefined;
  const meta = { $metadata: responseMetadata(400) };

  const append = (execution: FakeExecution, spec: EventSpec) => {
    const id = execution.history.length + 1;
    clock += 1000;
    execution.history.push({
      id,
      previousEventId: id - 1,
      timestamp: new Date(clock),
      type: spec.type,
      ...(spec.details === undefined ? {} : { [detailsMemberOf(spec.type)]: { ...spec.details } }),
    });
    const end = {
      ExecutionSucceeded: 'SUCCEEDED',
      ExecutionFailed: 'FAILED',
      ExecutionTimedOut: 'TIMED_OUT',
      ExecutionAborted: 'ABORTED',
    } as const;
    const status = end[spec.type as keyof typeof end];
    if (status !== undefined) {
      execution.status = status;
      if (status === 'SUCCEEDED') execution.output = String(spec.details?.output ?? '{}');
      else {
        execution.error = spec.details?.error as string | undefined;
        execution.cause = spec.details?.cause as string | undefined;
      }
    }
  };
  const find = (arn: unknown): FakeExecution => {
    const execution = executions.find((candidate) => candidate.arn === arn);
    if (execution === undefined) {
      throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${String(arn)}'`, ...meta });
    }
    return execution;
  };

  const startExecution = (input: Input) => {
    const stateMachineArn = String(input.stateMachineArn);
    const script = scripts.get(stateMachineArn);
    if (script === undefined) {
      throw new StateMachineDoesNotExist({
        message: `State Machine Does Not Exist: '${stateMachineArn}'`,
        ...meta,
      });
    }
    const name = String(input.name ?? crypto.randomUUID());
    if (!NAME.test(name)) throw new InvalidName({ message: `Invalid Name: '${name}'`, ...meta });
    const text = String(input.input ?? '{}');
    try {
      JSON.parse(text);
    } catch {
      throw new InvalidExecutionInput({ message: 'Invalid State Machine Execution Input', ...meta });
    }
    const arn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = executions.find((candidate) => candidate.arn === arn);
    if (existing !== undefined) {
      if (existing.status === 'RUNNING' && existing.input === text) {
        return { executionArn: arn, startDate: existing.history[0]?.timestamp };
      }
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${arn}'`, ...meta });
    }
    const execution: FakeExecution = {
      arn,
      name,
      stateMachineArn,
      input: text,
      status: 'RUNNING',
      history: [],
      pending: script.map((batch) => [...batch]),
    };
    executions.push(execution);
    append(execution, {
      type: 'ExecutionStarted',
      details: { input: text, roleArn: `arn:aws:iam::${FAKE_ACCOUNT}:role/keyturn-sfn` },
    });
    return { executionArn: arn, startDate: execution.history[0]?.timestamp };
  };

  const describeExecution = (input: Input) => {
    const execution = find(input.executionArn);
    const stopped = execution.status === 'RUNNING' ? {} : { stopDate: execution.history.at(-1)?.timestamp };
    return {
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.history[0]?.timestamp,
      ...stopped,
      input: execution.input,
      ...(execution.output === undefined ? {} : { output: execution.output }),
      ...(execution.error === undefined ? {} : { error: execution.error }),
      ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    };
  };

  const getExecutionHistory = (input: Input) => {
    const execution = find(input.executionArn);
    return historyPage(execution.arn, execution.history, input, options.maxResultsPerPage ?? 1000);
  };

  return {
    calls: core.calls,
    throttleNext: core.throttleNext,
    denyNext: core.denyNext,
    failNext: core.failNext,
    executions,
    install(target = SFNClient) {
      stub = mockClient(target);
      stub.onAnyCommand().rejects(new Error('the fake Step Functions does not implement this command'));
      const answer = (command: string, handle: (input: Input) => object) => (input: Input) =>
        core.handle(command, input, () => handle(input));
      stub.on(StartExecutionCommand).callsFake(answer('StartExecutionCommand', startExecution));
      stub.on(DescribeExecutionCommand).callsFake(answer('DescribeExecutionCommand', describeExecution));
      stub
        .on(GetExecutionHistoryCommand)
        .callsFake(answer('GetExecutionHistoryCommand', getExecutionHistory));
      return stub;
    },
    restore() {
      stub?.restore();
      stub = undefined;
    },
    createStateMachine(name, script = []) {
      const arn = `arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:stateMachine:${name}`;
      scripts.set(arn, script);
      return arn;
    },
    setScript(stateMachineArn, script) {
      scripts.set(stateMachineArn, script);
    },
    advance(executionArn) {
      let advanced = false;
      for (const execution of executions) {
        if (executionArn !== undefined && execution.arn !== executionArn) continue;
        const batch = execution.status === 'RUNNING' ? execution.pending.shift() : undefined;
        for (const spec of batch ?? []) append(execution, spec);
        advanced ||= batch !== undefined;
      }
      return advanced;
    },
  };
}

function sfnError(name: string, message: string): SFNServiceException {
  return new SFNServiceException({ name, message, $fault: 'client', $metadata: responseMetadata(400) });
}
