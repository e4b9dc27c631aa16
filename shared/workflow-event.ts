/**
 * A progress report of one workflow execution, state by state: what the local runner reads from
 * aws-local-stepfunctions' event log and what the Step Functions follower reads from an execution's
 * history, so one display serves both. Carries state names, error names and timings, never payloads.
 */
export interface WorkflowEvent {
  readonly type:
    | 'execution-started'
    | 'execution-succeeded'
    | 'execution-failed'
    | 'state-entered'
    | 'state-exited'
    | 'state-failed'
    | 'state-retried'
    | 'state-caught';
  /** The state, for state events. */
  readonly state?: string;
  /** The ASL state type (`Task`, `Wait`, `Choice`...), for state events. */
  readonly stateType?: string;
  /** Map iteration index, for states inside a Map. */
  readonly index?: number;
  /** When the event happened. */
  readonly at: Date;
  /** ms since the execution started. */
  readonly elapsedMs: number;
  /** ms spent in the state, for exited/failed/caught events. */
  readonly stateElapsedMs?: number;
  /** The error name, for failed/caught/retried events and a failed execution. */
  readonly error?: string;
  /** Retry attempt, for retried events. */
  readonly attempt?: number;
  /** When a Wait state entered will end, where the source knows it (the lead-time wait's pushNotBefore). */
  readonly waitUntil?: Date;
}
