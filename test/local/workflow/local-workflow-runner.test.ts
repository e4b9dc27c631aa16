import { describe, expect, it } from 'vitest';
import { loadWorkflowDefinition } from '#infra/workflows/index.ts';
import {
  bindTasks,
  createLocalWorkflowRunner,
  type TaskHandler,
  WorkflowBindingError,
  type WorkflowEvent,
  WorkflowFailedError,
} from '#local/workflow/local-workflow-runner.ts';
import { type TaskName, taskResource } from '#shared/workflow-tasks.ts';

/** A stand-in for a task's handler: the tiny workflows carry what it returns along without reading it. */
function fake<T extends TaskName>(handler: (event: unknown) => Promise<unknown>): TaskHandler<T> {
  return handler as TaskHandler<T>;
}

const ok = fake<'prepare'>(async () => ({}));

/** `${<name>FunctionArn}` shaped like a task's placeholder, for names that are no task. */
const arn = (name: string) => `\${${name}FunctionArn}`;

/** A tiny workflow: a poll loop with a 10 s wait, a timestamp wait, and a Map with a nested Task. */
const tiny = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Task', Resource: taskResource('prepare'), ResultPath: '$.prepare', Next: 'Poll' },
    Poll: { Type: 'Wait', Seconds: 10, Next: 'Until' },
    Until: { Type: 'Wait', TimestampPath: '$.at', Next: 'Each' },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Inner',
        States: {
          Inner: {
            Type: 'Task',
            Resource: taskResource('watch-rollout'),
            Retry: [{ ErrorEquals: ['KeyringConflictError'], IntervalSeconds: 30, MaxAttempts: 2 }],
            End: true,
          },
        },
      },
      ResultPath: '$.each',
      End: true,
    },
  },
};

describe('the local workflow runner', () => {
  it('binds every Task state of both shipped workflows, nested ones included', () => {
    expect(bindTasks(loadWorkflowDefinition('rotation'))).toEqual(
      new Map<string, TaskName>([
        ['Abort', 'abort'],
        ['Prepare', 'prepare'],
        ['Generate', 'generate'],
        ['Publish', 'publish'],
        ['ConfirmVisible', 'confirm-visible'],
        ['RollbackNotVisible', 'rollback'],
        ['Push', 'push'],
        ['WatchRollout', 'watch-rollout'],
        ['AwaitStability', 'await-stability'],
        ['Verify', 'verify'],
        ['Activate', 'activate'],
        ['RefreshTokens', 'refresh-tokens'],
        ['AwaitStabilityAfterReboot', 'await-stability'],
        ['FinishTokenRefresh', 'finish-refresh'],
        ['Maintain', 'maintain'],
        ['Rollback', 'rollback'],
      ]),
    );
    expect(bindTasks(tiny)).toEqual(
      new Map([
        ['Prepare', 'prepare'],
        ['Inner', 'watch-rollout'],
      ]),
    );
  });

  it('refuses to start when a Task state has no handler (it would call a real Lambda)', () => {
    expect(() => createLocalWorkflowRunner({ definition: tiny, handlers: { prepare: ok } })).toThrow(
      /no local handler for Inner \(watch-rollout\)/,
    );
    expect(() => createLocalWorkflowRunner({ definition: tiny, handlers: { prepare: ok } })).toThrow(
      WorkflowBindingError,
    );
    const unknown = {
      StartAt: 'X',
      States: { X: { Type: 'Task', Resource: arn('Foo'), End: true } },
    };
    expect(() => createLocalWorkflowRunner({ definition: unknown, handlers: {} })).toThrow(
      /names no keyturn task/,
    );
    expect(() => createLocalWorkflowRunner({ definition: 'rotation' })).toThrow(WorkflowBindingError);
  });

  it('scales Seconds waits, honours TimestampPath waits, and reports progress', async () => {
    const events: WorkflowEvent[] = [];
    const seen: unknown[] = [];
    const runner = createLocalWorkflowRunner({
      definition: tiny,
      handlers: {
        prepare: fake(async (event) => ({ got: event })),
        'watch-rollout': fake(async (event) => {
          seen.push(event);
          return { done: true };
        }),
      },
      waitScale: 0.001,
      onEvent: (event) => events.push(event),
    });
    const at = new Date(Date.now() + 300).toISOString();
    const started = Date.now();
    const output = (await runner.run({ at, items: [1, 2] })) as Record<string, unknown>;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(1500);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(at));
    expect(output.each).toEqual([{ done: true }, { done: true }]);
    expect(seen).toEqual([1, 2]);
    const poll = events.find((event) => event.type === 'state-exited' && event.state === 'Poll');
    expect(poll?.stateElapsedMs).toBeLessThan(200);
    const until = events.find((event) => event.type === 'state-exited' && event.state === 'Until');
    expect(until?.stateElapsedMs).toBeGreaterThanOrEqual(250);
    expect(events[0]?.type).toBe('execution-started');
    expect(events.at(-1)?.type).toBe('execution-succeeded');
    expect(
      events.some((event) => event.type === 'state-entered' && event.state === 'Inner' && event.index === 1),
    ).toBe(true);
  });

  it('retries by error name with scaled intervals, then fails naming the state and the error', async () => {
    class KeyringConflictError extends Error {
      override name = 'KeyringConflictError';
    }
    let calls = 0;
    const runner = createLocalWorkflowRunner({
      definition: tiny,
      handlers: {
        prepare: ok,
        'watch-rollout': fake(async () => {
          calls += 1;
          throw new KeyringConflictError('busy');
        }),
      },
      waitScale: 0.001,
    });
    const failure = await runner
      // A moment ahead: a timestamp already past would have the library set a negative timer.
      .run({ at: new Date(Date.now() + 100).toISOString(), items: [1] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(failure).toMatchObject({ error: 'KeyringConflictError', state: 'Inner' });
    expect((failure as Error).cause).toBeInstanceOf(KeyringConflictError);
    expect(calls).toBe(3);
  });

  it('refuses a pushNotBefore beyond what one Node timer can wait', async () => {
    const runner = createLocalWorkflowRunner({
      definition: {
        StartAt: 'ConfirmVisible',
        States: { ConfirmVisible: { Type: 'Task', Resource: taskResource('confirm-visible'), End: true } },
      },
      handlers: {
        'confirm-visible': async () => ({
          kid: 'k1',
          visible: true,
          missing: [],
          pushNotBefore: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        }),
      },
    });
    await expect(runner.run({})).rejects.toMatchObject({ error: 'RangeError', state: 'ConfirmVisible' });
  });

  describe('the lead-time wait', () => {
    /** ConfirmVisible → WaitForLeadTime (until `$.confirm.pushNotBefore`) → Push, as in the rotation workflow. */
    const leadTime = {
      StartAt: 'ConfirmVisible',
      States: {
        ConfirmVisible: {
          Type: 'Task',
          Resource: taskResource('confirm-visible'),
          ResultPath: '$.confirm',
          Next: 'WaitForLeadTime',
        },
        WaitForLeadTime: { Type: 'Wait', TimestampPath: '$.confirm.pushNotBefore', Next: 'Push' },
        Push: { Type: 'Task', Resource: taskResource('push'), ResultPath: '$.push', End: true },
      },
    };
    const runWith = async (pushNotBefore: string) => {
      let pushedAt = 0;
      const runner = createLocalWorkflowRunner({
        definition: leadTime,
        handlers: {
          'confirm-visible': async () => ({ kid: 'k1', visible: true, missing: [], pushNotBefore }),
          push: fake(async () => {
            pushedAt = Date.now();
            return {};
          }),
        },
      });
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on('warning', onWarning);
      try {
        await runner.run({});
        // Node emits warnings on the next tick.
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off('warning', onWarning);
      }
      return { pushedAt, warnings };
    };

    it('waits 0 ms, without a TimeoutNegativeWarning, when pushNotBefore has passed (a resumed rotation)', async () => {
      const { pushedAt, warnings } = await runWith(new Date(Date.now() - 719).toISOString());

      expect(pushedAt).toBeGreaterThan(0);
      expect(warnings.map((warning) => `${warning.name}: ${warning.message}`)).toEqual([]);
    });

    it('never pushes before pushNotBefore (PUBLISHED-BEFORE-SIGN)', async () => {
      const pushNotBefore = new Date(Date.now() + 300).toISOString();

      const { pushedAt, warnings } = await runWith(pushNotBefore);

      expect(pushedAt).toBeGreaterThanOrEqual(Date.parse(pushNotBefore));
      expect(warnings).toEqual([]);
    });
  });
});
