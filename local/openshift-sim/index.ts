/**
 * The OpenShift simulator's in-memory core: a control plane's service-account signing-key machinery
 * (objects, operator, rollouts, token signing, faults) and a ClusterSigner over it, with the platform
 * around it (ClusterOperators, machine config pools and node reboots, workload pods and their tokens).
 * The HTTP simulator serves `createClusterModel`'s objects and maps its errors through
 * KUBERNETES_STATUS_BY_CODE.
 */
export type { InjectedFailureReason } from './errors.ts';
export * from './objects.ts';
export * from './platform-objects.ts';
