import { isJsonObject } from '#shared/json.ts';
import type { ClusterModel } from '../cluster-model.ts';
import { ClusterApiError } from '../errors.ts';
import type { Secret } from '../objects.ts';
import type { SecretBody } from '../secret-writes.ts';
import { applyJsonPatch, parseJsonPatch } from './json-patch.ts';
import { assertMediaType, JSON_CONTENT_TYPE, parseJsonBody } from './request-body.ts';
import { ApiRequestError, deletedStatus, type KubernetesStatus } from './status.ts';

/** The PATCH content types, by what they are. */
export const PATCH_CONTENT_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

/** A write's request: the body and its content type. */
export interface WriteRequest {
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

/** POST a Secret into `namespace` (the model lets only the next secret be written). */
export function createSecret(model: ClusterModel, namespace: string, request: WriteRequest): Promise<Secret> {
  const body = readSecretBody(request, namespace);
  return model.createSecret(namespace, body);
}

/** PUT a Secret; `metadata.resourceVersion`, when sent, is a precondition. */
export function replaceSecret(
  model: ClusterModel,
  namespace: string,
  name: string,
  request: WriteRequest,
): Promise<Secret> {
  return model.replaceSecret(namespace, name, readSecretBody(request, namespace));
}

/**
 * PATCH a Secret. A merge patch (and a strategic merge patch, which for a Secret's string maps means the
 * same) goes to the model as it is. A JSON Patch (RFC 6902) applies to the object as it is now, and the
 * result is PUT with that object's resourceVersion (or the one the patch itself set), so nothing written
 * in between is lost.
 */
export function patchSecret(
  model: ClusterModel,
  namespace: string,
  name: string,
  request: WriteRequest,
): Promise<Secret> {
  const mediaType = assertMediaType(request.contentType, Object.values(PATCH_CONTENT_TYPES));
  const document = parseJsonBody(request.body);
  if (mediaType !== PATCH_CONTENT_TYPES.json) {
    if (!isJsonObject(document)) {
      throw new ApiRequestError('ERR_SIM_BAD_REQUEST', 'a merge patch must be a JSON object');
    }
    return model.patchSecret(namespace, name, document);
  }
  const operations = parseJsonPatch(document);
  const current = model.get('Secret', namespace, name);
  if (current === undefined) {
    throw new ClusterApiError('ERR_SIM_NOT_FOUND', `secrets "${name}" not found`);
  }
  const patched = applyJsonPatch(current, operations);
  if (!isJsonObject(patched)) {
    throw new ApiRequestError('ERR_SIM_PATCH_FAILED', 'the JSON Patch did not leave an object');
  }
  const metadata = isJsonObject(patched.metadata) ? patched.metadata : {};
  const resourceVersion =
    typeof metadata.resourceVersion === 'string'
      ? metadata.resourceVersion
      : current.metadata.resourceVersion;
  return model.replaceSecret(namespace, name, {
    ...(patched as SecretBody),
    metadata: { ...metadata, resourceVersion },
  });
}

/** DELETE a Secret; answers the Status kube-apiserver gives, with the uid kubectl waits on. */
export async function deleteSecret(
  model: ClusterModel,
  namespace: string,
  name: string,
): Promise<KubernetesStatus> {
  const deleted = await model.deleteSecret(namespace, name);
  return deletedStatus({ name, kind: 'secrets', uid: deleted.metadata.uid });
}

function readSecretBody(request: WriteRequest, namespace: string): SecretBody {
  assertMediaType(request.contentType, [JSON_CONTENT_TYPE]);
  const body = parseJsonBody(request.body);
  if (!isJsonObject(body) || (body.kind !== undefined && body.kind !== 'Secret')) {
    throw new ApiRequestError('ERR_SIM_BAD_REQUEST', 'the body must be a Secret object');
  }
  const metadata = body.metadata ?? {};
  if (!isJsonObject(metadata)) {
    throw new ApiRequestError('ERR_SIM_BAD_REQUEST', 'metadata must be an object');
  }
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
    throw new ApiRequestError(
      'ERR_SIM_BAD_REQUEST',
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  return body as SecretBody;
}
