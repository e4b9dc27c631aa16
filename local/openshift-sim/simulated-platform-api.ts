import type { PlatformApi, WriteOutcome } from '#shared/adapters/openshift/cluster-platform.ts';
import { ROTATION_GUARD } from '#shared/adapters/openshift/rotation-guard.ts';
import type { ClusterModel } from './cluster-model.ts';
import { ClusterApiError, InjectedApiFailureError } from './errors.ts';
import type { ObjectBody } from './object-writes.ts';
import { APISERVER_CONFIG_NAME, APISERVER_NAMESPACE } from './objects.ts';
import { CLUSTER_VERSION_NAME } from './platform-objects.ts';

/**
 * The platform requests of a real adapter (GET, LIST, POST, PUT), made on an in-process model: each is
 * admitted through `model.faults` first, as the HTTP simulator admits each HTTP request, and a 409
 * (ERR_SIM_ALREADY_EXISTS, ERR_SIM_CONFLICT, or an injected `Conflict` on a write) answers `conflict`
 * as the API server's 409 does over HTTP.
 */
export function createSimulatedPlatformApi(model: ClusterModel): PlatformApi {
  const admit = (call: string) => model.faults.admitApiCall(call);
  const write = async (call: string, run: () => unknown): Promise<WriteOutcome> => {
    try {
      await admit(call);
      run();
      return 'written';
    } catch (error) {
      if (isConflict(error)) return 'conflict';
      throw error;
    }
  };
  const guard = { namespace: ROTATION_GUARD.namespace, name: ROTATION_GUARD.name };

  return {
    async listClusterOperators() {
      await admit('GET clusteroperators');
      return { items: model.list('ClusterOperator') };
    },
    async readApiServerConfig() {
      await admit(`GET configmaps/${APISERVER_CONFIG_NAME}`);
      return requireFound(
        model.get('ConfigMap', APISERVER_NAMESPACE, APISERVER_CONFIG_NAME),
        'configmaps',
        APISERVER_CONFIG_NAME,
      );
    },
    async readClusterVersion() {
      await admit(`GET clusterversions/${CLUSTER_VERSION_NAME}`);
      return requireFound(
        model.get('ClusterVersion', undefined, CLUSTER_VERSION_NAME),
        'clusterversions',
        CLUSTER_VERSION_NAME,
      );
    },
    async readMachineConfigPool(pool) {
      await admit(`GET machineconfigpools/${pool}`);
      return requireFound(model.get('MachineConfigPool', undefined, pool), 'machineconfigpools', pool);
    },
    async readMachineConfig(name) {
      await admit(`GET machineconfigs/${name}`);
      return model.get('MachineConfig', undefined, name);
    },
    createMachineConfig: (body) =>
      write(`POST machineconfigs/${body.metadata.name}`, () =>
        model.createObject('MachineConfig', undefined, body as ObjectBody),
      ),
    replaceMachineConfig: (body) =>
      write(`PUT machineconfigs/${body.metadata.name}`, () =>
        model.replaceObject('MachineConfig', undefined, body.metadata.name, body as ObjectBody),
      ),
    async listNodes() {
      await admit('GET nodes');
      return { items: model.list('Node') };
    },
    async readGuard() {
      await admit(`GET configmaps/${guard.name}`);
      return model.get('ConfigMap', guard.namespace, guard.name);
    },
    createGuard: (body) =>
      write(`POST configmaps/${guard.name}`, () =>
        model.createObject('ConfigMap', guard.namespace, body as unknown as ObjectBody),
      ),
    replaceGuard: (body) =>
      write(`PUT configmaps/${guard.name}`, () =>
        model.replaceObject('ConfigMap', guard.namespace, guard.name, body as unknown as ObjectBody),
      ),
  };
}

/** A GET of an object every OpenShift cluster has: 404 as kube-apiserver answers it when it is gone. */
function requireFound<T>(object: T | undefined, resource: string, name: string): T {
  if (object === undefined) {
    throw new ClusterApiError('ERR_SIM_NOT_FOUND', `${resource} "${name}" not found`);
  }
  return object;
}

/** What the HTTP simulator answers with 409. */
function isConflict(error: unknown): boolean {
  return (
    (error instanceof ClusterApiError &&
      (error.code === 'ERR_SIM_CONFLICT' || error.code === 'ERR_SIM_ALREADY_EXISTS')) ||
    (error instanceof InjectedApiFailureError && error.reason === 'Conflict')
  );
}
