/**
 * The OpenShift simulator's in-memory core: a control plane's service-account signing-key machinery
 * (objects, operator, rollouts, token signing, faults) and a ClusterSigner over it. The HTTP simulator
 * serves `createClusterModel`'s objects and maps its errors through KUBERNETES_STATUS_BY_CODE.
 */
export {
  type ClusterModel,
  type ClusterModelOptions,
  createClusterModel,
  type NodeView,
} from './cluster-model.ts';
export {
  ClusterApiError,
  type ClusterApiErrorCode,
  INJECTED_FAILURE_STATUS,
  InjectedApiFailureError,
  type InjectedFailureReason,
  KUBERNETES_STATUS_BY_CODE,
} from './errors.ts';
export type { ApiFaults, Sleep } from './faults.ts';
export * from './objects.ts';
export type { SecretBody } from './secret-writes.ts';
export {
  createSimulatedClusterSigner,
  PROBE_AUDIENCE,
  type SimulatedClusterSignerOptions,
} from './simulated-cluster-signer.ts';
export {
  DEFAULT_TOKEN_EXPIRATION_SECONDS,
  type IssuedToken,
  MIN_TOKEN_EXPIRATION_SECONDS,
  type TokenRequest,
} from './tokens.ts';
