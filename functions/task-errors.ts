import { KeyturnError } from '#shared/errors.ts';

/** A workflow task received an event it cannot use: the workflow state is wrong, not the issuer. */
export class TaskEventError extends KeyturnError<'ERR_TASK_EVENT'> {
  /** The event field that was wrong (`issuerId`, `reason.Error`), or `(event)` for the whole event. */
  readonly field: string;

  constructor(task: string, field: string, problem: string) {
    super(
      'ERR_TASK_EVENT',
      `task ${task}: event field ${field} ${problem}; fix the state the workflow passes to this task`,
    );
    this.field = field;
  }
}

/** A task failed for a reason keyturn did not name; the original error is kept as `cause`, never shown. */
export class TaskFailedError extends KeyturnError<'ERR_TASK_FAILED'> {}

/** A Lambda is missing configuration (an environment variable); fix the deployment. */
export class TaskConfigError extends KeyturnError<'ERR_TASK_CONFIG'> {}

/**
 * The error a task lets out: a KeyturnError unchanged (its `name` is what Retry and Catch match), anything
 * else wrapped into a TaskFailedError whose message names only the original error's class, because an
 * SDK or library message could carry a request body (SEALED).
 */
export function toTaskError(task: string, error: unknown): KeyturnError {
  if (error instanceof KeyturnError) {
    return error;
  }
  const kind = error instanceof Error ? error.name : typeof error;
  return new TaskFailedError(
    'ERR_TASK_FAILED',
    `task ${task} failed with an unexpected ${kind}; see the function's logs and retry the rotation`,
    { cause: error },
  );
}
