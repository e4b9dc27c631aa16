/** The rotation steps of DESIGN.md §2–3, written against the ports of shared/ports.ts. */
export { type AbortResult, abortRotation, requireRotationToAbort } from './abort.ts';
export { type ActivateResult, activateKey } from './activate.ts';
export { awaitStability } from './await-stability.ts';
export { confirmVisible, type VisibilityResult } from './confirm-visible.ts';
export { hasDrift } from './drift.ts';
export {
  DriftDetectedError,
  RotationInProgressError,
  RotationRequestError,
  StepNotReadyError,
  VerificationFailedError,
} from './errors.ts';
export { finishTokenRefresh } from './finish-refresh.ts';
export { generateKey } from './generate.ts';
export { describeRotationKeys } from './in-flight.ts';
export { INITIAL_SLOT, initIssuer } from './init-issuer.ts';
export { type MaintainResult, type MaintenanceOutcome, maintainIssuer } from './maintain.ts';
export { assertEmergencyTarget, type PrepareResult, prepareRotation } from './prepare.ts';
export { publishNewKey } from './publish.ts';
export { pushKey } from './push.ts';
export { refreshTokens } from './refresh-tokens.ts';
export { rollbackRotation } from './rollback.ts';
export { newRotationId, parseRotationId } from './rotation-id.ts';
export type { TaskResults } from './task-results.ts';
export { TASK_STEPS } from './task-steps.ts';
export { verifyRotation } from './verify.ts';
export { watchRollout } from './watch-rollout.ts';
