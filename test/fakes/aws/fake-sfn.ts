import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidExecutionInput,
  InvalidName,
  ListExecutionsCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  ValidationException,
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
import {
  appendEvent,
  describeExecutionOf,
  type FakeExecution,
  listExecutionsOf,
  type ScriptStep,
} from './fake-sfn-executions.ts';
import { historyPage } from './fake-sfn-history-pages.ts';
import { createMapRunStore, describeMapRunOf, type FakeMapRun } from './fake-sfn-map-runs.ts';
import type { EventSpec } from './sfn-history.ts';

export type { FakeExecution, ScriptStep };

/** Options of {@link createFakeSfn}. */
export interface FakeSfnOptions {
  /** Most events GetExecutionHistory returns per page, whatever maxResults asks. @default 1000 */
  readonly maxResultsPerPage?: number;
}

/**
 * A stateful Step Functions behind aws-sdk-client-mock: state machines, executions keyed by name
 * (StartExecution is idempotent for the same input while running, ExecutionAlreadyExists otherwise),
 * histories that grow as the test script advances them, GetExecutionHistory with maxResults, reverseOrder,
 * nextToken and includeExecutionData, DescribeExecution with status, error, cause and output, and
 * StopExecution (the execution ends ABORTED; its scripted rest is dropped).
 * Distributed Map runs are scripted too (fake-sfn-map-runs.ts): DescribeMapRun derives the item counts
 * from the child executions, which ListExecutions lists by map run and status, newest first, in pages.
 */
export interface FakeSfn extends FaultInjector {
  readonly calls: RecordedCall[];
  readonly executions: FakeExecution[];
  readonly mapRuns: readonly FakeMapRun[];
  install(target?: SFNClient | typeof SFNClient): AwsClientStub<SFNClient>;
  restore(): void;
  /** Creates a state machine whose executions follow `script` (batches of events); returns its ARN. */
  createStateMachine(name: string, script?: Script): string;
  /** Changes the script of executions started from now on. */
  setScript(stateMachineArn: string, script: Script): void;
  /** Appends the next scripted batch to each running execution (or one); false when nothing was left. */
  advance(executionArn?: string): boolean;
}

/** Batches of steps that `advance` applies one by one, or a function of the execution's input making them. */
export type Script =
  | readonly (readonly ScriptStep[])[]
  | ((input: Record<string, unknown>) => readonly (readonly ScriptStep[])[]);

type Input = Record<string, unknown>;
const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const START = Date.parse('2026-03-01T12:00:00.000Z');

/** Creates a fake Step Functions in account 111122223333, eu-west-1. */
export function createFakeSfn(options: FakeSfnOptions = {}): FakeSfn {
  const core = createFakeServiceCore({
    throttled: () => sfnError('ThrottlingException', 'Rate exceeded'),
    denied: () => sfnError('AccessDeniedException', 'not authorized'),
  });
  const scripts = new Map<string, Script>();
  const executions: FakeExecution[] = [];
  let clock = START;
  let stub: AwsClientStub<SFNClient> | undefined;
  const meta = { $metadata: responseMetadata(400) };

  const append = (execution: FakeExecution, spec: EventSpec) => {
    clock += 1000;
    appendEvent(execution, spec, new Date(clock));
  };
  const find = (arn: unknown): FakeExecution => {
    const execution = executions.find((candidate) => candidate.arn === arn);
    if (execution === undefined) {
      throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${String(arn)}'`, ...meta });
    }
    return execution;
  };

  const mapRuns = createMapRunStore({
    append: (arn, spec) => append(find(arn), spec),
    ensureExecution: (spec) =>
      executions.find((candidate) => candidate.arn === spec.arn) ??
      createExecution(spec.arn, spec.stateMachineArn, JSON.stringify(spec.input), [], spec.mapRunArn),
    now: () => new Date(clock),
  });
  const createExecution = (
    arn: string,
    stateMachineArn: string,
    text: string,
    script: readonly (readonly ScriptStep[])[],
    mapRunArn?: string,
  ): FakeExecution => {
    const execution: FakeExecution = {
      arn,
      name: arn.slice(arn.lastIndexOf(':') + 1),
      stateMachineArn,
      input: text,
      status: 'RUNNING',
      history: [],
      pending: script.map((batch) => [...batch]),
      ...(mapRunArn === undefined ? {} : { mapRunArn }),
    };
    executions.push(execution);
    append(execution, {
      type: 'ExecutionStarted',
      details: { input: text, roleArn: `arn:aws:iam::${FAKE_ACCOUNT}:role/keyturn-sfn` },
    });
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
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
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
    const batches = typeof script === 'function' ? script(parsed as Input) : script;
    const execution = createExecution(arn, stateMachineArn, text, batches);
    return { executionArn: arn, startDate: execution.history[0]?.timestamp };
  };

  const describeExecution = (input: Input) => describeExecutionOf(find(input.executionArn));

  /** StopExecution: a running execution ends ABORTED with the given error and cause; an ended one stays. */
  const stopExecution = (input: Input) => {
    const execution = find(input.executionArn);
    if (execution.status === 'RUNNING') {
      execution.pending.length = 0;
      append(execution, {
        type: 'ExecutionAborted',
        details: {
          ...(input.error === undefined ? {} : { error: String(input.error) }),
          ...(input.cause === undefined ? {} : { cause: String(input.cause) }),
        },
      });
    }
    return { stopDate: execution.history.at(-1)?.timestamp };
  };

  const getExecutionHistory = (input: Input) => {
    const execution = find(input.executionArn);
    return historyPage(execution.arn, execution.history, input, options.maxResultsPerPage ?? 1000);
  };

  const describeMapRun = (input: Input) =>
    describeMapRunOf(mapRuns.find(input.mapRunArn), (arn) => find(arn).status);

  /** ListExecutions of a state machine or (`mapRunArn`) of a map run's children, newest first. */
  const listExecutions = (input: Input) => {
    const byMachine = input.stateMachineArn !== undefined;
    if (byMachine === (input.mapRunArn !== undefined)) {
      throw new ValidationException({ message: 'Specify either stateMachineArn or mapRunArn', ...meta });
    }
    const scope = String(byMachine ? input.stateMachineArn : mapRuns.find(input.mapRunArn).arn);
    if (byMachine && !scripts.has(scope)) {
      throw new StateMachineDoesNotExist({ message: `State Machine Does Not Exist: '${scope}'`, ...meta });
    }
    return listExecutionsOf(executions, scope, byMachine ? 'stateMachineArn' : 'mapRunArn', input);
  };

  return {
    calls: core.calls,
    throttleNext: core.throttleNext,
    denyNext: core.denyNext,
    failNext: core.failNext,
    executions,
    mapRuns: mapRuns.runs,
    install(target = SFNClient) {
      stub = mockClient(target);
      stub.onAnyCommand().rejects(new Error('the fake Step Functions does not implement this command'));
      const answer = (command: string, handle: (input: Input) => object) => (input: Input) =>
        core.handle(command, input, () => handle(input));
      stub.on(StartExecutionCommand).callsFake(answer('StartExecutionCommand', startExecution));
      stub.on(DescribeExecutionCommand).callsFake(answer('DescribeExecutionCommand', describeExecution));
      stub.on(StopExecutionCommand).callsFake(answer('StopExecutionCommand', stopExecution));
      stub
        .on(GetExecutionHistoryCommand)
        .callsFake(answer('GetExecutionHistoryCommand', getExecutionHistory));
      stub.on(DescribeMapRunCommand).callsFake(answer('DescribeMapRunCommand', describeMapRun));
      stub.on(ListExecutionsCommand).callsFake(answer('ListExecutionsCommand', listExecutions));
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
        for (const step of batch ?? []) {
          if ('mapRun' in step) mapRuns.apply(execution.arn, step);
          else append(execution, step);
        }
        advanced ||= batch !== undefined;
      }
      return advanced;
    },
  };
}

function sfnError(name: string, message: string): SFNServiceException {
  return new SFNServiceException({ name, message, $fault: 'client', $metadata: responseMetadata(400) });
}
