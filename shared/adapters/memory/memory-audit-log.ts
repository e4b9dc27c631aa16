import type { AuditEntry, AuditLog, Clock } from '../../ports.ts';
import { redactAuditEntry } from '../../redaction.ts';

/** An in-memory audit trail, redacting key material in entries as the JSON-lines one does (SEALED). */
export function createMemoryAuditLog(): AuditLog & { readonly entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return {
    entries,
    async append(entry) {
      entries.push(redactAuditEntry(entry));
    },
  };
}

/** A clock tests move by hand. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`. */
  advance(ms: number): void;
  /** Sets the time. */
  set(time: Date): void;
}

/** Creates a clock frozen at `start` until advanced. */
export function createManualClock(start: Date = new Date('2026-01-01T00:00:00.000Z')): ManualClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
    set: (time) => {
      current = time.getTime();
    },
  };
}
