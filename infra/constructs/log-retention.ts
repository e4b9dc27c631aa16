import type { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The RetentionDays of a validated `logRetentionDays` (the enum's values are the days themselves). */
export function logRetentionOf(days: number): RetentionDays {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new Error(
      `log retention of ${days} days is not one CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  return days as RetentionDays;
}
