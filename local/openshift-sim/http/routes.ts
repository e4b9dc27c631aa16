import {
  apiGroupList,
  apiResourceList,
  CORE_RESOURCES,
  coreApiVersions,
  OPERATOR_GROUP,
  OPERATOR_GROUP_VERSION,
  OPERATOR_RESOURCES,
  operatorApiGroup,
  SERVER_VERSION,
} from './discovery.ts';
import { ApiRequestError } from './status.ts';

/** A resource path the simulator serves objects under. */
export type ResourceName =
  | 'configmaps'
  | 'kubeapiservers'
  | 'namespaces'
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
    [`apis/${OPERATOR_GROUP}`]: () => operatorApiGroup(),
    [`apis/${OPERATOR_GROUP_VERSION}`]: () => apiResourceList(OPERATOR_GROUP_VERSION, OPERATOR_RESOURCES),
  };
  const document = Object.hasOwn(documents, joined) ? documents[joined] : undefined;
  if (document !== undefined) {
    return { type: 'document', body: document() };
  }
  const route =
    root === 'api' && rest[0] === 'v1'
      ? coreRoute(rest.slice(1))
      : root === 'apis' && `${rest[0]}/${rest[1]}` === OPERATOR_GROUP_VERSION
        ? operatorRoute(rest.slice(2))
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

function operatorRoute(path: readonly string[]): Route | undefined {
  const [resource, name, ...extra] = path;
  if (resource !== 'kubeapiservers' || extra.length > 0) {
    return undefined;
  }
  return name === undefined
    ? { type: 'collection', resource: 'kubeapiservers' }
    : { type: 'object', resource: 'kubeapiservers', name };
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
