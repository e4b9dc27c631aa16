import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
/** Units of a compound duration, largest first; each at most once (`1d12h`, `1m30s`). */
const ORDER = ['d', 'h', 'm', 's'];
const PART = /(\d+(?:\.\d+)?)([smhd])/y;
const HINT = 'expected a duration such as 30s, 10m, 1m30s, 1.5h or 2d';

/**
 * Parses `90`, `5s`, `10m`, `1h`, `48h`, `7d`, and compound or decimal forms `1m30s`, `1h30m`, `1.5h`, into
 * whole seconds (commander option parser). Units go largest first, each once; the total must be whole seconds.
 */
export function parseDurationSeconds(value: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) return checked(Number(text));
  let seconds = 0;
  let lastUnit = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    const unit = ORDER.indexOf(match?.[2] ?? '');
    if (match === null || unit <= lastUnit) throw new InvalidArgumentError(HINT);
    lastUnit = unit;
    seconds += Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1);
  }
  if (text === '') throw new InvalidArgumentError(HINT);
  if (!Number.isInteger(Math.round(seconds * 1000) / 1000)) {
    throw new InvalidArgumentError(`${value} is not a whole number of seconds (${HINT})`);
  }
  return checked(Math.round(seconds));
}

function checked(seconds: number): number {
  if (!Number.isSafeInteger(seconds)) throw new InvalidArgumentError(`duration too long (${HINT})`);
  return seconds;
}

/** Formats seconds the short way people read them: `45s`, `12m`, `5h`, `3d`. */
export function formatDuration(seconds: number): string {
  const value = Math.max(0, Math.round(seconds));
  if (value < 120) return `${value}s`;
  if (value < 3600) return `${Math.round(value / 60)}m`;
  if (value < 2 * 86400) return `${Math.round(value / 3600)}h`;
  return `${Math.round(value / 86400)}d`;
}
