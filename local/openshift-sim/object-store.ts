import { randomUUID } from 'node:crypto';
import { ClusterApiError } from './errors.ts';
import {
  type KubeObject,
  type ObjectKind,
  type ObjectKinds,
  type ObjectMeta,
  toKubeTime,
  type Unstamped,
} from './objects.ts';

/**
 * The simulated etcd: objects by kind, namespace and name, each stamped with a uid, a creation time and a
 * resourceVersion taken from one global counter. A write that changes nothing keeps the resourceVersion
 * (kube-apiserver skips no-op updates). Stored objects are deep-frozen, so readers cannot alter them.
 */
export interface ObjectStore {
  /** The object, or undefined. */
  get<K extends ObjectKind>(kind: K, namespace: string | undefined, name: string): ObjectKinds[K] | undefined;
  /** Objects of a kind, in one namespace or all, whose labels include `labels`; sorted by namespace/name. */
  list<K extends ObjectKind>(
    kind: K,
    namespace?: string,
    labels?: Readonly<Record<string, string>>,
  ): ObjectKinds[K][];
  /**
   * Creates or replaces an object. With `expectedResourceVersion`, fails with ERR_SIM_CONFLICT unless the
   * stored object is at that version (ERR_SIM_NOT_FOUND if there is none).
   */
  put<T extends KubeObject>(object: Unstamped<T>, at: Date, expectedResourceVersion?: string): T;
  /** Deletes an object and returns it, or undefined if there was none. */
  remove<K extends ObjectKind>(
    kind: K,
    namespace: string | undefined,
    name: string,
  ): ObjectKinds[K] | undefined;
  /** The latest resourceVersion handed out (for list metadata). */
  readonly resourceVersion: string;
}

/** Creates an empty store. */
export function createObjectStore(): ObjectStore {
  const objects = new Map<string, KubeObject>();
  let counter = 0;
  return {
    get(kind, namespace, name) {
      return objects.get(keyOf(kind, namespace, name)) as ObjectKinds[typeof kind] | undefined;
    },
    list(kind, namespace, labels = {}) {
      return [...objects.values()]
        .filter((object) => object.kind === kind)
        .filter((object) => namespace === undefined || object.metadata.namespace === namespace)
        .filter((object) => Object.entries(labels).every(([k, v]) => object.metadata.labels?.[k] === v))
        .sort((a, b) => sortKey(a).localeCompare(sortKey(b))) as ObjectKinds[typeof kind][];
    },
    put<T extends KubeObject>(object: Unstamped<T>, at: Date, expectedResourceVersion?: string): T {
      const key = keyOf(object.kind, object.metadata.namespace, object.metadata.name);
      const existing = objects.get(key);
      assertExpectedVersion(existing, object, expectedResourceVersion);
      if (existing !== undefined && canonical(object) === canonical(withoutStamps(existing))) {
        return existing as T;
      }
      counter += 1;
      const metadata: ObjectMeta = {
        ...object.metadata,
        uid: existing?.metadata.uid ?? randomUUID(),
        resourceVersion: String(counter),
        creationTimestamp: existing?.metadata.creationTimestamp ?? toKubeTime(at),
      };
      const stored = deepFreeze(structuredClone({ ...object, metadata })) as unknown as KubeObject;
      objects.set(key, stored);
      return stored as T;
    },
    remove(kind, namespace, name) {
      const key = keyOf(kind, namespace, name);
      const existing = objects.get(key);
      objects.delete(key);
      if (existing !== undefined) {
        counter += 1;
      }
      return existing as ObjectKinds[typeof kind] | undefined;
    },
    get resourceVersion() {
      return String(counter);
    },
  };
}

function assertExpectedVersion(
  existing: KubeObject | undefined,
  object: Unstamped<KubeObject>,
  expected: string | undefined,
): void {
  if (expected === undefined) {
    return;
  }
  const { kind, metadata } = object;
  if (existing === undefined) {
    throw new ClusterApiError('ERR_SIM_NOT_FOUND', `${kind} "${metadata.name}" not found`);
  }
  if (existing.metadata.resourceVersion !== expected) {
    throw new ClusterApiError(
      'ERR_SIM_CONFLICT',
      `Operation cannot be fulfilled on ${kind} "${metadata.name}": the object has been modified; ` +
        'please apply your changes to the latest version and try again',
    );
  }
}

function keyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function sortKey(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

function withoutStamps(object: KubeObject): Unstamped<KubeObject> {
  const { uid: _uid, resourceVersion: _version, creationTimestamp: _created, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/** JSON with object keys sorted, so equal content compares equal whatever order it was written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) {
      deepFreeze(item);
    }
    Object.freeze(value);
  }
  return value;
}
