import { createClusterModel } from '#local/openshift-sim/cluster-model.ts';
import { startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { createSimulatedClusterSigner } from '#local/openshift-sim/simulated-cluster-signer.ts';
import { createOpenShiftClusterSigner } from '#shared/adapters/openshift/index.ts';
import { createFakeClock, ISSUER } from '#test/local/openshift-sim/cluster-fixtures.ts';
import { describeClusterPlatformContract } from './cluster-platform.contract.ts';
import { describeClusterSignerContract, readContractKeys } from './cluster-signer.contract.ts';

/** Three nodes, 2 simulated seconds each: a rollout takes a few polls. */
const CLUSTER = { issuerUrl: ISSUER, nodes: 3, nodeRolloutSeconds: 2 } as const;

describeClusterSignerContract('simulated signer over the cluster model (in process)', () => {
  const clock = createFakeClock();
  const model = createClusterModel({ ...CLUSTER, initialKey: readContractKeys().current, clock });
  return {
    signer: createSimulatedClusterSigner(model),
    issuerUrl: ISSUER,
    now: () => clock.now(),
    advance: (seconds) => clock.advance(seconds),
    failNextCall: () => model.faults.failNextCalls(1, 'InternalError'),
  };
});

describeClusterSignerContract('OpenShift adapter over the HTTPS simulator', async () => {
  const clock = createFakeClock();
  const simulator = await startOpenShiftSimulator({
    ...CLUSTER,
    initialKey: readContractKeys().current,
    clock,
  });
  return {
    signer: createOpenShiftClusterSigner({ kubeconfig: { yaml: simulator.kubeconfig() } }),
    issuerUrl: ISSUER,
    now: () => clock.now(),
    advance: (seconds) => clock.advance(seconds),
    failNextCall: () => simulator.model.faults.failNextCalls(1, 'InternalError'),
    dispose: () => simulator.close(),
  };
});

describeClusterPlatformContract('simulated signer over the cluster model (in process)', (options) => {
  const clock = createFakeClock();
  const model = createClusterModel({ ...CLUSTER, ...options, initialKey: readContractKeys().current, clock });
  return { signer: createSimulatedClusterSigner(model), model, advance: (seconds) => clock.advance(seconds) };
});

describeClusterPlatformContract('OpenShift adapter over the HTTPS simulator', async (options) => {
  const clock = createFakeClock();
  const simulator = await startOpenShiftSimulator({
    ...CLUSTER,
    ...options,
    initialKey: readContractKeys().current,
    clock,
  });
  return {
    signer: createOpenShiftClusterSigner({ kubeconfig: { yaml: simulator.kubeconfig() } }),
    model: simulator.model,
    advance: (seconds) => clock.advance(seconds),
    dispose: () => simulator.close(),
  };
});
