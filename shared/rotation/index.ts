/** The rotation steps of DESIGN.md §2–3, written against the ports of shared/ports.ts. */
export { type ActivateResult, activateKey } from './activate.ts';
export { confirmVisible, type VisibilityResult } from './confirm-visible.ts';
export { checkClusterDrift, type Drift, detectDrift } from './drift.ts';
export {
  DriftDetectedError,
  RotationInProgressError,
  RotationNotInFlightError,
  RotationRequestError,
  StepNotReadyError,
  VerificationFailedError,
} from './errors.ts';
export { generateKey } from './generate.ts';
export {
  INITIAL_SLOT,
  type InitIssuerInput,
  type InitIssuerResult,
  initIssuer,
  issuerIdFromUrl,
} from './init-issuer.ts';
export {
  type MaintainInput,
  type MaintainResult,
  type MaintenanceOutcome,
  maintainIssuer,
} from './maintain.ts';
export { type PrepareInput, type PrepareResult, prepareRotation } from './prepare.ts';
export { publishNewKey } from './publish.ts';
export { pushKey } from './push.ts';
export { type RollbackResult, rollbackRotation } from './rollback.ts';
export { newRotationId, parseRotationId } from './rotation-id.ts';
export type { StepInput } from './step-context.ts';
export { verifyRotation } from './verify.ts';
export { type RolloutResult, watchRollout } from './watch-rollout.ts';
