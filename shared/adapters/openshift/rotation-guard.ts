/**
 * The cluster-wide signer rotation guard that ccoctl's `aws rotate-signing-key` holds (ONE-SIGNER across
 * tools), in ccoctl's exact shape so that each tool sees the other: ConfigMap
 * `openshift-cloud-credential-operator/cco-signer-key-rotation-guard`, one data key `state.json` holding
 * `{"schemaVersion":1,"scopeID":…,"activeOperationID":…,"completedOperationIDs":[…]}` (Go json.Marshal:
 * compact, that field order, the last two omitted when empty), every id 64 lowercase hex characters.
 * Source: openshift/cloud-credential-operator PR #1094, pkg/cmd/provisioning/rotation/kubeadapter/guard.go
 * and rotation/rotation_guard.go (docs/research/openshift-rotation-sources.md). ccoctl decodes it fail-closed,
 * so keyturn writes nothing else into it: no other data key, no other field.
 *
 * Pure functions only: reading and writing the ConfigMap is the adapter's job; this decides what to write.
 */

import { createHash } from 'node:crypto';
import { ROTATION_GUARD_CONFIGMAP, RotationGuardError } from '../../ports.ts';

/** Where the guard lives, and what it carries besides its data. */
export const ROTATION_GUARD = {
  namespace: 'openshift-cloud-credential-operator',
  name: 'cco-signer-key-rotation-guard',
  dataKey: 'state.json',
  schemaVersion: 1,
  labels: { 'app.kubernetes.io/managed-by': 'cloud-credential-operator' },
} as const;

/** The decoded `state.json`. */
export interface RotationGuardState {
  readonly schemaVersion: 1;
  /** One scope per cluster: {@link guardScopeId} of its ClusterVersion `spec.clusterID`. */
  readonly scopeID: string;
  /** The operation that holds the guard; absent when nobody does. */
  readonly activeOperationID?: string;
  /** Operations that held it and released it, sorted; never pruned. */
  readonly completedOperationIDs?: readonly string[];
}

/** The guard's error is the port's (shared/port-errors.ts), so the domain can match it without an adapter. */
export { RotationGuardError };

const HEX64 = /^[0-9a-f]{64}$/;
const FIELDS = new Set(['schemaVersion', 'scopeID', 'activeOperationID', 'completedOperationIDs']);

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The guard scope of a cluster: sha256 of `{"domain":"signer-rotation-guard-scope-v1","clusterIdentity":ID}`,
 * as ccoctl computes it from ClusterVersion `version` `.spec.clusterID`.
 */
export function guardScopeId(clusterId: string): string {
  if (clusterId.trim() === '') {
    throw new RotationGuardError(
      'ERR_ROTATION_GUARD_INVALID',
      'the cluster has no ClusterVersion spec.clusterID',
    );
  }
  return sha256Hex(JSON.stringify({ domain: 'signer-rotation-guard-scope-v1', clusterIdentity: clusterId }));
}

/**
 * keyturn's operation id for one rotation of one issuer: 64 hex characters as ccoctl requires, in a domain
 * of its own (`keyturn-signer-rotation-v1`), so it never equals one of ccoctl's and a re-run of the same
 * rotation gets the same id (RETRY-SAFE: acquiring again is a no-op).
 */
export function keyturnOperationId(clusterId: string, issuerId: string, rotationId: string): string {
  return sha256Hex(
    JSON.stringify({
      domain: 'keyturn-signer-rotation-v1',
      clusterIdentity: clusterId,
      issuerId,
      rotationId,
    }),
  );
}

/** `state.json` as Go's json.Marshal writes it: compact, in field order, empty optionals omitted. */
export function encodeGuardState(state: RotationGuardState): string {
  const completed = state.completedOperationIDs ?? [];
  return JSON.stringify({
    schemaVersion: state.schemaVersion,
    scopeID: state.scopeID,
    ...(state.activeOperationID === undefined || state.activeOperationID === ''
      ? {}
      : { activeOperationID: state.activeOperationID }),
    ...(completed.length === 0 ? {} : { completedOperationIDs: completed }),
  });
}

/**
 * Reads the guard's ConfigMap data the way ccoctl does, fail-closed: exactly one data key `state.json`, no
 * unknown field, schema version 1, 64-hex ids, no duplicate completed id, the active id not also completed,
 * and the scope of this cluster. Anything else is ERR_ROTATION_GUARD_INVALID: a person must look.
 */
export function decodeGuardState(
  data: Readonly<Record<string, string>> | undefined,
  expectedScopeId: string,
): RotationGuardState {
  const state = parseStateJson(data);
  if (state.schemaVersion !== ROTATION_GUARD.schemaVersion) throw invalidGuard('schemaVersion is not 1');
  const hex = (value: unknown, field: string): string => {
    if (typeof value !== 'string' || !HEX64.test(value))
      throw invalidGuard(`${field} is not 64 lowercase hex characters`);
    return value;
  };
  const scopeID = hex(state.scopeID, 'scopeID');
  const active =
    state.activeOperationID === undefined || state.activeOperationID === ''
      ? undefined
      : hex(state.activeOperationID, 'activeOperationID');
  if (state.completedOperationIDs !== undefined && !Array.isArray(state.completedOperationIDs)) {
    throw invalidGuard('completedOperationIDs is not a list');
  }
  const completed = ((state.completedOperationIDs as unknown[] | undefined) ?? []).map((id, index) =>
    hex(id, `completedOperationIDs[${index}]`),
  );
  if (new Set(completed).size !== completed.length) throw invalidGuard('completedOperationIDs repeats an id');
  if (active !== undefined && completed.includes(active)) {
    throw invalidGuard('the active operation is also listed as completed');
  }
  if (scopeID !== expectedScopeId) {
    throw invalidGuard(`its scope ${scopeID} is not this cluster's (${expectedScopeId})`);
  }
  return {
    schemaVersion: 1,
    scopeID,
    ...(active === undefined ? {} : { activeOperationID: active }),
    ...(completed.length === 0 ? {} : { completedOperationIDs: completed }),
  };
}

/** ERR_ROTATION_GUARD_INVALID: `why`, and how to look at the ConfigMap. */
function invalidGuard(why: string): RotationGuardError {
  return new RotationGuardError(
    'ERR_ROTATION_GUARD_INVALID',
    `ConfigMap ${ROTATION_GUARD_CONFIGMAP} is not a guard ccoctl or keyturn can read: ${why}; inspect it with oc get configmap -n ${ROTATION_GUARD.namespace} ${ROTATION_GUARD.name} -o yaml`,
  );
}

/** The ConfigMap's one data key, `state.json`, as a JSON object holding only the guard's fields. */
function parseStateJson(data: Readonly<Record<string, string>> | undefined): Record<string, unknown> {
  const keys = Object.keys(data ?? {});
  if (keys.length !== 1 || keys[0] !== ROTATION_GUARD.dataKey) {
    throw invalidGuard(
      `it must hold exactly the data key ${ROTATION_GUARD.dataKey} (it holds ${keys.join(', ') || 'none'})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data?.[ROTATION_GUARD.dataKey] ?? '');
  } catch {
    throw invalidGuard(`${ROTATION_GUARD.dataKey} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidGuard(`${ROTATION_GUARD.dataKey} is not a JSON object`);
  }
  const state = parsed as Record<string, unknown>;
  const unknown = Object.keys(state).filter((field) => !FIELDS.has(field));
  if (unknown.length > 0) throw invalidGuard(`unknown field ${unknown.join(', ')}`);
  return state;
}

/** What to write to take the guard for `operationId`. */
export type GuardAcquisition =
  /** No ConfigMap yet: create it with this state. */
  | { readonly write: 'create'; readonly state: RotationGuardState }
  /** Free: update the ConfigMap (at the resourceVersion read) to this state. */
  | { readonly write: 'update'; readonly state: RotationGuardState }
  /** Already held by this operation (a re-run): nothing to write. */
  | { readonly write: 'none'; readonly state: RotationGuardState };

/**
 * Taking the guard, as ccoctl's AcquireRotationGuard does: create it, take it when free, keep it when it
 * is ours already. Held by another operation (ccoctl's or another keyturn rotation's): ERR_ROTATION_GUARD_HELD
 * naming it; never waits and never steals, since ccoctl aborts a run whose guard changed under it.
 */
export function acquireGuard(
  current: RotationGuardState | undefined,
  scopeId: string,
  operationId: string,
): GuardAcquisition {
  if (current === undefined) {
    return { write: 'create', state: { schemaVersion: 1, scopeID: scopeId, activeOperationID: operationId } };
  }
  if (current.activeOperationID === operationId) return { write: 'none', state: current };
  if (current.completedOperationIDs?.includes(operationId) === true) {
    throw new RotationGuardError(
      'ERR_ROTATION_GUARD_HELD',
      `the signer rotation guard lists this rotation (${operationId}) as completed; start a new rotation`,
    );
  }
  if (current.activeOperationID !== undefined) {
    throw new RotationGuardError(
      'ERR_ROTATION_GUARD_HELD',
      `another signer key rotation holds the cluster (ConfigMap ${ROTATION_GUARD_CONFIGMAP}, operation ${current.activeOperationID}: ccoctl aws rotate-signing-key or another keyturn rotation); wait for it to finish, then run the rotation again`,
    );
  }
  return { write: 'update', state: { ...current, activeOperationID: operationId } };
}

/**
 * Giving the guard back, as ccoctl's release does: the active id is cleared and appended to the sorted
 * completed ids. Already released by this operation: nothing to write. Held by another: refused.
 */
export function releaseGuard(
  current: RotationGuardState | undefined,
  operationId: string,
): { readonly write: 'update' | 'none'; readonly state?: RotationGuardState } {
  if (current?.completedOperationIDs?.includes(operationId) === true)
    return { write: 'none', state: current };
  if (current === undefined || current.activeOperationID !== operationId) {
    throw new RotationGuardError(
      'ERR_ROTATION_GUARD_HELD',
      `the signer rotation guard is not held by this rotation (${operationId})${current?.activeOperationID === undefined ? '' : `: operation ${current.activeOperationID} holds it`}; it was left alone`,
    );
  }
  const completed = [...(current.completedOperationIDs ?? []), operationId].sort();
  return {
    write: 'update',
    state: { schemaVersion: 1, scopeID: current.scopeID, completedOperationIDs: completed },
  };
}

/**
 * The guard ConfigMap as the API served it, read as ccoctl's decodeGuardState does: not being deleted,
 * no binaryData, then {@link decodeGuardState} of its data.
 */
export function decodeGuardConfigMap(configMap: unknown, expectedScopeId: string): RotationGuardState {
  const { metadata, data, binaryData } = (
    typeof configMap === 'object' && configMap !== null ? configMap : {}
  ) as { metadata?: { deletionTimestamp?: unknown }; data?: unknown; binaryData?: unknown };
  if (metadata?.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null) {
    throw invalidGuard('it is being deleted');
  }
  if (typeof binaryData === 'object' && binaryData !== null && Object.keys(binaryData).length > 0) {
    throw invalidGuard('it holds binaryData');
  }
  if (typeof data === 'object' && data !== null && !Object.values(data).every((v) => typeof v === 'string')) {
    throw invalidGuard('its data is not a map of strings');
  }
  return decodeGuardState(data as Record<string, string> | undefined, expectedScopeId);
}
