import { isDeepStrictEqual } from 'node:util';
import { isJsonObject } from '#shared/json.ts';
import { ApiRequestError } from './status.ts';

/** One RFC 6902 operation. */
export type JsonPatchOperation =
  | { readonly op: 'add' | 'replace' | 'test'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'move' | 'copy'; readonly from: string; readonly path: string };

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Checks a JSON Patch document (RFC 6902 §3, §4): an array of operations with a known `op`, a `path`,
 * a `value` where the op needs one and a `from` for move and copy. Errors are ERR_SIM_BAD_REQUEST (400),
 * as kube-apiserver answers a patch it cannot decode.
 */
export function parseJsonPatch(document: unknown): JsonPatchOperation[] {
  if (!Array.isArray(document)) {
    throw badPatch('a JSON Patch must be an array of operations');
  }
  return document.map((operation: unknown, index) => {
    if (!isJsonObject(operation) || typeof operation.op !== 'string' || !OPS.has(operation.op)) {
      throw badPatch(`operation ${index}: "op" must be one of ${[...OPS].join(', ')}`);
    }
    if (typeof operation.path !== 'string') {
      throw badPatch(`operation ${index}: "path" must be a string`);
    }
    if (['add', 'replace', 'test'].includes(operation.op) && !('value' in operation)) {
      throw badPatch(`operation ${index}: "${operation.op}" needs a "value"`);
    }
    if (['move', 'copy'].includes(operation.op) && typeof operation.from !== 'string') {
      throw badPatch(`operation ${index}: "${operation.op}" needs a "from" path`);
    }
    return operation as unknown as JsonPatchOperation;
  });
}

/**
 * Applies a JSON Patch (RFC 6902) to a copy of `document` and returns the copy; `document` is not
 * touched. The operations apply in order and all or nothing: an operation that cannot apply (a missing
 * path, a failed `test`) throws ERR_SIM_PATCH_FAILED (422), as kube-apiserver does.
 */
export function applyJsonPatch(document: unknown, operations: readonly JsonPatchOperation[]): unknown {
  let result = structuredClone(document);
  operations.forEach((operation, index) => {
    try {
      result = applyOperation(result, operation);
    } catch (error) {
      if (error instanceof PatchPathError) {
        throw new ApiRequestError(
          'ERR_SIM_PATCH_FAILED',
          `the JSON Patch failed at operation ${index} (${operation.op} ${operation.path}): ${error.message}`,
        );
      }
      throw error;
    }
  });
  return result;
}

function applyOperation(document: unknown, operation: JsonPatchOperation): unknown {
  switch (operation.op) {
    case 'add':
      return add(document, operation.path, structuredClone(operation.value));
    case 'remove':
      return remove(document, operation.path).document;
    case 'replace':
      return add(remove(document, operation.path).document, operation.path, structuredClone(operation.value));
    case 'move': {
      if (operation.path.startsWith(`${operation.from}/`)) {
        throw new PatchPathError('a value cannot be moved into one of its own children');
      }
      const { document: without, removed } = remove(document, operation.from);
      return add(without, operation.path, removed);
    }
    case 'copy':
      return add(document, operation.path, structuredClone(resolve(document, operation.from)));
    case 'test':
      if (!isDeepStrictEqual(resolve(document, operation.path), operation.value)) {
        throw new PatchPathError('the value is not the one the test expects');
      }
      return document;
  }
}

/** RFC 6902 §4.1: adds to an object member or array index (`-` appends); the root path replaces all. */
function add(document: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  const last = tokens.pop();
  if (last === undefined) {
    return value;
  }
  const parent = resolveTokens(document, tokens);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : arrayIndex(last, parent.length + 1);
    parent.splice(index, 0, value);
  } else if (isJsonObject(parent)) {
    parent[last] = value;
  } else {
    throw new PatchPathError('the parent of the path is not an object or array');
  }
  return document;
}

/** RFC 6902 §4.2: removes the value at `path`, which must exist. */
function remove(document: unknown, path: string): { document: unknown; removed: unknown } {
  const tokens = parsePointer(path);
  const last = tokens.pop();
  if (last === undefined) {
    return { document: undefined, removed: document };
  }
  const parent = resolveTokens(document, tokens);
  if (Array.isArray(parent)) {
    const [removed] = parent.splice(arrayIndex(last, parent.length), 1);
    return { document, removed };
  }
  if (isJsonObject(parent) && Object.hasOwn(parent, last)) {
    const removed = parent[last];
    delete parent[last];
    return { document, removed };
  }
  throw new PatchPathError('the path does not exist');
}

function resolve(document: unknown, path: string): unknown {
  return resolveTokens(document, parsePointer(path));
}

function resolveTokens(document: unknown, tokens: readonly string[]): unknown {
  let current = document;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      current = current[arrayIndex(token, current.length)];
    } else if (isJsonObject(current) && Object.hasOwn(current, token)) {
      current = current[token];
    } else {
      throw new PatchPathError('the path does not exist');
    }
  }
  return current;
}

/** RFC 6901: `""` is the whole document; `/a~1b/c~0d` is ["a/b", "c~d"]. */
function parsePointer(path: string): string[] {
  if (path === '') {
    return [];
  }
  if (!path.startsWith('/')) {
    throw new PatchPathError('a JSON Pointer must be empty or start with "/"');
  }
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function arrayIndex(token: string, limit: number): number {
  const index = /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : Number.NaN;
  if (!(index < limit)) {
    throw new PatchPathError(`array index ${token} is out of range`);
  }
  return index;
}

function badPatch(message: string): ApiRequestError {
  return new ApiRequestError('ERR_SIM_BAD_REQUEST', `cannot decode the JSON Patch: ${message}`);
}

/** A path that does not resolve; becomes ERR_SIM_PATCH_FAILED with the operation's position. */
class PatchPathError extends Error {}
