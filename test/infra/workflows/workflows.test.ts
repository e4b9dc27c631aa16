import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadWorkflowDefinition, WORKFLOW_FILES } from '#infra/workflows/index.ts';
import { listStates } from '#local/workflow/local-workflow-runner.ts';
import { MAX_REBOOT_TIMEOUT_SECONDS, MAX_STABILITY_TIMEOUT_SECONDS } from '#shared/keyring/policy.ts';
import { MAX_LEAD_TIME_SECONDS } from '#shared/rotation/lead-time-bound.ts';
import { TASK_NAMES, taskOfResource } from '#shared/workflow-tasks.ts';

type AslValidator = (
  definition: object,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errors: unknown[] };
const validate = createRequire(import.meta.url)('asl-validator') as AslValidator;

/** Loose view of an ASL document for structural assertions. */
interface AslState {
  readonly [field: string]: unknown;
  readonly Next?: string;
  readonly Parameters?: Record<string, string>;
  readonly Choices?: readonly Record<string, unknown>[];
  readonly Retry?: readonly Record<string, unknown>[];
  readonly Catch?: readonly Record<string, unknown>[];
  readonly ItemProcessor?: AslMachine & { ProcessorConfig?: unknown };
  readonly MaxConcurrency?: number;
}
interface AslMachine {
  readonly StartAt?: string;
  readonly TimeoutSeconds?: number;
  readonly States: Record<string, AslState>;
}

const ROOT = join(import.meta.dirname, '..', '..', '..');
const WORKFLOWS = ['rotation', 'maintenance'] as const;

/** Names of every error class keyturn declares (`class <Name> extends`), found by reading the source. */
async function declaredErrorClasses(): Promise<Set<string>> {
  const names = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.ts')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/class (\w+) extends/g))
          names.add(match[1] ?? '');
      }
    }
  };
  await walk(join(ROOT, 'shared'));
  return names;
}

function errorNames(definition: object): { state: string; error: string }[] {
  return listStates(definition).flatMap(({ name, state }) =>
    [
      ...((state.Retry as { ErrorEquals: string[] }[]) ?? []),
      ...((state.Catch as { ErrorEquals: string[] }[]) ?? []),
    ]
      .flatMap((rule) => rule.ErrorEquals)
      .map((error) => ({ state: name, error })),
  );
}

describe.each(WORKFLOWS)('infra/workflows/%s.asl.json', (name) => {
  const definition = loadWorkflowDefinition(name);

  it('is valid ASL (asl-validator, paths and ARNs checked)', () => {
    const result = validate(structuredClone(definition), { checkPaths: true, checkArn: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
    const broken = structuredClone(definition) as { StartAt: string };
    broken.StartAt = 'Nowhere';
    expect(validate(broken).isValid).toBe(false);
  });

  it('stays on JSONPath with a top-level timeout', () => {
    expect(definition.QueryLanguage).toBe('JSONPath');
    expect(definition.TimeoutSeconds).toEqual(expect.any(Number));
    expect(JSON.stringify(definition)).not.toMatch(/\{%|"Arguments"|"Output"|"Assign"/);
  });

  it('names every Task Resource as a whole <Task>FunctionArn placeholder of a known task', () => {
    const tasks = listStates(definition).filter(({ state }) => state.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(0);
    for (const { name: state, state: task } of tasks) {
      // taskOfResource reads only a whole `${<Task>FunctionArn}` of a known task.
      expect(TASK_NAMES, `${state}: ${String(task.Resource)}`).toContain(
        taskOfResource(String(task.Resource)),
      );
      expect(task.TimeoutSeconds, state).toBeLessThanOrEqual(60);
    }
  });

  it('retries and catches only errors keyturn declares (matched by error.name)', async () => {
    const declared = await declaredErrorClasses();
    for (const { state, error } of errorNames(definition)) {
      if (error.startsWith('States.')) continue;
      expect(declared, `${state} names ${error}`).toContain(error);
    }
  });
});

describe('the rotation workflow', () => {
  const definition = loadWorkflowDefinition('rotation') as unknown as AslMachine;
  const { States: states } = definition;

  it('confirms visibility before waiting for the lead time from pushNotBefore, then pushes', () => {
    expect(states.Publish?.Next).toBe('StartVisibilityPolls');
    expect(states.ConfirmVisible?.Next).toBe('IsVisible');
    expect(states.IsVisible?.Choices?.[0]).toMatchObject({
      Variable: '$.confirm.visible',
      Next: 'WaitForLeadTime',
    });
    expect(states.WaitForLeadTime).toMatchObject({
      Type: 'Wait',
      TimestampPath: '$.confirm.pushNotBefore',
      Next: 'Push',
    });
    // Bounded polling: a counter kept with States.MathAdd, a Fail with a clear cause when exceeded.
    expect(states.CountVisibilityPoll?.Parameters?.['count.$']).toMatch(/^States\.MathAdd/);
    expect(states.KeyNeverVisible).toMatchObject({ Type: 'Fail', Error: 'KeyNotVisible' });
    expect(states.CountRolloutPoll?.Parameters?.['count.$']).toMatch(/^States\.MathAdd/);
    expect(states.IsRolledOut?.Choices?.[1]).toMatchObject({ Next: 'RolloutDeadlineExceeded' });
  });

  it('never waits as long as a grace period inside a rotation', () => {
    for (const { state } of listStates(definition)) {
      if (state.Type === 'Wait' && typeof state.Seconds === 'number')
        expect(state.Seconds).toBeLessThanOrEqual(60);
    }
  });

  it('rolls back from push, rollout and verify, and fails fast on a rotation in flight', () => {
    for (const state of ['Push', 'WatchRollout', 'Verify']) {
      expect(states[state]?.Catch, state).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Rollback' },
      ]);
    }
    expect(states.Rollback?.Parameters).toEqual({
      'issuerId.$': '$.issuerId',
      'rotationId.$': '$.rotationId',
      'reason.$': '$.error',
    });
    expect(states.Rollback?.Next).toBe('RotationRolledBack');
    expect(states.RotationRolledBack).toMatchObject({ Type: 'Fail', Error: 'RotationRolledBack' });
    expect(states.Prepare?.Catch).toEqual([
      { ErrorEquals: ['RotationInProgressError'], ResultPath: '$.error', Next: 'RotationAlreadyInFlight' },
      {
        ErrorEquals: ['ClusterUnstableError', 'RotationGuardError', 'GraceBelowTokenLifetimeError'],
        ResultPath: '$.error',
        Next: 'RotationRefused',
      },
    ]);
    expect(states.RotationRefused).toMatchObject({ Type: 'Fail', Error: 'RotationRefused' });
    expect(states.RotationAlreadyInFlight?.Type).toBe('Fail');
    expect(states.Verify?.Retry?.[0]).toMatchObject({ ErrorEquals: ['StepNotReadyError'], BackoffRate: 1.5 });
    expect(states.IsEmergency?.Choices).toEqual([
      { Variable: '$.mode', StringEquals: 'emergency', Next: 'Maintain' },
    ]);
  });

  it('ends every failure after Prepare in a named Fail state the CLI can resume or abort from (RECOVERABLE)', () => {
    for (const [state, fail] of [
      ['Rollback', 'RollbackFailed'],
      ['RollbackNotVisible', 'RollbackFailed'],
      ['Activate', 'ActivationFailed'],
      ['Maintain', 'CompromisedKeyStillPublished'],
      ['AwaitStability', 'ClusterNotStable'],
      ['RefreshTokens', 'NodesNotRebooted'],
      ['AwaitStabilityAfterReboot', 'ClusterNotStableAfterReboot'],
      ['FinishTokenRefresh', 'TokenRefreshUnfinished'],
    ] as const) {
      expect(states[state]?.Catch, state).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: fail },
      ]);
      expect(states[fail], fail).toMatchObject({ Type: 'Fail', Error: fail.replace(/AfterReboot$/, '') });
    }
    for (const fail of ['ClusterNotStable', 'ClusterNotStableAfterReboot', 'NodesNotRebooted']) {
      expect(String(states[fail]?.Cause), fail).toMatch(/both keys published|old key stays published/);
      expect(String(states[fail]?.Cause), fail).toContain('--abort');
    }
    expect(String(states.RollbackFailed?.Cause)).toContain('--abort');
    expect(String(states.ActivationFailed?.Cause)).toContain('keyturn rotate --issuer <issuer> to finish it');
  });

  it('times out later than the longest lead time Prepare accepts, its polls and its steps', () => {
    const polls = (max: string, wait: string) => {
      const choice = states[max]?.Choices as { NumericGreaterThanEquals?: number }[] | undefined;
      const bound = choice?.find(
        (rule) => typeof rule.NumericGreaterThanEquals === 'number',
      )?.NumericGreaterThanEquals;
      return (bound ?? Number.NaN) * Number(states[wait]?.Seconds);
    };
    // The stability and reboot waits end at deadlines the policy sets, bounded by its schema.
    const waited =
      MAX_LEAD_TIME_SECONDS +
      polls('IsVisible', 'WaitBeforeVisibilityPoll') +
      polls('IsRolledOut', 'WaitBeforeRolloutPoll') +
      2 * MAX_STABILITY_TIMEOUT_SECONDS +
      MAX_REBOOT_TIMEOUT_SECONDS;
    expect(waited).toBeLessThan((definition.TimeoutSeconds ?? 0) - 15 * 60);
  });

  it('sends an abort input straight to the Abort task, and anything else to Prepare', () => {
    expect(definition.StartAt).toBe('IsAbort');
    expect(states.IsAbort).toMatchObject({ Type: 'Choice', Default: 'Prepare' });
    expect(states.IsAbort?.Choices).toEqual([
      {
        And: [
          { Variable: '$.action', IsPresent: true },
          { Variable: '$.action', StringEquals: 'abort' },
        ],
        Next: 'Abort',
      },
    ]);
    expect(states.Abort).toMatchObject({ Type: 'Task', ResultPath: '$.abort', Next: 'Aborted' });
    expect(states.Aborted?.Type).toBe('Succeed');
  });

  it('waits for a stable cluster after the rollout, then verifies (bounded poll with a counter)', () => {
    expect(states.IsRolledOut?.Choices?.[0]).toMatchObject({ Next: 'StartStabilityPolls' });
    expect(states.IsStable?.Choices).toEqual([
      { Variable: '$.stability.stable', BooleanEquals: true, Next: 'Verify' },
    ]);
    expect(states.CountStabilityPoll?.Parameters?.['count.$']).toMatch(/^States\.MathAdd/);
  });

  it('refreshes tokens after activation for tokenRefresh reboot: reboots, stability, finish, and a resumed refresh phase goes straight back to it', () => {
    expect(states.Activate?.Next).toBe('IsTokenRefreshByReboot');
    expect(states.IsTokenRefreshByReboot).toMatchObject({
      Choices: [{ Variable: '$.activate.refreshing', BooleanEquals: true, Next: 'StartRebootPolls' }],
      Default: 'IsEmergency',
    });
    expect(states.AreNodesRebooted?.Choices?.[0]).toMatchObject({ Next: 'StartStabilityPollsAfterReboot' });
    expect(states.IsStableAfterReboot?.Choices?.[0]).toMatchObject({ Next: 'FinishTokenRefresh' });
    expect(states.FinishTokenRefresh?.Next).toBe('IsEmergency');
    expect(states.Prepare?.Next).toBe('IsInRefreshPhase');
    expect(states.IsInRefreshPhase).toMatchObject({
      Choices: [{ Variable: '$.prepare.refreshing', BooleanEquals: true, Next: 'StartRebootPolls' }],
      Default: 'Generate',
    });
  });

  it('passes ids only to the tasks and keeps each result under its own key', () => {
    for (const { name, state } of listStates(definition)) {
      if (state.Type !== 'Task') continue;
      if (name !== 'Prepare') {
        expect(
          Object.keys(state.Parameters ?? {}).every((key) =>
            ['issuerId.$', 'rotationId.$', 'reason.$'].includes(key),
          ),
          name,
        ).toBe(true);
      }
      expect(state.ResultPath, name).toMatch(/^\$\.[a-z][A-Za-z]*$/);
    }
  });
});

describe('the maintenance workflow', () => {
  it('maps over issuers inline with bounded concurrency and catches per issuer', () => {
    const definition = loadWorkflowDefinition('maintenance') as unknown as AslMachine;
    const map = definition.States.MaintainEachIssuer;
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.issuerIds',
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' } },
    });
    expect(map?.MaxConcurrency).toBeGreaterThan(0);
    expect(map?.MaxConcurrency).toBeLessThanOrEqual(10);
    expect(map?.ItemProcessor?.States.MaintainIssuer?.Catch?.[0]?.ErrorEquals).toEqual(['States.ALL']);
  });
});

describe('the asl-validator CLI', () => {
  it('accepts both files', async () => {
    const bin = join(ROOT, 'node_modules/.bin/asl-validator');
    const args = WORKFLOWS.flatMap((name) => ['--json-path', WORKFLOW_FILES[name]]);
    const { stdout } = await promisify(execFile)(bin, args);
    expect(stdout).toMatch(/rotation\.asl\.json" is valid/);
    expect(stdout).toMatch(/maintenance\.asl\.json" is valid/);
  });
});
