import { KEY_SET_PATH } from '../issuer/discovery.ts';
import { ISSUER_CACHE_CONTROL } from '../issuer/publishing.ts';
import type { RotationMode } from '../keyring/keyring.ts';
import type { RotationPorts } from '../ports.ts';
import { RotationRequestError } from './errors.ts';

/**
 * The longest lead time one rotation can wait out. The rotation workflow (infra/workflows/rotation.asl.json)
 * times out after 24 h (TimeoutSeconds 86400); besides the lead time it may poll visibility (10 min), watch
 * the rollout (30 min), wait twice for a stable cluster and once for the node reboots at their policy maxima
 * (about 14.7 h together), and its tasks and retries need time of their own; test/infra/workflows holds the
 * sum below the timeout. A longer lead time would fail in the workflow, after the key went public.
 */
export const MAX_LEAD_TIME_SECONDS = 10_800;

/**
 * How long CloudFront, STS and every verifier may keep a keys.json they fetched: the max-age keyturn
 * publishes it with (shared/issuer/publishing.ts, 300 s). A shorter lead time lets the cluster sign with a
 * key a cached keys.json does not carry yet (PUBLISHED-BEFORE-SIGN).
 */
export const KEY_SET_MAX_AGE_SECONDS = Number(/max-age=(\d+)/.exec(ISSUER_CACHE_CONTROL[KEY_SET_PATH])?.[1]);

/** What a step does with a lead time below {@link KEY_SET_MAX_AGE_SECONDS} outside an emergency. */
export type ShortLeadTime = NonNullable<RotationPorts['shortLeadTime']>;

/**
 * Refuses, before anything is written, a lead time the workflow could not wait out and, when
 * `shortLeadTime` is `refuse` (AWS), one shorter than keys.json's max-age outside an emergency (`mode`
 * undefined: an issuer's policy, which scheduled and manual rotations use). Locally the CLI warns instead
 * ({@link shortLeadTimeWarning}).
 */
export function assertLeadTimeFits(
  issuerId: string,
  leadTimeSeconds: number,
  mode?: RotationMode,
  shortLeadTime: ShortLeadTime = 'allow',
): void {
  if (leadTimeSeconds > MAX_LEAD_TIME_SECONDS) {
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `issuer ${issuerId}: a lead time of ${leadTimeSeconds} s is longer than one rotation can wait (${MAX_LEAD_TIME_SECONDS} s, 3 h: the workflow times out after 24 h, with its polls, stability and reboot waits); nothing was changed. Give --lead-time 3h or less (or lower the issuer's policy)`,
    );
  }
  if (shortLeadTime === 'refuse' && isBelowCache(leadTimeSeconds, mode)) {
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `issuer ${issuerId}: a lead time of ${leadTimeSeconds} s is shorter than the ${KEY_SET_MAX_AGE_SECONDS} s keys.json is cached for (Cache-Control max-age=${KEY_SET_MAX_AGE_SECONDS}): STS or a verifier could still hold a keys.json without the new key when the cluster signs with it; nothing was changed. Give --lead-time ${KEY_SET_MAX_AGE_SECONDS}s or more (only an emergency rotation, --emergency KID, may wait less)`,
    );
  }
}

/**
 * The warning a local command prints (on standard error, then goes on) for a lead time shorter than
 * keys.json's max-age outside an emergency; undefined when there is nothing to warn about.
 */
export function shortLeadTimeWarning(
  issuerId: string,
  leadTimeSeconds: number,
  mode?: RotationMode,
): string | undefined {
  if (!isBelowCache(leadTimeSeconds, mode)) return undefined;
  return `warning: issuer ${issuerId}: a lead time of ${leadTimeSeconds} s is shorter than the ${KEY_SET_MAX_AGE_SECONDS} s keys.json is cached for (max-age=${KEY_SET_MAX_AGE_SECONDS}); a verifier that cached it would not know the new key yet. Going on (a local run); on AWS keyturn refuses it: give --lead-time ${KEY_SET_MAX_AGE_SECONDS}s or more there`;
}

function isBelowCache(leadTimeSeconds: number, mode: RotationMode | undefined): boolean {
  return mode !== 'emergency' && leadTimeSeconds < KEY_SET_MAX_AGE_SECONDS;
}
