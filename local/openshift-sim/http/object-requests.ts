import { isJsonObject } from '#shared/json.ts';
import type { ClusterModel } from '../cluster-model.ts';
import type { DeletePreconditions, ObjectBody, WritableKind } from '../object-writes.ts';
import type { KubeObject } from '../objects.ts';
import { applyJsonPatch, parseJsonPatch } from './json-patch.ts';
import { assertMediaType, JSON_CONTENT_TYPE, mediaTypeOf, parseJsonBody } from './request-body.ts';
import type { ResourceName } from './routes.ts';
import { PATCH_CONTENT_TYPES, type WriteRequest } from './secret-requests.ts';
import { ApiRequestError, deletedStatus, type KubernetesStatus } from './status.ts';

/** The resources clients may write besides secrets, and the model kind of each. */
export const WRITABLE_RESOURCES: Readonly<Partial<Record<ResourceName, WritableKind>>> = {
  configmaps: 'ConfigMap',
  namespaces: 'Namespace',
  machineconfigs: 'MachineConfig',
};

/** Where a write goes: the kind, and its namespace (undefined for cluster-scoped kinds). */
export interface ObjectTarget {
  readonly kind: WritableKind;
  readonly namespace: string | undefined;
}

/** POST an object into its collection. */
export function createFromRequest(
  model: ClusterModel,
  target: ObjectTarget,
  request: WriteRequest,
): KubeObject {
  return model.createObject(target.kind, target.namespace, readObjectBody(request, target));
}

/** PUT an object; `metadata.resourceVersion`, when sent, is a precondition. */
export function replaceFromRequest(
  model: ClusterModel,
  target: ObjectTarget,
  name: string,
  request: WriteRequest,
): KubeObject {
  return model.replaceObject(target.kind, target.namespace, name, readObjectBody(request, target));
}

/**
 * PATCH an object: a merge (or strategic merge) patch goes to the model as it is; a JSON Patch applies
 * to the object as it is now and is PUT with that object's resourceVersion, so nothing written in
 * between is lost.
 */
export function patchFromRequest(
  model: ClusterModel,
  target: ObjectTarget,
  name: string,
  request: WriteRequest,
): KubeObject {
  const { kind, namespace } = target;
  const mediaType = assertMediaType(request.contentType, Object.values(PATCH_CONTENT_TYPES));
  const document = parseJsonBody(request.body);
  if (mediaType !== PATCH_CONTENT_TYPES.json) {
    if (!isJsonObject(document)) {
      throw new ApiRequestError('ERR_SIM_BAD_REQUEST', 'a merge patch must be a JSON object');
    }
    return model.patchObject(kind, namespace, name, document);
  }
  const operations = parseJsonPatch(document);
  const current = model.get(kind, namespace, name);
  const patched = applyJsonPatch(current ?? {}, operations);
  if (!isJsonObject(patched)) {
    throw new ApiRequestError('ERR_SIM_PATCH_FAILED', 'the JSON Patch did not leave an object');
  }
  const metadata = isJsonObject(patched.metadata) ? patched.metadata : {};
  const resourceVersion =
    typeof metadata.resourceVersion === 'string'
      ? metadata.resourceVersion
      : current?.metadata.resourceVersion;
  return model.replaceObject(kind, namespace, name, {
    ...patched,
    metadata: { ...metadata, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
  } as ObjectBody);
}

/** DELETE an object, honouring DeleteOptions `preconditions` when the body carries them. */
export function deleteFromRequest(
  model: ClusterModel,
  target: ObjectTarget,
  name: string,
  request: WriteRequest,
): KubernetesStatus {
  const deleted = model.deleteObject(target.kind, target.namespace, name, readPreconditions(request));
  const resource = Object.entries(WRITABLE_RESOURCES).find(([, kind]) => kind === target.kind)?.[0];
  return deletedStatus({ name, kind: resource ?? target.kind, uid: deleted.metadata.uid });
}

function readPreconditions(request: WriteRequest): DeletePreconditions {
  if (request.body.length === 0 || mediaTypeOf(request.contentType) !== JSON_CONTENT_TYPE) {
    return {};
  }
  const options = parseJsonBody(request.body);
  const preconditions = isJsonObject(options) ? options.preconditions : undefined;
  if (!isJsonObject(preconditions)) {
    return {};
  }
  const { resourceVersion, uid } = preconditions;
  return {
    ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
    ...(typeof uid === 'string' ? { uid } : {}),
  };
}

function readObjectBody(request: WriteRequest, target: ObjectTarget): ObjectBody {
  assertMediaType(request.contentType, [JSON_CONTENT_TYPE]);
  const body = parseJsonBody(request.body);
  if (!isJsonObject(body) || (body.kind !== undefined && body.kind !== target.kind)) {
    throw new ApiRequestError('ERR_SIM_BAD_REQUEST', `the body must be a ${target.kind} object`);
  }
  const metadata = body.metadata ?? {};
  if (!isJsonObject(metadata)) {
    throw new ApiRequestError('ERR_SIM_BAD_REQUEST', 'metadata must be an object');
  }
  if (metadata.namespace !== undefined && metadata.namespace !== target.namespace) {
    throw new ApiRequestError(
      'ERR_SIM_BAD_REQUEST',
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  return body as ObjectBody;
}
