/**
 * Scripted histories of the rotation workflow (infra/workflows/rotation.asl.json) for the fake Step
 * Functions: the states a real execution passes through, in batches that `advance` appends one per poll.
 */
import {
  caughtTask,
  type EventSpec,
  entered,
  exited,
  failed,
  lambdaFailed,
  passThrough,
  retriedTask,
  succeeded,
  task,
} from './sfn-history.ts';

/** The kids a scripted rotation reports. */
export const KIDS = {
  old: 'old-kid-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  new: 'new-kid-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
};

/** The path to the push: prepare, generate (its first attempt throttled), publish, confirm, lead time. */
function untilLeadTime(): EventSpec[][] {
  return [
    task('Prepare'),
    [
      ...retriedTask('Generate', 'AwsThrottledError', 'KMS GenerateDataKeyPair throttled'),
      ...task('Publish'),
    ],
    [
      ...passThrough('Pass', 'StartVisibilityPolls'),
      ...task('ConfirmVisible'),
      ...passThrough('Choice', 'IsVisible'),
    ],
    [entered('Wait', 'WaitForLeadTime')],
    [exited('Wait', 'WaitForLeadTime'), ...task('Push'), ...passThrough('Pass', 'StartRolloutPolls')],
  ];
}

/** What a successful rotation's history looks like, in batches that `advance` appends one by one. */
export function successfulRotation(): EventSpec[][] {
  const rolloutPoll = [
    ...task('WatchRollout'),
    ...passThrough('Choice', 'IsRolledOut'),
    ...passThrough('Wait', 'WaitBeforeRolloutPoll'),
    ...passThrough('Pass', 'CountRolloutPoll'),
  ];
  const output = {
    generate: { kid: KIDS.new },
    activate: { kid: KIDS.new, retiredKid: KIDS.old, removeAfter: '2026-03-03T13:00:00.000Z' },
  };
  return [
    ...untilLeadTime(),
    rolloutPoll,
    rolloutPoll,
    [...task('WatchRollout'), ...passThrough('Choice', 'IsRolledOut')],
    [
      ...task('Verify'),
      ...task('Activate', output.activate),
      ...passThrough('Choice', 'IsEmergency'),
      ...succeeded('Rotated', output),
    ],
  ];
}

/** A rotation whose verification fails: caught, rolled back, ended in Fail RotationRolledBack. */
export function rolledBackRotation(): EventSpec[][] {
  const message = 'a fresh token carries kid old-kid, not the new key';
  return [
    ...untilLeadTime(),
    [...task('WatchRollout'), ...passThrough('Choice', 'IsRolledOut')],
    [
      ...caughtTask('Verify', 'VerificationFailedError', message),
      ...task('Rollback'),
      ...failed(
        'RotationRolledBack',
        {
          error: 'RotationRolledBack',
          cause: 'The rotation failed after prepare and was rolled back: the previous key is active again.',
        },
        { error: 'VerificationFailedError', message },
      ),
    ],
  ];
}

/** A rotation refused by prepare because another one holds the issuer (ONE-SIGNER): Fail RotationAlreadyInFlight. */
export function refusedRotation(): EventSpec[][] {
  const message = 'issuer demo has rotation r0 in flight since 2026-03-01T11:00:00.000Z';
  return [
    [
      ...caughtTask('Prepare', 'RotationInProgressError', message),
      ...failed(
        'RotationAlreadyInFlight',
        {
          error: 'RotationInProgress',
          cause:
            'Another rotation is in flight for this issuer (ONE-SIGNER): wait for it to finish or roll it back, then start again.',
        },
        { error: 'RotationInProgressError', message },
      ),
    ],
  ];
}

/** An abort execution (action "abort"): the IsAbort choice, the Abort task with `result`, Succeed Aborted. */
export function abortHistory(result: Record<string, unknown>): EventSpec[][] {
  return [
    [
      ...passThrough('Choice', 'IsAbort'),
      ...task('Abort', result),
      ...succeeded('Aborted', { abort: result }),
    ],
  ];
}

/** An abort execution whose Abort task fails with no Catch (the push back failed, retries spent). */
export function failedAbortHistory(message: string): EventSpec[][] {
  const cause = JSON.stringify({ errorType: 'AbortFailedError', errorMessage: message });
  return [
    [
      ...passThrough('Choice', 'IsAbort'),
      entered('Task', 'Abort'),
      ...lambdaFailed('AbortFailedError', message),
      { type: 'ExecutionFailed', details: { error: 'AbortFailedError', cause } },
    ],
  ];
}
