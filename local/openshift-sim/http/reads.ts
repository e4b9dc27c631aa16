import type { ClusterModel } from '../cluster-model.ts';
import { ClusterApiError } from '../errors.ts';
import type { KubeObject, ObjectKind } from '../objects.ts';
import type { ClusterObjects } from './cluster-objects.ts';
import type { ResourceName } from './routes.ts';
import { ApiRequestError } from './status.ts';

/** The model kind stored under each resource path; service accounts are synthesized. */
export const MODEL_KINDS: Readonly<Partial<Record<ResourceName, ObjectKind>>> = {
  clusteroperators: 'ClusterOperator',
  clusterversions: 'ClusterVersion',
  configmaps: 'ConfigMap',
  kubeapiservers: 'KubeAPIServer',
  machineconfigpools: 'MachineConfigPool',
  machineconfigs: 'MachineConfig',
  namespaces: 'Namespace',
  nodes: 'Node',
  pods: 'Pod',
  secrets: 'Secret',
};

/** The apiVersion of each kind's list. */
const LIST_API_VERSIONS: Readonly<Partial<Record<ObjectKind, string>>> = {
  ClusterOperator: 'config.openshift.io/v1',
  ClusterVersion: 'config.openshift.io/v1',
  KubeAPIServer: 'operator.openshift.io/v1',
  MachineConfig: 'machineconfiguration.openshift.io/v1',
  MachineConfigPool: 'machineconfiguration.openshift.io/v1',
};

/** GET one object; ERR_SIM_NOT_FOUND (`secrets "x" not found`) when there is none. */
export function getObject(
  model: ClusterModel,
  objects: ClusterObjects,
  resource: ResourceName,
  namespace: string | undefined,
  name: string,
): object {
  const kind = MODEL_KINDS[resource];
  const found =
    kind !== undefined ? model.get(kind, namespace, name) : objects.serviceAccount(namespace ?? '', name);
  if (found === undefined) {
    throw new ClusterApiError('ERR_SIM_NOT_FOUND', `${resource} "${name}" not found`);
  }
  return found;
}

/**
 * LIST a collection as `<Kind>List`, filtered by equality label selectors (`app=x,revision=3`) and the
 * `metadata.name` / `metadata.namespace` field selectors older kubectl uses; other selectors are refused.
 */
export function listObjects(
  model: ClusterModel,
  resource: ResourceName,
  namespace: string | undefined,
  query: URLSearchParams,
): object {
  const labels = parseSelector(query.get('labelSelector'), 'labelSelector');
  const fields = parseSelector(query.get('fieldSelector'), 'fieldSelector');
  const kind = MODEL_KINDS[resource];
  if (kind === undefined) {
    throw new ApiRequestError(
      'ERR_SIM_METHOD_NOT_ALLOWED',
      'the server does not allow this method on the requested resource',
    );
  }
  const items = (model.list(kind, namespace) as KubeObject[])
    .filter((item) => Object.entries(labels).every(([key, value]) => item.metadata.labels?.[key] === value))
    .filter((item) => Object.entries(fields).every(([key, value]) => fieldOf(item, key) === value));
  return {
    apiVersion: LIST_API_VERSIONS[kind] ?? 'v1',
    kind: `${kind}List`,
    metadata: { resourceVersion: model.resourceVersion },
    items,
  };
}

function fieldOf(item: KubeObject, field: string): string | undefined {
  if (field === 'metadata.name') {
    return item.metadata.name;
  }
  if (field === 'metadata.namespace') {
    return item.metadata.namespace ?? '';
  }
  throw new ApiRequestError(
    'ERR_SIM_BAD_REQUEST',
    `field selector "${field}" is not supported: the simulator selects by metadata.name and metadata.namespace only`,
  );
}

/** `a=b,c==d` → {a: b, c: d}; set-based and inequality selectors are refused. */
function parseSelector(selector: string | null, parameter: string): Record<string, string> {
  const terms = (selector ?? '').split(',').filter((term) => term.trim() !== '');
  return Object.fromEntries(
    terms.map((term) => {
      const match = /^\s*([^=!\s]+)\s*==?\s*([^=!\s]*)\s*$/.exec(term);
      if (match === null) {
        throw new ApiRequestError(
          'ERR_SIM_BAD_REQUEST',
          `${parameter} "${term}" is not supported: the simulator understands equality terms (key=value) only`,
        );
      }
      return [match[1] ?? '', match[2] ?? ''];
    }),
  );
}
