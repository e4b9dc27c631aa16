import { isJsonObject } from '#shared/json.ts';
import type { ClusterState } from './cluster-state.ts';
import { ClusterApiError } from './errors.ts';
import { NEXT_SECRET_NAME, OPERATOR_NAMESPACE, type Secret, type Unstamped } from './objects.ts';
import { settle } from './operator.ts';
import { assertSecretData, assertSigningPairData, toBase64 } from './secret-data.ts';

/** A Secret as a client sends it: `data` base64, `stringData` plain text merged into `data` on write. */
export interface SecretBody {
  readonly metadata?: {
    readonly name?: string;
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly type?: string;
  readonly data?: Readonly<Record<string, string>>;
  readonly stringData?: Readonly<Record<string, string>>;
}

/** POST: creates the next secret; ERR_SIM_ALREADY_EXISTS if it exists. */
export function createSecret(state: ClusterState, namespace: string, body: SecretBody, at: Date): Secret {
  const name = body.metadata?.name ?? '';
  assertWritable(namespace, name);
  if (state.store.get('Secret', namespace, name) !== undefined) {
    throw new ClusterApiError('ERR_SIM_ALREADY_EXISTS', `secrets "${name}" already exists`);
  }
  return write(state, toSecret(namespace, name, body), at);
}

/** PUT: replaces the next secret; honours `metadata.resourceVersion` as a precondition. */
export function replaceSecret(
  state: ClusterState,
  namespace: string,
  name: string,
  body: SecretBody,
  at: Date,
): Secret {
  assertWritable(namespace, name);
  if (body.metadata?.name !== undefined && body.metadata.name !== name) {
    throw new ClusterApiError(
      'ERR_SIM_INVALID',
      `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  const existing = requireSecret(state, namespace, name);
  return write(state, toSecret(namespace, name, body, existing), at, body.metadata?.resourceVersion);
}

/** PATCH with a JSON merge patch (RFC 7386) over the stored secret, then validated as a PUT. */
export function patchSecret(
  state: ClusterState,
  namespace: string,
  name: string,
  patch: Readonly<Record<string, unknown>>,
  at: Date,
): Secret {
  assertWritable(namespace, name);
  const existing = requireSecret(state, namespace, name);
  const merged = applyMergePatch(existing, patch) as SecretBody;
  const expected = isJsonObject(patch.metadata) ? patch.metadata.resourceVersion : undefined;
  const body = { ...merged, metadata: { ...merged.metadata, name } };
  return write(state, toSecret(namespace, name, body, existing), at, expected as string | undefined);
}

/** DELETE: removes the next secret and returns it; the caller lets the operator react. */
export function deleteSecret(state: ClusterState, namespace: string, name: string, at: Date): Secret {
  assertWritable(namespace, name);
  requireSecret(state, namespace, name);
  const deleted = state.store.remove('Secret', namespace, name) as Secret;
  settle(state, at);
  return deleted;
}

function write(state: ClusterState, secret: Unstamped<Secret>, at: Date, expectedVersion?: string): Secret {
  const stored = state.store.put<Secret>(secret, at, expectedVersion);
  settle(state, at);
  return stored;
}

function toSecret(namespace: string, name: string, body: SecretBody, existing?: Secret): Unstamped<Secret> {
  const data = body.data ?? {};
  assertSecretData(data);
  const { labels, annotations } = body.metadata ?? {};
  const stringData = assertStringMap(body.stringData ?? {}, 'stringData');
  const encoded = Object.fromEntries(Object.entries(stringData).map(([key, text]) => [key, toBase64(text)]));
  const merged = { ...data, ...encoded };
  assertSigningPairData(merged);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      ...(labels === undefined ? {} : { labels: assertStringMap(labels, 'metadata.labels') }),
      ...(annotations === undefined
        ? {}
        : { annotations: assertStringMap(annotations, 'metadata.annotations') }),
    },
    type: existing?.type ?? body.type ?? 'Opaque',
    data: merged,
  };
}

function assertStringMap(value: unknown, field: string): Readonly<Record<string, string>> {
  if (!isJsonObject(value) || !Object.values(value).every((item) => typeof item === 'string')) {
    throw new ClusterApiError('ERR_SIM_INVALID', `${field}: Invalid value: must be a map of strings`);
  }
  return value as Record<string, string>;
}

/** Only the next secret is writable: every other object belongs to the operator or the installer. */
function assertWritable(namespace: string, name: string): void {
  if (namespace !== OPERATOR_NAMESPACE || name !== NEXT_SECRET_NAME) {
    throw new ClusterApiError(
      'ERR_SIM_FORBIDDEN',
      `secrets "${name}" is forbidden: the OpenShift simulator accepts writes only to secret ` +
        `${NEXT_SECRET_NAME} in namespace ${OPERATOR_NAMESPACE}`,
    );
  }
}

function requireSecret(state: ClusterState, namespace: string, name: string): Secret {
  const secret = state.store.get('Secret', namespace, name);
  if (secret === undefined) {
    throw new ClusterApiError('ERR_SIM_NOT_FOUND', `secrets "${name}" not found`);
  }
  return secret;
}

/** RFC 7386: objects merge recursively, `null` deletes a member, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) {
    return patch;
  }
  const result: Record<string, unknown> = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = applyMergePatch(result[key], value);
    }
  }
  return result;
}
