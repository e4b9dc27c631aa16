import { type SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { toAwsError } from './aws-errors.ts';
import { ExecutionError } from './execution-errors.ts';
import { describeExecution, executionArnOf } from './executions.ts';
import { executionNameOf } from './rotation-executions.ts';

/**
 * The executions one rotation may have (RECOVERABLE): a rotation whose execution ended without ending the
 * rotation (stopped, timed out, a Lambda that crashed in Rollback) is resumed by a further execution of the
 * same rotation id, and ended by an abort execution. Step Functions never reuses a name, so each attempt
 * has its own: `<issuer>--<rotation>`, then `--2`, `--3` …; aborts `--abort`, then `--abort-2` ….
 */
export type AttemptKind = 'run' | 'abort';

/** At most this many attempts of each kind: past it, the rotation needs a look, not another try. */
export const MAX_ATTEMPTS = 20;

/** The execution name of attempt `attempt` (1-based) of kind `kind`. */
export function attemptNameOf(
  issuerId: string,
  rotationId: string,
  kind: AttemptKind,
  attempt: number,
): string {
  const first = executionNameOf(issuerId, rotationId);
  const suffix =
    kind === 'run' ? (attempt === 1 ? '' : `--${attempt}`) : attempt === 1 ? '--abort' : `--abort-${attempt}`;
  return suffix === '' ? first : executionNameOf(issuerId, `${rotationId}${suffix}`);
}

/** One execution of a rotation. */
export interface RotationAttempt {
  readonly attempt: number;
  readonly name: string;
  readonly executionArn: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED (PENDING_REDRIVE). */
  readonly status: string;
}

/** Where the attempts are. */
export interface AttemptsQuery {
  readonly stateMachineArn: string;
  readonly issuerId: string;
  readonly rotationId: string;
  readonly kind: AttemptKind;
  readonly sfn: SFNClient;
}

/** The attempts of kind `kind` that exist, in order (DescribeExecution of each name until one is missing). */
export async function findRotationAttempts(query: AttemptsQuery): Promise<RotationAttempt[]> {
  const attempts: RotationAttempt[] = [];
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const name = attemptNameOf(query.issuerId, query.rotationId, query.kind, attempt);
    const executionArn = executionArnOf(query.stateMachineArn, name);
    const described = await describeExecution(query.sfn, executionArn).catch((error: unknown) => {
      if (error instanceof ExecutionError && error.code === 'ERR_EXECUTION_NOT_FOUND') return undefined;
      throw error;
    });
    if (described === undefined) break;
    attempts.push({ attempt, name, executionArn, status: String(described.status) });
  }
  return attempts;
}

/** The name of the next attempt after `attempts`, or ERR_EXECUTION_NAME once {@link MAX_ATTEMPTS} are used. */
export function nextAttemptName(
  query: Omit<AttemptsQuery, 'sfn' | 'stateMachineArn'>,
  attempts: readonly RotationAttempt[],
): string {
  const attempt = attempts.length + 1;
  if (attempt > MAX_ATTEMPTS) {
    throw new ExecutionError(
      'ERR_EXECUTION_NAME',
      `rotation ${query.rotationId} of issuer ${query.issuerId} already has ${MAX_ATTEMPTS} ${query.kind === 'run' ? 'executions' : 'abort executions'}; look at the last one in the Step Functions console before trying again`,
    );
  }
  return attemptNameOf(query.issuerId, query.rotationId, query.kind, attempt);
}

/**
 * StopExecution of a running execution, with `cause` in its history. Step Functions ends the execution at
 * once; a Lambda task already running finishes on its own, and its keyring write is conditional, so it
 * cannot undo what comes after (the abort re-reads the keyring).
 */
export async function stopExecution(sfn: SFNClient, executionArn: string, cause: string): Promise<void> {
  try {
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'KeyturnAbort', cause }));
  } catch (error) {
    throw toAwsError(error, { service: 'StepFunctions', operation: 'StopExecution', resource: executionArn });
  }
}
