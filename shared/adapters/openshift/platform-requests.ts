import { isJsonObject } from '../../json.ts';
import { ClusterAnswerError } from '../../port-errors.ts';
import {
  APISERVER_CONFIG_NAME,
  APISERVER_NAMESPACE,
  CLUSTER_OPERATOR_RESOURCE,
  CLUSTER_VERSION_RESOURCE,
  MACHINE_CONFIG_GROUP,
} from './names.ts';
import { encodeGuardState, ROTATION_GUARD, type RotationGuardState } from './rotation-guard.ts';

/** The platform objects as error messages name them. */
export const PLATFORM_RESOURCES = {
  clusterOperators: `${CLUSTER_OPERATOR_RESOURCE.plural}.${CLUSTER_OPERATOR_RESOURCE.group}`,
  clusterVersion: `${CLUSTER_VERSION_RESOURCE.plural}.${CLUSTER_VERSION_RESOURCE.group} ${CLUSTER_VERSION_RESOURCE.name}`,
  apiServerConfig: `configmaps ${APISERVER_NAMESPACE}/${APISERVER_CONFIG_NAME}`,
  guard: `configmaps ${ROTATION_GUARD.namespace}/${ROTATION_GUARD.name}`,
  nodes: 'nodes',
  machineConfigPool: (pool: string) => `machineconfigpools.${MACHINE_CONFIG_GROUP.group} ${pool}`,
  machineConfig: (name: string) => `machineconfigs.${MACHINE_CONFIG_GROUP.group} ${name}`,
} as const;

/** The guard ConfigMap as keyturn writes it. */
export interface GuardConfigMapBody {
  readonly apiVersion: 'v1';
  readonly kind: 'ConfigMap';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly data: { readonly [ROTATION_GUARD.dataKey]: string };
}

/**
 * The guard ConfigMap carrying `state`. A new one gets ccoctl's label; an update keeps the `current`
 * object's labels and annotations and sends its resourceVersion, as ccoctl's Update of `current.DeepCopy()`
 * does (optimistic concurrency: a writer in between makes it a 409).
 */
export function guardConfigMapBody(state: RotationGuardState, current?: unknown): GuardConfigMapBody {
  const data = { [ROTATION_GUARD.dataKey]: encodeGuardState(state) };
  const base = { apiVersion: 'v1', kind: 'ConfigMap', data } as const;
  if (current === undefined) {
    return {
      ...base,
      metadata: {
        name: ROTATION_GUARD.name,
        namespace: ROTATION_GUARD.namespace,
        labels: { ...ROTATION_GUARD.labels },
      },
    };
  }
  const metadata = isJsonObject(current) && isJsonObject(current.metadata) ? current.metadata : {};
  const { resourceVersion, labels, annotations } = metadata;
  if (typeof resourceVersion !== 'string' || resourceVersion === '') {
    throw new ClusterAnswerError(`${PLATFORM_RESOURCES.guard} came back without metadata.resourceVersion`);
  }
  return {
    ...base,
    metadata: {
      name: ROTATION_GUARD.name,
      namespace: ROTATION_GUARD.namespace,
      resourceVersion,
      ...(isJsonObject(labels) ? { labels: labels as Record<string, string> } : {}),
      ...(isJsonObject(annotations) ? { annotations: annotations as Record<string, string> } : {}),
    },
  };
}
