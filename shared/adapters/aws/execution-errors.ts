import { KeyturnError } from '../../errors.ts';

/** Why a workflow execution could not be started or followed. */
export type ExecutionErrorCode =
  /** `<issuerId>--<rotationId>` is longer than Step Functions allows. */
  | 'ERR_EXECUTION_NAME'
  /** The state machine the stack names does not exist (any more). */
  | 'ERR_STATE_MACHINE_NOT_FOUND'
  /** The execution to follow does not exist. */
  | 'ERR_EXECUTION_NOT_FOUND'
  /** The Distributed Map run an execution announced does not exist (any more). */
  | 'ERR_MAP_RUN_NOT_FOUND';

/** A workflow execution could not be started or followed; the message names it and what to do. */
export class ExecutionError extends KeyturnError<ExecutionErrorCode> {}
