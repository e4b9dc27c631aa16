import type { Policy } from './keyring.ts';

/** Defaults of DESIGN.md §1–2: 1 h lead time, 48 h grace, RSA 4096, every 90 days, STS audience. */
export const DEFAULT_POLICY: Policy = {
  leadTimeSeconds: 3600,
  graceSeconds: 48 * 3600,
  keyBits: 4096,
  rotationIntervalDays: 90,
  audience: 'sts.amazonaws.com',
};

/** Adds seconds to an ISO time, returning an ISO time. */
export function addSeconds(isoTime: string, seconds: number): string {
  return new Date(Date.parse(isoTime) + seconds * 1000).toISOString();
}

/** True when `isoTime` is at or before `now`. */
export function isDue(isoTime: string | undefined, now: Date): boolean {
  return isoTime !== undefined && Date.parse(isoTime) <= now.getTime();
}
