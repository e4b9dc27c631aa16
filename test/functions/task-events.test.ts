import { describe, expect, it, vi } from 'vitest';
import { parseTaskEvent } from '#functions/task-events.ts';
import { createTaskHandlers } from '#functions/task-handlers.ts';
import { TASK_NAMES, type TaskName } from '#shared/workflow-tasks.ts';
import { captureStdout, createObservability } from './task-world.ts';

const IDS = { issuerId: 'cluster-a', rotationId: 'r1' };

/** A valid event per task. */
const VALID: Record<TaskName, Record<string, unknown>> = {
  prepare: { ...IDS, mode: 'emergency', compromisedKid: 'abc_-1', leadTimeSeconds: 5, tokenRefresh: 'wait' },
  generate: IDS,
  publish: IDS,
  'confirm-visible': IDS,
  push: IDS,
  'watch-rollout': IDS,
  'await-stability': IDS,
  verify: IDS,
  activate: IDS,
  'refresh-tokens': IDS,
  'finish-refresh': IDS,
  rollback: { ...IDS, reason: 'operator asked' },
  abort: IDS,
  maintain: { issuerId: 'cluster-a', publishDrift: true },
};

/** Malformed events and the field each must be blamed on. */
const MALFORMED: [TaskName, unknown, string][] = [
  ...TASK_NAMES.map((task): [TaskName, unknown, string] => [
    task,
    { ...VALID[task], issuerId: 42 },
    'issuerId',
  ]),
  ...TASK_NAMES.map((task): [TaskName, unknown, string] => [task, null, '(event)']),
  ...TASK_NAMES.filter((task) => task !== 'maintain').map((task): [TaskName, unknown, string] => {
    const { rotationId: _omitted, ...event } = VALID[task];
    return [task, event, 'rotationId'];
  }),
  ['generate', { ...IDS, rotationId: '../etc' }, 'rotationId'],
  ['prepare', { ...IDS, issuerId: 'Cluster A', mode: 'manual' }, 'issuerId'],
  ['prepare', { ...IDS, mode: 'weekly' }, 'mode'],
  ['prepare', { ...IDS, mode: 'manual', leadTimeSeconds: -1 }, 'leadTimeSeconds'],
  ['prepare', { ...IDS, mode: 'manual', leadTimeSeconds: '60' }, 'leadTimeSeconds'],
  ['prepare', { ...IDS, mode: 'emergency', compromisedKid: 'a b' }, 'compromisedKid'],
  ['rollback', IDS, 'reason'],
  ['rollback', { ...IDS, reason: '' }, 'reason'],
  ['rollback', { ...IDS, reason: { Cause: 'no name' } }, 'reason'],
  ['maintain', { issuerId: 'cluster-a', publishDrift: 'yes' }, 'publishDrift'],
  ['prepare', { ...IDS, mode: 'emergency', tokenRefresh: 'never' }, 'tokenRefresh'],
];

describe('parseTaskEvent', () => {
  it.each(MALFORMED)(
    'rejects a bad %s event with ERR_TASK_EVENT naming the field (%#)',
    (task, event, field) => {
      // Act
      const parse = () => parseTaskEvent(task, event);

      // Assess
      expect(parse).toThrow(
        expect.objectContaining({
          name: 'TaskEventError',
          code: 'ERR_TASK_EVENT',
          field,
          message: expect.stringContaining(field),
        }),
      );
    },
  );

  it.each(TASK_NAMES)('accepts a valid %s event and strips fields it does not read', (task) => {
    // Act
    const parsed = parseTaskEvent(task, { ...VALID[task], prepare: { kid: 'k' }, Payload: 'x' });

    // Assess
    expect(parsed).toEqual(VALID[task]);
  });

  it('turns a Catch object without a Cause into the error name', () => {
    // Act
    const parsed = parseTaskEvent('rollback', { ...IDS, reason: { Error: 'States.Timeout' } });

    // Assess
    expect(parsed.reason).toBe('States.Timeout');
  });

  it('keeps the first 200 characters of a plain Cause', () => {
    // Act
    const parsed = parseTaskEvent('rollback', {
      ...IDS,
      reason: { Error: 'KeyringConflictError', Cause: 'c'.repeat(500) },
    });

    // Assess
    expect(parsed.reason).toBe(`KeyringConflictError: ${'c'.repeat(200)}`);
  });

  it('redacts key material before it cuts the Cause, so no tail of it survives the cut (SEALED)', () => {
    // Arrange: a private JWK `d`-like run that straddles the 200-character cut.
    const secret =
      'Qm9vZ3VzUHJpdmF0ZUtleU1hdGVyaWFsX2Zvcl90ZXN0czEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0';
    const message = `${'x '.repeat(78)}${secret}`;

    // Act
    const parsed = parseTaskEvent('rollback', {
      ...IDS,
      reason: { Error: 'PushError', Cause: JSON.stringify({ errorMessage: message }) },
    });

    // Assess
    expect(parsed.reason).toContain('[redacted]');
    expect(parsed.reason).not.toContain(secret.slice(0, 20));
  });
});

describe('task handlers on bad events', () => {
  it.each(TASK_NAMES)('rejects a bad %s event before asking for ports', async (task) => {
    // Prepare
    const output = captureStdout();
    const getPorts = vi.fn();
    const handlers = createTaskHandlers(getPorts, createObservability());

    // Act
    const error = await handlers[task]({ ...VALID[task], issuerId: ['x'] }).catch((e: unknown) => e);
    output.restore();

    // Assess
    expect(error).toMatchObject({ name: 'TaskEventError', code: 'ERR_TASK_EVENT', field: 'issuerId' });
    expect(getPorts).not.toHaveBeenCalled();
  });
});
