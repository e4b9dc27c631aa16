/**
 * The OpenShift cluster adapter: a ClusterSigner over the Kubernetes API with @kubernetes/client-node
 * (DESIGN.md §1). The RBAC it needs is docs/openshift-rbac.yaml; docs/openshift.md explains it.
 */
export { ClusterConfigError } from './errors.ts';
export * from './names.ts';
export {
  createOpenShiftClusterSigner,
  type OpenShiftClusterSignerOptions,
} from './openshift-cluster-signer.ts';
