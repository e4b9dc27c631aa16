import { describe, expect, it } from 'vitest';
import { createRotationProgress } from '#cli/rotation-progress.ts';
import type { WorkflowEvent } from '#shared/workflow-event.ts';

const T0 = Date.parse('2026-12-03T06:00:00.000Z');

/** A workflow event `ms` after the start. */
function at(ms: number, event: Omit<WorkflowEvent, 'at' | 'elapsedMs'>): WorkflowEvent {
  return { ...event, at: new Date(T0 + ms), elapsedMs: ms };
}

function display(options: Parameters<typeof createRotationProgress>[1] = {}) {
  let text = '';
  const progress = createRotationProgress((chunk) => {
    text += chunk;
  }, options);
  return { progress, text: () => text };
}

describe('the rotation progress display (issue 14: progress that says when)', () => {
  it('shows a retried attempt as one ↻ line with its attempt number, then the step once as done', () => {
    // Arrange
    const { progress, text } = display();

    // Act
    progress.onEvent(at(0, { type: 'state-entered', state: 'Push', stateType: 'Task' }));
    progress.onEvent(
      at(100, { type: 'state-failed', state: 'Push', stateType: 'Task', error: 'ClusterApiCallError' }),
    );
    progress.onEvent(at(100, { type: 'state-retried', state: 'Push', stateType: 'Task', attempt: 1 }));
    progress.onEvent(
      at(2100, { type: 'state-exited', state: 'Push', stateType: 'Task', stateElapsedMs: 2100 }),
    );
    progress.finish();

    // Assess
    expect(text()).toBe(
      '  ↻ Push: attempt 1 failed (ClusterApiCallError); the workflow retries it\n' +
        '  ✓ Push               2.10 s\n',
    );
  });

  it('shows a caught failure once, saying the workflow goes on, and a final failure once', () => {
    // Arrange
    const { progress, text } = display();

    // Act
    progress.onEvent(
      at(0, { type: 'state-failed', state: 'Verify', stateType: 'Task', error: 'VerificationFailedError' }),
    );
    progress.onEvent(at(0, { type: 'state-caught', state: 'Verify', stateType: 'Task' }));
    progress.onEvent(
      at(10, { type: 'state-failed', state: 'Rollback', stateType: 'Task', error: 'ClusterApiCallError' }),
    );
    progress.onEvent(at(10, { type: 'execution-failed', error: 'RollbackFailed' }));
    progress.finish();

    // Assess
    expect(text()).toBe(
      '  ✗ Verify (VerificationFailedError): caught; the workflow goes on to make it safe\n' +
        '  ✗ Rollback (ClusterApiCallError)\n',
    );
    expect(text()).not.toContain('✓');
  });

  it('says when the push comes and counts down a line at a time without a terminal', () => {
    // Arrange
    let now = new Date(T0);
    const ticks: Array<() => void> = [];
    let stopped = false;
    const { progress, text } = display({
      leadTimeSeconds: 3600,
      now: () => now,
      every: (ms, tick) => {
        expect(ms).toBe(60_000);
        ticks.push(tick);
        return () => {
          stopped = true;
        };
      },
    });

    // Act
    progress.onEvent(at(0, { type: 'state-entered', state: 'WaitForLeadTime', stateType: 'Wait' }));
    now = new Date(T0 + 25 * 60_000);
    for (const tick of ticks) tick();
    progress.onEvent(
      at(3_600_000, {
        type: 'state-exited',
        state: 'WaitForLeadTime',
        stateType: 'Wait',
        stateElapsedMs: 3_600_000,
      }),
    );

    // Assess
    expect(text()).toContain('the new key is public; the push comes at about 07:00 UTC (lead time 1h)');
    expect(text()).toContain('    35m left before the push (07:00 UTC)\n');
    expect(stopped).toBe(true);
  });

  it('rewrites the countdown in place on a terminal and clears it when the wait ends', () => {
    // Arrange
    const ticks: Array<() => void> = [];
    const { progress, text } = display({
      leadTimeSeconds: 90,
      tty: true,
      now: () => new Date(T0 + 30_000),
      every: (ms, tick) => {
        expect(ms).toBe(1000);
        ticks.push(tick);
        return () => undefined;
      },
    });

    // Act
    progress.onEvent(at(0, { type: 'state-entered', state: 'WaitForLeadTime', stateType: 'Wait' }));
    for (const tick of ticks) tick();
    progress.onEvent(
      at(90_000, {
        type: 'state-exited',
        state: 'WaitForLeadTime',
        stateType: 'Wait',
        stateElapsedMs: 90_000,
      }),
    );

    progress.finish();

    // Assess
    expect(text()).toContain('\r\u001b[2K    60s left before the push (06:01 UTC)');
    expect(text()).toContain('\r\u001b[2K  ✓ WaitForLeadTime');
  });

  it('counts down to the end the workflow gives (pushNotBefore), not to a guess from the lead time', () => {
    // Arrange
    const ticks: Array<() => void> = [];
    const { progress, text } = display({
      leadTimeSeconds: 3600,
      now: () => new Date(T0 + 60_000),
      every: (_ms, tick) => {
        ticks.push(tick);
        return () => undefined;
      },
    });

    // Act: a resumed rotation whose key became visible 50 minutes before this run.
    progress.onEvent({
      ...at(0, { type: 'state-entered', state: 'WaitForLeadTime', stateType: 'Wait' }),
      waitUntil: new Date(T0 + 10 * 60_000),
    });
    for (const tick of ticks) tick();
    progress.finish();

    // Assess
    expect(text()).toContain('the push comes at about 06:10 UTC');
    expect(text()).toContain('    9m left before the push (06:10 UTC)\n');
  });
});
