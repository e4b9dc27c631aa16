import type { WorkflowEvent } from '#shared/workflow-event.ts';

/** States worth a line: the tasks and the lead-time wait. Poll helpers (Choice, Pass, short Waits) are not. */
const SHOWN_TYPES = new Set(['Task']);
const SHOWN_WAITS = new Set(['WaitForLeadTime']);

/**
 * Turns workflow events into one line per step: its outcome and elapsed time, with repeated polls of one
 * step folded into a single line (`WatchRollout  6.10 s  (7 polls)`), and a note when a wait starts. The
 * same display serves a local run (the local runner's events) and a run in AWS (the execution history).
 */
export function createRotationProgress(write: (text: string) => void): {
  onEvent: (event: WorkflowEvent) => void;
  finish: () => void;
} {
  let current: { state: string; polls: number; startedMs: number; endedMs: number } | undefined;
  const flush = () => {
    if (current === undefined) return;
    const seconds = ((current.endedMs - current.startedMs) / 1000).toFixed(2);
    const polls = current.polls > 1 ? `  (${current.polls} polls)` : '';
    write(`  ✓ ${current.state.padEnd(16)} ${seconds.padStart(6)} s${polls}\n`);
    current = undefined;
  };
  const shown = (event: WorkflowEvent) =>
    event.state !== undefined && (SHOWN_TYPES.has(event.stateType ?? '') || SHOWN_WAITS.has(event.state));
  return {
    onEvent(event) {
      if (event.type === 'state-entered' && event.state !== undefined && SHOWN_WAITS.has(event.state)) {
        flush();
        write(`  … ${event.state}: the new key is public; waiting out the lead time before the push\n`);
      }
      if (event.type === 'state-exited' && shown(event)) {
        const state = event.state ?? '';
        const startedMs = event.elapsedMs - (event.stateElapsedMs ?? 0);
        if (current?.state === state) {
          current.polls += 1;
          current.endedMs = event.elapsedMs;
        } else {
          flush();
          current = { state, polls: 1, startedMs, endedMs: event.elapsedMs };
        }
      }
      if ((event.type === 'state-failed' || event.type === 'state-caught') && event.state !== undefined) {
        flush();
        write(`  ✗ ${event.state} (${event.error ?? 'failed'})\n`);
      }
    },
    finish: flush,
  };
}
