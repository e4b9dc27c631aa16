import { setTimeout as delay } from 'node:timers/promises';
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowEvent } from '../../workflow-event.ts';
import { toAwsError } from './aws-errors.ts';
import { sfnClient } from './clients.ts';
import { ExecutionError } from './execution-errors.ts';
import {
  createHistoryTranslator,
  type ExecutionFailure,
  type HistoryEnd,
  type HistoryTranslator,
} from './execution-history.ts';
import { describeExecution, parseExecutionJson } from './executions.ts';

/** Options of {@link followExecution}. */
export interface FollowExecutionOptions {
  readonly executionArn: string;
  /** @default the process's Step Functions client (clients.ts) */
  readonly sfn?: SFNClient;
  /** Receives the execution's progress, state by state, from its first event on. */
  readonly onEvent?: (event: WorkflowEvent) => void;
  /** Time between two reads of the history. @default 2000 */
  readonly pollIntervalMs?: number;
  /** Waits between reads; injectable so tests advance the execution instead of waiting. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Stops following (not the execution) when aborted, e.g. on Ctrl-C. */
  readonly signal?: AbortSignal;
  /** Events asked for per GetExecutionHistory page (1 to 1000). @default 100 */
  readonly pageSize?: number;
  /** Sees each new history event as Step Functions returned it, in order (e.g. `MapRunStarted`). */
  readonly onHistoryEvent?: (event: HistoryEvent) => void;
  /**
   * Runs after each read of the history, the last one included, before the wait: reads what the history
   * does not carry (a Distributed Map's item counts).
   */
  readonly afterRead?: () => Promise<void>;
}

/** How an execution ended. */
export interface ExecutionEnd {
  readonly executionArn: string;
  readonly status: HistoryEnd;
  /** The execution's error (a Fail state's Error, `States.Timeout`...), unless it succeeded. */
  readonly error?: string;
  /** The execution's cause (a Fail state's Cause), unless it succeeded. */
  readonly cause?: string;
  /** The Fail state the execution ended in, if any (e.g. `RotationRolledBack`). */
  readonly failState?: string;
  /** What went wrong before the end: the error a Catch handed to the Fail state, or the last task failure. */
  readonly failure?: ExecutionFailure;
  /** The execution's output (parsed JSON), when it succeeded. */
  readonly output?: unknown;
  /** The execution's input (parsed JSON): ids and settings, never keys. */
  readonly input?: unknown;
}

/** What following led to: the execution ended, or following was stopped while it still runs. */
export type FollowOutcome =
  | { readonly outcome: 'ended'; readonly end: ExecutionEnd }
  | { readonly outcome: 'stopped' };

/**
 * Follows a Step Functions execution live: reads its history (GetExecutionHistory, newest first, paging
 * with nextToken until the last event already seen), reports each new event in order through `onEvent`,
 * waits `pollIntervalMs`, and again, until the history shows the end (SUCCEEDED, FAILED, TIMED_OUT,
 * ABORTED); then DescribeExecution gives the error, cause and output. An execution that has already
 * ended is reported the same way, in one pass. Aborting `signal` stops following; the execution goes on.
 */
export async function followExecution(options: FollowExecutionOptions): Promise<FollowOutcome> {
  const sfn = options.sfn ?? sfnClient();
  const translator = createHistoryTranslator(options.onEvent);
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  let lastId = 0;
  for (;;) {
    if (options.signal?.aborted === true) return { outcome: 'stopped' };
    for (const event of await readNewEvents(sfn, options, lastId)) {
      translator.accept(event);
      options.onHistoryEvent?.(event);
      lastId = event.id ?? lastId;
    }
    await options.afterRead?.();
    const status = translator.end();
    if (status !== undefined) {
      return { outcome: 'ended', end: await describeEnd(sfn, options.executionArn, status, translator) };
    }
    await pause(pollIntervalMs, options);
  }
}

/** The events after `lastId`, oldest first. Newest-first paging stops as soon as it reaches a seen event. */
async function readNewEvents(
  sfn: SFNClient,
  options: FollowExecutionOptions,
  lastId: number,
): Promise<HistoryEvent[]> {
  const fresh: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await readPage(sfn, options, nextToken);
    for (const event of page.events ?? []) {
      if ((event.id ?? 0) <= lastId) return fresh.reverse();
      fresh.push(event);
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return fresh.reverse();
}

async function readPage(sfn: SFNClient, options: FollowExecutionOptions, nextToken: string | undefined) {
  try {
    return await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: options.executionArn,
        reverseOrder: true,
        maxResults: options.pageSize ?? 100,
        // Inputs are read for one thing only: the `$.error` a Fail state receives (ids and errors, never keys).
        includeExecutionData: true,
        ...(nextToken === undefined ? {} : { nextToken }),
      }),
    );
  } catch (error) {
    if ((error as { name?: unknown }).name === 'ExecutionDoesNotExist') {
      throw new ExecutionError(
        'ERR_EXECUTION_NOT_FOUND',
        `execution ${options.executionArn} does not exist`,
        {
          cause: error,
        },
      );
    }
    throw toAwsError(error, {
      service: 'StepFunctions',
      operation: 'GetExecutionHistory',
      resource: options.executionArn,
    });
  }
}

async function describeEnd(
  sfn: SFNClient,
  executionArn: string,
  status: HistoryEnd,
  translator: HistoryTranslator,
): Promise<ExecutionEnd> {
  const described = await describeExecution(sfn, executionArn);
  const failState = translator.failState();
  const failure = translator.failure();
  const output = status === 'SUCCEEDED' ? parseExecutionJson(described.output) : undefined;
  const input = parseExecutionJson(described.input);
  return {
    executionArn,
    status,
    ...(described.error === undefined ? {} : { error: described.error }),
    ...(described.cause === undefined ? {} : { cause: described.cause }),
    ...(failState === undefined ? {} : { failState }),
    ...(failure === undefined || status === 'SUCCEEDED' ? {} : { failure }),
    ...(output === undefined ? {} : { output }),
    ...(input === undefined ? {} : { input }),
  };
}

/** Waits one poll interval, or less when following is stopped meanwhile. */
async function pause(ms: number, options: FollowExecutionOptions): Promise<void> {
  const { signal } = options;
  const wait =
    options.sleep?.(ms) ??
    delay(ms, undefined, signal === undefined ? {} : { signal }).catch(() => {
      // Aborted: the loop sees the signal and stops.
    });
  if (signal === undefined) {
    await wait;
    return;
  }
  let onAbort = () => {};
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([wait, aborted]);
  } finally {
    // One listener per poll would pile up over an hour-long lead time.
    signal.removeEventListener('abort', onAbort);
  }
}
