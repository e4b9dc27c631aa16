import { SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutionError } from '#shared/adapters/aws/execution-errors.ts';
import { type FollowExecutionOptions, followExecution } from '#shared/adapters/aws/follow-execution.ts';
import { startRotationExecution } from '#shared/adapters/aws/rotation-executions.ts';
import type { WorkflowEvent } from '#shared/workflow-event.ts';
import { createFakeSfn, type FakeSfn } from '#test/fakes/aws/fake-sfn.ts';
import { rolledBackRotation, successfulRotation } from '#test/fakes/aws/rotation-history.ts';
import type { EventSpec } from '#test/fakes/aws/sfn-history.ts';

const sfnSdk = new SFNClient({ region: 'eu-west-1', maxAttempts: 1 });

describe('followExecution', () => {
  let sfn: FakeSfn;
  let events: WorkflowEvent[];
  let polls: number;

  /** Starts a rotation whose history follows `script`, one batch appended per poll. */
  const startWith = async (script: EventSpec[][]) => {
    const machine = sfn.createStateMachine('KeyturnRotation', script);
    const started = await startRotationExecution({
      stateMachineArn: machine,
      input: { issuerId: 'demo', rotationId: 'r1', mode: 'manual' },
      sfn: sfnSdk,
    });
    return started.executionArn;
  };
  const follow = (executionArn: string, options: Partial<FollowExecutionOptions> = {}) =>
    followExecution({
      executionArn,
      sfn: sfnSdk,
      pollIntervalMs: 0,
      onEvent: (event) => events.push(event),
      sleep: async () => {
        polls += 1;
        sfn.advance();
      },
      ...options,
    });
  const entered = () => events.filter((event) => event.type === 'state-entered').map((event) => event.state);

  beforeEach(() => {
    sfn = createFakeSfn({ maxResultsPerPage: 2 });
    sfn.install();
    events = [];
    polls = 0;
  });
  afterEach(() => sfn.restore());

  it('reports every event once and in order across pages while the history grows, then the output', async () => {
    // Prepare
    const executionArn = await startWith(successfulRotation());

    // Act
    const followed = await follow(executionArn);

    // Assess
    expect(followed).toMatchObject({ outcome: 'ended', end: { status: 'SUCCEEDED', executionArn } });
    const history = sfn.executions[0]?.history ?? [];
    const expected = history.filter((event) => /StateEntered$/.test(String(event.type))).length;
    expect(entered()).toHaveLength(expected);
    expect(entered().slice(0, 4)).toEqual(['Prepare', 'Generate', 'Publish', 'StartVisibilityPolls']);
    expect(entered().at(-1)).toBe('Rotated');
    expect(events.map((event) => event.elapsedMs)).toEqual(
      [...events.map((event) => event.elapsedMs)].sort((a, b) => a - b),
    );
    expect(events[0]?.type).toBe('execution-started');
    expect(events.at(-1)?.type).toBe('execution-succeeded');
    expect(followed.outcome === 'ended' && followed.end.output).toMatchObject({
      activate: { retiredKid: expect.any(String) },
    });
    expect(polls).toBe(successfulRotation().length);
  });

  it('reads newest first and stops paging at the first event it has already seen', async () => {
    const executionArn = await startWith(successfulRotation());

    await follow(executionArn);

    const pages = sfn.calls.filter((call) => call.command === 'GetExecutionHistoryCommand');
    const total = sfn.executions[0]?.history.length ?? 0;
    expect(pages.every((call) => call.input.reverseOrder === true)).toBe(true);
    // Each poll reads the new events plus at most one page holding the last one seen: far fewer than
    // re-reading the whole history every time.
    expect(pages.length).toBeLessThan(total);
  });

  it('turns a failed attempt followed by a new schedule into state-retried, with its error', async () => {
    const executionArn = await startWith(successfulRotation());

    await follow(executionArn);

    expect(events.filter((event) => event.type === 'state-retried')).toEqual([
      expect.objectContaining({ state: 'Generate', error: 'AwsThrottledError', attempt: 1 }),
    ]);
  });

  it('reports a caught failure and the error the Fail state received when the rotation rolls back', async () => {
    const executionArn = await startWith(rolledBackRotation());

    const followed = await follow(executionArn);

    expect(events).toContainEqual(
      expect.objectContaining({ type: 'state-caught', state: 'Verify', error: 'VerificationFailedError' }),
    );
    expect(followed).toEqual({
      outcome: 'ended',
      end: expect.objectContaining({
        status: 'FAILED',
        error: 'RotationRolledBack',
        failState: 'RotationRolledBack',
        failure: {
          state: 'Verify',
          error: 'VerificationFailedError',
          cause: 'a fresh token carries kid old-kid, not the new key',
        },
      }),
    });
  });

  it('reports an execution that has already ended in one pass, without waiting', async () => {
    const executionArn = await startWith(successfulRotation());
    while (sfn.advance()) {
      // The whole script runs before anyone follows.
    }

    const followed = await follow(executionArn);

    expect(followed.outcome).toBe('ended');
    expect(polls).toBe(0);
    expect(entered()[0]).toBe('Prepare');
  });

  it('stops following, not the execution, when the signal aborts', async () => {
    const executionArn = await startWith(successfulRotation());
    const stop = new AbortController();

    const followed = await follow(executionArn, {
      sleep: async () => {
        sfn.advance();
        stop.abort();
      },
      signal: stop.signal,
    });

    expect(followed).toEqual({ outcome: 'stopped' });
    expect(sfn.executions[0]?.status).toBe('RUNNING');
  });

  it('rejects with ERR_EXECUTION_NOT_FOUND when the execution does not exist', async () => {
    const error = await follow('arn:aws:states:eu-west-1:111122223333:execution:KeyturnRotation:nope').catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(ExecutionError);
    expect(error).toMatchObject({ code: 'ERR_EXECUTION_NOT_FOUND' });
  });
});
