import type { Clock } from '#shared/ports.ts';
import type { ClusterModel } from '../cluster-model.ts';
import type { ClusterObjects } from './cluster-objects.ts';
import {
  createFromRequest,
  deleteFromRequest,
  type ObjectTarget,
  patchFromRequest,
  replaceFromRequest,
  WRITABLE_RESOURCES,
} from './object-requests.ts';
import { getObject, listObjects } from './reads.ts';
import type { Route } from './routes.ts';
import { createSecret, deleteSecret, patchSecret, replaceSecret } from './secret-requests.ts';
import { ApiRequestError } from './status.ts';
import { answerTokenRequest } from './token-issue.ts';
import { readTokenRequestSpec } from './token-request.ts';

/** One API request, after authentication and routing. */
export interface ApiRequest {
  readonly method: string;
  readonly route: Exclude<Route, { type: 'document' }>;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly readBody: () => Promise<Buffer>;
}

/** What to answer: an HTTP status and a JSON body. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: object;
}

/** What the API handlers work on. */
export interface ApiContext {
  readonly model: ClusterModel;
  readonly objects: ClusterObjects;
  readonly clock: Clock;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Serves one resource request against the model: reads of every served resource, writes of secrets
 * (the model decides which secret may be written), of configmaps, namespaces and machineconfigs, and
 * TokenRequest. Errors are thrown for the caller to
 * answer as a Status.
 */
export async function handleApiRequest(context: ApiContext, request: ApiRequest): Promise<ApiAnswer> {
  const { model, objects } = context;
  const { method, route, query } = request;
  if (isWatch(query)) {
    throw notAllowed('watch is served on collections only');
  }
  if (WRITES.has(method) && query.has('dryRun')) {
    throw new ApiRequestError('ERR_SIM_BAD_REQUEST', 'the OpenShift simulator does not support dry run');
  }
  const write = async () => ({ contentType: request.contentType, body: await request.readBody() });

  if (route.type === 'token') {
    if (method !== 'POST') {
      throw notAllowed();
    }
    const spec = readTokenRequestSpec(request.contentType, await request.readBody());
    const now = context.clock.now();
    return { status: 201, body: await answerTokenRequest(model, objects, route, spec, now) };
  }
  const target = writeTarget(route);
  if (route.type === 'collection') {
    if (method === 'GET') {
      return { status: 200, body: listObjects(model, route.resource, route.namespace, query) };
    }
    if (method === 'POST' && route.resource === 'secrets' && route.namespace !== undefined) {
      return { status: 201, body: await createSecret(model, route.namespace, await write()) };
    }
    if (method === 'POST' && target !== undefined) {
      return { status: 201, body: createFromRequest(model, target, await write()) };
    }
    throw notAllowed();
  }
  const { resource, namespace, name } = route;
  if (method === 'GET') {
    return { status: 200, body: getObject(model, objects, resource, namespace, name) };
  }
  if (target !== undefined) {
    return { status: 200, body: writeObject(context, target, name, method, await write()) };
  }
  if (resource !== 'secrets' || namespace === undefined) {
    throw notAllowed();
  }
  switch (method) {
    case 'PUT':
      return { status: 200, body: await replaceSecret(model, namespace, name, await write()) };
    case 'PATCH':
      return { status: 200, body: await patchSecret(model, namespace, name, await write()) };
    case 'DELETE':
      return { status: 200, body: await deleteSecret(model, namespace, name) };
    default:
      throw notAllowed();
  }
}

/**
 * Where a write to a configmap, namespace or machineconfig route goes. A namespace object route names
 * the namespace itself (cluster-scoped), every other route carries its own namespace.
 */
function writeTarget(route: ApiRequest['route']): ObjectTarget | undefined {
  if (route.type === 'token') {
    return undefined;
  }
  const kind = WRITABLE_RESOURCES[route.resource];
  if (kind === undefined || (kind === 'ConfigMap' && route.namespace === undefined)) {
    return undefined;
  }
  return { kind, namespace: route.namespace };
}

function writeObject(
  context: ApiContext,
  target: ObjectTarget,
  name: string,
  method: string,
  request: { contentType: string | undefined; body: Buffer },
): object {
  switch (method) {
    case 'PUT':
      return replaceFromRequest(context.model, target, name, request);
    case 'PATCH':
      return patchFromRequest(context.model, target, name, request);
    case 'DELETE':
      return deleteFromRequest(context.model, target, name, request);
    default:
      throw notAllowed();
  }
}

/** `?watch=true` (or `1`): the simulator streams it for collections (see watch.ts). */
export function isWatch(query: URLSearchParams): boolean {
  return query.get('watch') === 'true' || query.get('watch') === '1';
}

function notAllowed(message = 'the server does not allow this method on the requested resource') {
  return new ApiRequestError('ERR_SIM_METHOD_NOT_ALLOWED', message);
}
