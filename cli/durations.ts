import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `90`, `5s`, `10m`, `1h`, `48h`, `7d` into whole seconds (commander option parser). */
export function parseDurationSeconds(value: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (match === null) {
    throw new InvalidArgumentError('expected a duration such as 30s, 10m, 1h or 2d');
  }
  return Number(match[1]) * (UNITS[match[2] || 's'] ?? 1);
}

/** Formats seconds the short way people read them: `45s`, `12m`, `5h`, `3d`. */
export function formatDuration(seconds: number): string {
  const value = Math.max(0, Math.round(seconds));
  if (value < 120) return `${value}s`;
  if (value < 3600) return `${Math.round(value / 60)}m`;
  if (value < 2 * 86400) return `${Math.round(value / 3600)}h`;
  return `${Math.round(value / 86400)}d`;
}
