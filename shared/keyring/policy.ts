import type { Policy, RotationMode, TokenRefresh } from './keyring.ts';

/**
 * The longest stability wait a policy may set (each of the two waits of a rotation). The rotation
 * workflow's TimeoutSeconds covers two of them, the longest reboot wait and the longest lead time.
 */
export const MAX_STABILITY_TIMEOUT_SECONDS = 3600;

/** The longest wait for every node to reboot a policy may set (a large pool reboots one node at a time). */
export const MAX_REBOOT_TIMEOUT_SECONDS = 12 * 3600;

/** The policy fields of the OpenShift procedure, each with its default (an older keyring lacks them). */
export type PlatformPolicy = Required<
  Pick<Policy, 'tokenRefresh' | 'stablePeriodSeconds' | 'stabilityTimeoutSeconds' | 'rebootTimeoutSeconds'>
>;

/**
 * Defaults of the OpenShift procedure: wait the grace (no reboots unless asked), a 5 min stable period as
 * `oc adm wait-for-stable-cluster --minimum-stable-period 5m`, 1 h for stability, 4 h for the reboots.
 */
export const DEFAULT_PLATFORM_POLICY: PlatformPolicy = {
  tokenRefresh: 'wait',
  stablePeriodSeconds: 300,
  stabilityTimeoutSeconds: 3600,
  rebootTimeoutSeconds: 4 * 3600,
};

/** The platform fields of `policy`, defaults filled in. */
export function platformPolicy(policy: Policy): PlatformPolicy {
  return {
    tokenRefresh: policy.tokenRefresh ?? DEFAULT_PLATFORM_POLICY.tokenRefresh,
    stablePeriodSeconds: policy.stablePeriodSeconds ?? DEFAULT_PLATFORM_POLICY.stablePeriodSeconds,
    stabilityTimeoutSeconds:
      policy.stabilityTimeoutSeconds ?? DEFAULT_PLATFORM_POLICY.stabilityTimeoutSeconds,
    rebootTimeoutSeconds: policy.rebootTimeoutSeconds ?? DEFAULT_PLATFORM_POLICY.rebootTimeoutSeconds,
  };
}

/**
 * How a rotation refreshes workload tokens: what it was asked, else `reboot` for an emergency (the
 * compromised key must go, and only a reboot lets it go without cutting pods off STS), else the policy's.
 */
export function tokenRefreshOf(policy: Policy, mode: RotationMode, asked?: TokenRefresh): TokenRefresh {
  if (asked !== undefined) return asked;
  return mode === 'emergency' ? 'reboot' : platformPolicy(policy).tokenRefresh;
}

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
