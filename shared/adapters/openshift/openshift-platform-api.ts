import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { type ApiCall, ClusterApiCallError } from '../../port-errors.ts';
import { callApi } from './api-call.ts';
import type { PlatformApi, WriteOutcome } from './cluster-platform.ts';
import {
  APISERVER_CONFIG_NAME,
  APISERVER_NAMESPACE,
  CLUSTER_OPERATOR_RESOURCE,
  CLUSTER_VERSION_RESOURCE,
  MACHINE_CONFIG_GROUP,
} from './names.ts';
import { PLATFORM_RESOURCES } from './platform-requests.ts';
import { createRequestOptions } from './request-options.ts';
import { ROTATION_GUARD } from './rotation-guard.ts';

const NOT_OPENSHIFT = 'it does not exist; is this an OpenShift 4 cluster?';
/** Writes are recorded in managedFields under this manager, as oc records `reboot-machine-config-pool`. */
const FIELD_MANAGER = 'keyturn';

/**
 * The platform requests (ports.ts ClusterPlatform) over client-node 2's object-parameter API, each with
 * the adapter's deadline; every failure is a ClusterApiCallError, except the 404s and 409s that
 * {@link PlatformApi} answers as undefined and `conflict`. The RBAC they need is docs/openshift-rbac.yaml.
 */
export function createOpenShiftPlatformApi(config: KubeConfig, timeoutMs: number): PlatformApi {
  const core = config.makeApiClient(CoreV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const { plain } = createRequestOptions(timeoutMs);
  const machineConfigs = { ...MACHINE_CONFIG_GROUP, plural: 'machineconfigs' };
  const guard = { name: ROTATION_GUARD.name, namespace: ROTATION_GUARD.namespace };

  return {
    listClusterOperators: () =>
      callApi(
        { method: 'GET', resource: PLATFORM_RESOURCES.clusterOperators },
        () => custom.listClusterCustomObject({ ...CLUSTER_OPERATOR_RESOURCE }, plain),
        { ERR_CLUSTER_NOT_FOUND: NOT_OPENSHIFT },
      ),

    readApiServerConfig: () =>
      callApi(
        { method: 'GET', resource: PLATFORM_RESOURCES.apiServerConfig },
        () =>
          core.readNamespacedConfigMap(
            { name: APISERVER_CONFIG_NAME, namespace: APISERVER_NAMESPACE },
            plain,
          ),
        { ERR_CLUSTER_NOT_FOUND: NOT_OPENSHIFT },
      ),

    readClusterVersion: () =>
      callApi(
        { method: 'GET', resource: PLATFORM_RESOURCES.clusterVersion },
        () => custom.getClusterCustomObject({ ...CLUSTER_VERSION_RESOURCE }, plain),
        { ERR_CLUSTER_NOT_FOUND: NOT_OPENSHIFT },
      ),

    readMachineConfigPool: (pool) =>
      callApi(
        { method: 'GET', resource: PLATFORM_RESOURCES.machineConfigPool(pool) },
        () =>
          custom.getClusterCustomObject(
            { ...MACHINE_CONFIG_GROUP, plural: 'machineconfigpools', name: pool },
            plain,
          ),
        { ERR_CLUSTER_NOT_FOUND: NOT_OPENSHIFT },
      ),

    readMachineConfig: (name) =>
      readOrUndefined({ method: 'GET', resource: PLATFORM_RESOURCES.machineConfig(name) }, () =>
        custom.getClusterCustomObject({ ...machineConfigs, name }, plain),
      ),

    createMachineConfig: (body) =>
      writeOrConflict(
        { method: 'POST', resource: PLATFORM_RESOURCES.machineConfig(body.metadata.name) },
        () =>
          custom.createClusterCustomObject({ ...machineConfigs, body, fieldManager: FIELD_MANAGER }, plain),
      ),

    replaceMachineConfig: (body) =>
      writeOrConflict({ method: 'PUT', resource: PLATFORM_RESOURCES.machineConfig(body.metadata.name) }, () =>
        custom.replaceClusterCustomObject(
          { ...machineConfigs, name: body.metadata.name, body, fieldManager: FIELD_MANAGER },
          plain,
        ),
      ),

    listNodes: () =>
      callApi({ method: 'GET', resource: PLATFORM_RESOURCES.nodes }, () => core.listNode({}, plain)),

    readGuard: () =>
      readOrUndefined({ method: 'GET', resource: PLATFORM_RESOURCES.guard }, () =>
        core.readNamespacedConfigMap(guard, plain),
      ),

    createGuard: (body) =>
      writeOrConflict(
        { method: 'POST', resource: PLATFORM_RESOURCES.guard },
        () =>
          core.createNamespacedConfigMap(
            { namespace: guard.namespace, body, fieldManager: FIELD_MANAGER },
            plain,
          ),
        {
          ERR_CLUSTER_NOT_FOUND: `namespace ${guard.namespace} does not exist; is this an OpenShift 4 cluster?`,
        },
      ),

    replaceGuard: (body) =>
      writeOrConflict({ method: 'PUT', resource: PLATFORM_RESOURCES.guard }, () =>
        core.replaceNamespacedConfigMap({ ...guard, body, fieldManager: FIELD_MANAGER }, plain),
      ),
  };
}

/** A GET whose 404 means "there is none". */
async function readOrUndefined(call: ApiCall, run: () => Promise<unknown>): Promise<unknown> {
  try {
    return await callApi(call, run);
  } catch (error) {
    if (error instanceof ClusterApiCallError && error.code === 'ERR_CLUSTER_NOT_FOUND') return undefined;
    throw error;
  }
}

/** A write whose 409 (AlreadyExists, Conflict) is for the caller to re-read and decide again. */
async function writeOrConflict(
  call: ApiCall,
  run: () => Promise<unknown>,
  hints: Parameters<typeof callApi>[2] = {},
): Promise<WriteOutcome> {
  try {
    await callApi(call, run, hints);
    return 'written';
  } catch (error) {
    if (error instanceof ClusterApiCallError && error.code === 'ERR_CLUSTER_CONFLICT') return 'conflict';
    throw error;
  }
}
