import { isJsonObject } from '../../json.ts';
import { ClusterAnswerError } from '../../port-errors.ts';

/**
 * Small readers of fields in the cluster's answers: each checks one field's type and, when it is not what
 * an OpenShift API server sends, throws ClusterAnswerError naming `where` and what came instead.
 */

/** `object[name]`, after checking `object` is a JSON object. */
export function fieldOf(object: unknown, name: string, where: string): unknown {
  if (!isJsonObject(object)) {
    throw new ClusterAnswerError(`${where} is ${describeValue(object)} where an object was expected`);
  }
  return object[name];
}

/** A JSON object, or `{}` when the field is absent (Kubernetes omits empty maps). */
export function optionalObject(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) {
    throw new ClusterAnswerError(`${where} is ${describeValue(value)}, not an object`);
  }
  return value;
}

/** A list, or `[]` when the field is absent. */
export function optionalList(value: unknown, where: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new ClusterAnswerError(`${where} is ${describeValue(value)}, not a list`);
  }
  return value;
}

/** A non-empty string. */
export function requiredString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ClusterAnswerError(`${where} is ${describeValue(value)}, not a non-empty string`);
  }
  return value;
}

/** A map of strings (labels, annotations, ConfigMap data), or `{}` when absent. */
export function stringMap(value: unknown, where: string): Readonly<Record<string, string>> {
  const map = optionalObject(value, where);
  for (const [key, item] of Object.entries(map)) {
    if (typeof item !== 'string') {
      throw new ClusterAnswerError(`${where}[${key}] is ${describeValue(item)}, not a string`);
    }
  }
  return map as Record<string, string>;
}

/** `items` of a LIST answer. */
export function listItems(list: unknown, where: string): readonly unknown[] {
  const items = fieldOf(list, 'items', where);
  if (!Array.isArray(items)) {
    throw new ClusterAnswerError(`${where} has items ${describeValue(items)}, not a list`);
  }
  return items;
}

/** A value as an error message names it, never quoting it (an answer may hold anything). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : `a ${typeof value}`;
}
