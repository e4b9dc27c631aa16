import { isJsonObject } from '#shared/json.ts';
import type { ClusterState } from './cluster-state.ts';
import { ClusterApiError } from './errors.ts';
import { renderPools, startNextUpdates } from './machine-config.ts';
import { assertWritable, RESOURCE_OF, toWritableObject, type WritableObject } from './object-validation.ts';
import type { KubeObject, ObjectKinds, Unstamped } from './objects.ts';
import { applyMergePatch } from './secret-writes.ts';

/** The kinds clients may create, replace, patch and delete (besides the next secret). */
export type WritableKind = 'ConfigMap' | 'Namespace' | 'MachineConfig';

/** An object as a client sends it (JSON, already parsed): metadata plus the kind's own fields. */
export interface ObjectBody {
  readonly metadata?: {
    readonly name?: string;
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** DeleteOptions.preconditions: the delete happens only if the object is still at these. */
export interface DeletePreconditions {
  readonly resourceVersion?: string;
  readonly uid?: string;
}

/** POST: ERR_SIM_ALREADY_EXISTS if the name is taken, ERR_SIM_NOT_FOUND if the namespace is not there. */
export function createObject(
  state: ClusterState,
  kind: WritableKind,
  namespace: string | undefined,
  body: ObjectBody,
  at: Date,
): KubeObject {
  const name = body.metadata?.name ?? '';
  const object = toWritableObject(state, kind, namespace, name, body);
  if (state.store.get(kind, namespace, name) !== undefined) {
    throw new ClusterApiError('ERR_SIM_ALREADY_EXISTS', `${RESOURCE_OF[kind]} "${name}" already exists`);
  }
  return write(state, object, at);
}

/** PUT: replaces the object; `metadata.resourceVersion`, when sent, must be current (ERR_SIM_CONFLICT). */
export function replaceObject(
  state: ClusterState,
  kind: WritableKind,
  namespace: string | undefined,
  name: string,
  body: ObjectBody,
  at: Date,
): KubeObject {
  if (body.metadata?.name !== undefined && body.metadata.name !== name) {
    throw new ClusterApiError(
      'ERR_SIM_INVALID',
      `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  requireObject(state, kind, namespace, name);
  return write(
    state,
    toWritableObject(state, kind, namespace, name, body),
    at,
    body.metadata?.resourceVersion,
  );
}

/** PATCH with a JSON merge patch (RFC 7386) over the stored object, then validated as a PUT. */
export function patchObject(
  state: ClusterState,
  kind: WritableKind,
  namespace: string | undefined,
  name: string,
  patch: Readonly<Record<string, unknown>>,
  at: Date,
): KubeObject {
  const existing = requireObject(state, kind, namespace, name);
  const merged = applyMergePatch(existing, patch) as ObjectBody;
  const expected = isJsonObject(patch.metadata) ? patch.metadata.resourceVersion : undefined;
  const body = { ...merged, metadata: { ...merged.metadata, name } };
  return write(
    state,
    toWritableObject(state, kind, namespace, name, body),
    at,
    expected as string | undefined,
  );
}

/** DELETE: removes the object (a namespace with its configmaps) once its preconditions hold. */
export function deleteObject(
  state: ClusterState,
  kind: WritableKind,
  namespace: string | undefined,
  name: string,
  preconditions: DeletePreconditions,
  at: Date,
): KubeObject {
  assertWritable(kind, namespace, name, 'delete');
  const existing = requireObject(state, kind, namespace, name);
  const { resourceVersion, uid } = preconditions;
  if (
    (resourceVersion !== undefined && resourceVersion !== existing.metadata.resourceVersion) ||
    (uid !== undefined && uid !== existing.metadata.uid)
  ) {
    throw new ClusterApiError(
      'ERR_SIM_CONFLICT',
      `Operation cannot be fulfilled on ${RESOURCE_OF[kind]} "${name}": the precondition ` +
        `(${resourceVersion === undefined ? `uid ${uid}` : `resourceVersion ${resourceVersion}`}) does not match the object`,
    );
  }
  if (kind === 'Namespace') {
    for (const configMap of state.store.list('ConfigMap', name)) {
      state.store.remove('ConfigMap', name, configMap.metadata.name);
    }
  }
  const deleted = state.store.remove(kind, namespace, name) as KubeObject;
  react(state, kind, at);
  return deleted;
}

function write(state: ClusterState, object: WritableObject, at: Date, expected?: string): KubeObject {
  const stored = state.store.put(object as Unstamped<KubeObject>, at, expected);
  react(state, object.kind, at);
  return stored;
}

/** A MachineConfig write makes the render controller re-render, which may start node updates. */
function react(state: ClusterState, kind: WritableKind, at: Date): void {
  if (kind === 'MachineConfig') {
    renderPools(state, at);
    startNextUpdates(state, at);
  }
}

function requireObject<K extends WritableKind>(
  state: ClusterState,
  kind: K,
  namespace: string | undefined,
  name: string,
): ObjectKinds[K] {
  const existing = state.store.get(kind, namespace, name);
  if (existing === undefined) {
    throw new ClusterApiError('ERR_SIM_NOT_FOUND', `${RESOURCE_OF[kind]} "${name}" not found`);
  }
  return existing;
}
