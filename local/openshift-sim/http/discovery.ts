/** The API group of the OpenShift operator resources. */
const OPERATOR_GROUP = 'operator.openshift.io';

/** One resource the simulator serves, as its APIResourceList entry describes it. */
export interface ServedResource {
  /** Plural name in paths (`secrets`), or `parent/subresource`. */
  readonly name: string;
  readonly singularName: string;
  readonly namespaced: boolean;
  readonly kind: string;
  readonly verbs: readonly string[];
  readonly shortNames?: readonly string[];
  /** For subresources of another group's kind (`serviceaccounts/token` is authentication.k8s.io). */
  readonly group?: string;
  readonly version?: string;
}

/** The core/v1 resources served, and what each can do here. */
export const CORE_RESOURCES: readonly ServedResource[] = [
  {
    name: 'configmaps',
    singularName: 'configmap',
    namespaced: true,
    kind: 'ConfigMap',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
    shortNames: ['cm'],
  },
  {
    name: 'namespaces',
    singularName: 'namespace',
    namespaced: false,
    kind: 'Namespace',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
    shortNames: ['ns'],
  },
  {
    name: 'nodes',
    singularName: 'node',
    namespaced: false,
    kind: 'Node',
    verbs: ['get', 'list'],
    shortNames: ['no'],
  },
  {
    name: 'pods',
    singularName: 'pod',
    namespaced: true,
    kind: 'Pod',
    verbs: ['get', 'list'],
    shortNames: ['po'],
  },
  {
    name: 'secrets',
    singularName: 'secret',
    namespaced: true,
    kind: 'Secret',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
  },
  {
    name: 'serviceaccounts',
    singularName: 'serviceaccount',
    namespaced: true,
    kind: 'ServiceAccount',
    verbs: ['get'],
    shortNames: ['sa'],
  },
  {
    name: 'serviceaccounts/token',
    singularName: '',
    namespaced: true,
    kind: 'TokenRequest',
    verbs: ['create'],
    group: 'authentication.k8s.io',
    version: 'v1',
  },
];

/** The operator.openshift.io/v1 resources served. */
export const OPERATOR_RESOURCES: readonly ServedResource[] = [
  {
    name: 'kubeapiservers',
    singularName: 'kubeapiserver',
    namespaced: false,
    kind: 'KubeAPIServer',
    verbs: ['get', 'list'],
  },
];

/** The config.openshift.io/v1 resources served. */
export const CONFIG_RESOURCES: readonly ServedResource[] = [
  {
    name: 'clusteroperators',
    singularName: 'clusteroperator',
    namespaced: false,
    kind: 'ClusterOperator',
    verbs: ['get', 'list'],
    shortNames: ['co'],
  },
  {
    name: 'clusterversions',
    singularName: 'clusterversion',
    namespaced: false,
    kind: 'ClusterVersion',
    verbs: ['get', 'list'],
  },
];

/** The machineconfiguration.openshift.io/v1 resources served. */
export const MACHINE_CONFIG_RESOURCES: readonly ServedResource[] = [
  {
    name: 'machineconfigpools',
    singularName: 'machineconfigpool',
    namespaced: false,
    kind: 'MachineConfigPool',
    verbs: ['get', 'list'],
    shortNames: ['mcp'],
  },
  {
    name: 'machineconfigs',
    singularName: 'machineconfig',
    namespaced: false,
    kind: 'MachineConfig',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
    shortNames: ['mc'],
  },
];

/** Every API group served besides the core group, by name, with its one version's resources. */
export const API_GROUPS: Readonly<Record<string, readonly ServedResource[]>> = {
  [OPERATOR_GROUP]: OPERATOR_RESOURCES,
  'config.openshift.io': CONFIG_RESOURCES,
  'machineconfiguration.openshift.io': MACHINE_CONFIG_RESOURCES,
};

/**
 * `/version`: a Kubernetes 1.32 server, as OpenShift 4.19 reports. The machine's kubectl dispatcher picks
 * its bundled kubectl by this minor version.
 */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.5',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-05-01T00:00:00Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

/** `/api`: the legacy core group's versions. */
export function coreApiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    apiVersion: 'v1',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** `/apis/<group>`: one group, served at v1. */
export function apiGroup(name: string = OPERATOR_GROUP) {
  const version = { groupVersion: `${name}/v1`, version: 'v1' };
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: [version], preferredVersion: version };
}

/**
 * `/apis`: only the groups whose resource lists are served, since a client fetches every listed group
 * version and reports any it cannot get as a discovery failure.
 */
export function apiGroupList() {
  const groups = Object.keys(API_GROUPS).map((name) => {
    const { kind: _kind, apiVersion: _apiVersion, ...group } = apiGroup(name);
    return group;
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** An APIResourceList (`/api/v1`, `/apis/operator.openshift.io/v1`). */
export function apiResourceList(groupVersion: string, resources: readonly ServedResource[]) {
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}
