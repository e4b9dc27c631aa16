import type { WorkflowEvent } from '#shared/workflow-event.ts';
import { formatDuration } from './durations.ts';

/** States worth a line: the tasks and the lead-time wait. Poll helpers (Choice, Pass, short Waits) are not. */
const SHOWN_TYPES = new Set(['Task']);
const SHOWN_WAITS = new Set(['WaitForLeadTime']);
/** How often a wait says how long is left: in place on a terminal, a line at a time otherwise. */
const TTY_TICK_MS = 1000;
const LINE_TICK_MS = 60_000;

/** How the display learns about the waits it counts down, and where it writes. */
export interface RotationProgressOptions {
  /** The lead time of this rotation (s), for the countdown when the events do not say when the wait ends. */
  readonly leadTimeSeconds?: number;
  /** A terminal: the countdown rewrites one line in place. @default false (a line a minute) */
  readonly tty?: boolean;
  /** @default setInterval */
  readonly every?: (ms: number, tick: () => void) => () => void;
  /** @default the event's own times only */
  readonly now?: () => Date;
}

/**
 * Turns workflow events into one line per step: its outcome and elapsed time, with repeated polls of one
 * step folded into a single line (`WatchRollout  6.10 s  (7 polls)`). A failed attempt the workflow retries
 * is one `↻` line (attempt n, the error), not a failure; a failure the workflow catches or that ends it is
 * one `✗` line. WaitForLeadTime says when the push comes and counts down. The same display serves a local
 * run (the local runner's events) and a run in AWS (the execution history).
 */
export function createRotationProgress(
  write: (text: string) => void,
  options: RotationProgressOptions = {},
): {
  onEvent: (event: WorkflowEvent) => void;
  finish: () => void;
} {
  let current: { state: string; polls: number; startedMs: number; endedMs: number } | undefined;
  let failure: { state: string; error: string } | undefined;
  let stopCountdown: (() => void) | undefined;
  const flush = () => {
    if (current === undefined) return;
    const seconds = ((current.endedMs - current.startedMs) / 1000).toFixed(2);
    const polls = current.polls > 1 ? `  (${current.polls} polls)` : '';
    write(`  ✓ ${current.state.padEnd(16)} ${seconds.padStart(6)} s${polls}\n`);
    current = undefined;
  };
  const reportFailure = (how: string) => {
    if (failure === undefined) return;
    write(`  ✗ ${failure.state} (${failure.error})${how}\n`);
    failure = undefined;
  };
  const endCountdown = () => {
    stopCountdown?.();
    stopCountdown = undefined;
  };
  const shown = (event: WorkflowEvent) =>
    event.state !== undefined && (SHOWN_TYPES.has(event.stateType ?? '') || SHOWN_WAITS.has(event.state));
  const startWait = (event: WorkflowEvent) => {
    flush();
    const lead = options.leadTimeSeconds;
    const pushAt =
      event.waitUntil ?? (lead === undefined ? undefined : new Date(event.at.getTime() + lead * 1000));
    if (pushAt === undefined) {
      write(`  … ${event.state}: the new key is public; waiting out the lead time before the push\n`);
      return;
    }
    const leadNote = lead === undefined ? '' : ` (lead time ${formatDuration(lead)})`;
    write(`  … ${event.state}: the new key is public; the push comes at about ${clock(pushAt)}${leadNote}\n`);
    const now = options.now ?? (() => new Date());
    const every = options.every ?? defaultEvery;
    const tty = options.tty === true;
    stopCountdown = every(tty ? TTY_TICK_MS : LINE_TICK_MS, () => {
      const left = Math.max(0, (pushAt.getTime() - now().getTime()) / 1000);
      const line = `    ${formatDuration(left)} left before the push (${clock(pushAt)})`;
      write(tty ? `\r\u001b[2K${line}` : `${line}\n`);
    });
    if (tty) stopCountdown = clearLineAfter(stopCountdown, write);
  };
  const exited = (event: WorkflowEvent) => {
    if (!shown(event)) return;
    endCountdown();
    const state = event.state ?? '';
    const startedMs = event.elapsedMs - (event.stateElapsedMs ?? 0);
    if (current?.state === state) {
      current.polls += 1;
      current.endedMs = event.elapsedMs;
      return;
    }
    flush();
    current = { state, polls: 1, startedMs, endedMs: event.elapsedMs };
  };
  const handlers: Partial<Record<WorkflowEvent['type'], (event: WorkflowEvent, state: string) => void>> = {
    'state-entered': (event, state) => {
      if (SHOWN_WAITS.has(state)) startWait(event);
    },
    'state-exited': exited,
    'state-failed': (event, state) => {
      endCountdown();
      flush();
      reportFailure('');
      failure = { state, error: event.error ?? 'failed' };
    },
    'state-retried': (event) => {
      if (failure === undefined) return;
      const attempt = event.attempt === undefined ? 'an attempt' : `attempt ${event.attempt}`;
      write(`  ↻ ${failure.state}: ${attempt} failed (${failure.error}); the workflow retries it\n`);
      failure = undefined;
    },
    'state-caught': (event, state) => {
      failure ??= { state, error: event.error ?? 'failed' };
      reportFailure(': caught; the workflow goes on to make it safe');
    },
    'execution-failed': () => {
      endCountdown();
      reportFailure('');
    },
  };
  return {
    onEvent(event) {
      const handle = handlers[event.type];
      const isStateEvent = event.type.startsWith('state-');
      if (handle !== undefined && (!isStateEvent || event.state !== undefined))
        handle(event, event.state ?? '');
    },
    finish: () => {
      endCountdown();
      flush();
      reportFailure('');
    },
  };
}

function clock(time: Date): string {
  return `${time.toISOString().slice(11, 16)} UTC`;
}

function defaultEvery(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** On a terminal the countdown line is rewritten in place; it is cleared when the wait ends. */
function clearLineAfter(stop: () => void, write: (text: string) => void): () => void {
  return () => {
    stop();
    write('\r\u001b[2K');
  };
}
