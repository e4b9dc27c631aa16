import {
  API_GROUPS,
  apiGroup,
  apiGroupList,
  apiResourceList,
  CORE_RESOURCES,
  coreApiVersions,
  SERVER_VERSION,
} from './discovery.ts';
import { ApiRequestError } from './status.ts';

/** A resource path the simulator serves objects under. */
export type ResourceName =
  | 'clusteroperators'
  | 'clusterversions'
  | 'configmaps'
  | 'kubeapiservers'
  | 'machineconfigpools'
  | 'machineconfigs'
  | 'namespaces'
  | 'nodes'
  | 'pods'
  | 'secrets'
  | 'serviceaccounts';

/** What a request path names. */
export type Route =
  /** A fixed document: /version and the discovery documents. Not subject to injected faults. */
  | { readonly type: 'document'; readonly body: object }
  /** A collection (LIST, POST); `namespace` undefined lists across namespaces or a cluster-scoped kind. */
  | { readonly type: 'collection'; readonly resource: ResourceName; readonly namespace?: string }
  /** One object (GET, PUT, PATCH, DELETE). */
  | {
      readonly type: 'object';
      readonly resource: ResourceName;
      readonly namespace?: string;
      readonly name: string;
    }
  /** TokenRequest: POST /api/v1/namespaces/NS/serviceaccounts/NAME/token. */
  | { readonly type: 'token'; readonly namespace: string; readonly serviceAccount: string };

const NAMESPACED: ReadonlySet<string> = new Set(['configmaps', 'pods', 'secrets', 'serviceaccounts']);

/**
 * Maps a URL path to a route, as kube-apiserver's mux does for the few resources the simulator serves.
 * Throws ERR_SIM_NO_ROUTE (404 "the server could not find the requested resource") for anything else.
 * `serverAddress` is `host:port`, for `/api`'s serverAddressByClientCIDRs.
 */
export function routeOf(pathname: string, serverAddress: string): Route {
  const segments = splitPath(pathname);
  const [root, ...rest] = segments;
  const joined = segments.join('/');
  const documents: Record<string, () => object> = {
    version: () => SERVER_VERSION,
    api: () => coreApiVersions(serverAddress),
    'api/v1': () => apiResourceList('v1', CORE_RESOURCES),
    apis: () => apiGroupList(),
  };
  for (const [group, resources] of Object.entries(API_GROUPS)) {
    documents[`apis/${group}`] = () => apiGroup(group);
    documents[`apis/${group}/v1`] = () => apiResourceList(`${group}/v1`, resources);
  }
  const document = Object.hasOwn(documents, joined) ? documents[joined] : undefined;
  if (document !== undefined) {
    return { type: 'document', body: document() };
  }
  const route =
    root === 'api' && rest[0] === 'v1'
      ? coreRoute(rest.slice(1))
      : root === 'apis' && rest[1] === 'v1' && Object.hasOwn(API_GROUPS, rest[0] ?? '')
        ? groupRoute(API_GROUPS[rest[0] ?? ''] ?? [], rest.slice(2))
        : undefined;
  if (route === undefined) {
    throw new ApiRequestError('ERR_SIM_NO_ROUTE', 'the server could not find the requested resource');
  }
  return route;
}

function coreRoute(path: readonly string[]): Route | undefined {
  const [first, namespace, resource, name, subresource, ...extra] = path;
  if (first === undefined || extra.length > 0) {
    return undefined;
  }
  if (first === 'nodes') {
    return path.length > 2 ? undefined : clusterScoped('nodes', namespace);
  }
  if (first !== 'namespaces') {
    return NAMESPACED.has(first) && path.length === 1
      ? { type: 'collection', resource: first as ResourceName }
      : undefined;
  }
  if (namespace === undefined) {
    return { type: 'collection', resource: 'namespaces' };
  }
  if (resource === undefined) {
    return { type: 'object', resource: 'namespaces', name: namespace };
  }
  if (!NAMESPACED.has(resource)) {
    return undefined;
  }
  if (name === undefined) {
    return { type: 'collection', resource: resource as ResourceName, namespace };
  }
  if (subresource === undefined) {
    return { type: 'object', resource: resource as ResourceName, namespace, name };
  }
  return resource === 'serviceaccounts' && subresource === 'token'
    ? { type: 'token', namespace, serviceAccount: name }
    : undefined;
}

/** A cluster-scoped resource of an API group (`/apis/GROUP/v1/RESOURCE[/NAME]`). */
function groupRoute(
  resources: readonly { readonly name: string }[],
  path: readonly string[],
): Route | undefined {
  const [resource, name, ...extra] = path;
  if (resource === undefined || extra.length > 0 || !resources.some((served) => served.name === resource)) {
    return undefined;
  }
  return clusterScoped(resource as ResourceName, name);
}

function clusterScoped(resource: ResourceName, name: string | undefined): Route {
  return name === undefined ? { type: 'collection', resource } : { type: 'object', resource, name };
}

/** Path segments, percent-decoded; empty segments (a trailing slash) are dropped. */
function splitPath(pathname: string): string[] {
  try {
    return pathname
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    throw new ApiRequestError('ERR_SIM_BAD_REQUEST', 'the request path is not valid percent-encoding');
  }
}
