/**
 * The OpenShift simulator over HTTPS (DESIGN.md §4): serves an in-memory ClusterModel to real clients
 * (kubectl, @kubernetes/client-node) with bearer-token auth, discovery, Status errors, JSON/merge patch
 * and TokenRequest (JSON or protobuf). A test and demo target, not a cluster; see docs/simulator.md.
 */
export {
  type OpenShiftSimulator,
  type OpenShiftSimulatorOptions,
  type SimulatorRequest,
  startOpenShiftSimulator,
} from './simulator.ts';
