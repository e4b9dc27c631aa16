import { RotationRequestError } from './errors.ts';

/**
 * The longest lead time one rotation can wait out. The rotation workflow (infra/workflows/rotation.asl.json)
 * times out after 4 h (TimeoutSeconds 14400); before the push it may also poll visibility for up to 10 min
 * (120 × 5 s) and after it watch the rollout for up to 30 min (180 × 10 s), and its tasks and retries need
 * time of their own. A longer lead time would fail in WaitForLeadTime, after the key went public.
 */
export const MAX_LEAD_TIME_SECONDS = 10_800;

/** Refuses, before anything is written, a lead time the workflow could not wait out. */
export function assertLeadTimeFits(issuerId: string, leadTimeSeconds: number): void {
  if (leadTimeSeconds <= MAX_LEAD_TIME_SECONDS) return;
  throw new RotationRequestError(
    'ERR_ROTATION_REQUEST',
    `issuer ${issuerId}: a lead time of ${leadTimeSeconds} s is longer than one rotation can wait (${MAX_LEAD_TIME_SECONDS} s, 3 h: the workflow times out after 4 h, with up to 40 min of polling and its steps); nothing was changed. Give --lead-time 3h or less (or lower the issuer's policy)`,
  );
}
