import { describe, expect, it } from 'vitest';
import {
  describeValue,
  fieldOf,
  listItems,
  optionalList,
  optionalObject,
  requiredString,
  stringMap,
} from '#shared/adapters/openshift/answer-fields.ts';
import { ClusterAnswerError } from '#shared/port-errors.ts';

/** The error a reader throws, or undefined. */
function refusal(read: () => unknown): unknown {
  try {
    read();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('the readers of fields in a cluster answer (every answer is validated)', () => {
  it('read what an OpenShift API server sends', () => {
    // Act + Assess
    expect(fieldOf({ spec: { a: 1 } }, 'spec', 'ClusterVersion')).toEqual({ a: 1 });
    expect(optionalObject({ a: 1 }, 'labels')).toEqual({ a: 1 });
    expect(optionalList([1, 2], 'conditions')).toEqual([1, 2]);
    expect(requiredString('worker', 'pool name')).toBe('worker');
    expect(stringMap({ 'state.json': '{}' }, 'data')).toEqual({ 'state.json': '{}' });
    expect(listItems({ items: [{}] }, 'node list')).toEqual([{}]);
  });

  it('take an absent or null map or list as empty, as Kubernetes omits empty ones', () => {
    // Act + Assess
    expect(optionalObject(undefined, 'labels')).toEqual({});
    expect(optionalObject(null, 'labels')).toEqual({});
    expect(optionalList(undefined, 'conditions')).toEqual([]);
    expect(optionalList(null, 'conditions')).toEqual([]);
    expect(stringMap(undefined, 'annotations')).toEqual({});
  });

  it.each([
    [
      'fieldOf on a list',
      () => fieldOf([], 'spec', 'ClusterVersion'),
      'ClusterVersion is an empty list where an object was expected',
    ],
    ['optionalObject on a string', () => optionalObject('x', 'labels'), 'labels is a string, not an object'],
    ['optionalList on an object', () => optionalList({}, 'conditions'), 'conditions is a object, not a list'],
    [
      'requiredString on a number',
      () => requiredString(7, 'pool name'),
      'pool name is 7, not a non-empty string',
    ],
    [
      'requiredString on an empty string',
      () => requiredString('', 'pool name'),
      'pool name is a string, not a non-empty string',
    ],
    ['stringMap with a number value', () => stringMap({ a: 1 }, 'data'), 'data[a] is 1, not a string'],
    ['listItems without items', () => listItems({}, 'node list'), 'node list has items missing, not a list'],
    [
      'listItems of null',
      () => listItems(null, 'node list'),
      'node list is null where an object was expected',
    ],
  ])('refuse %s with ClusterAnswerError naming where, never quoting the value', (_name, read, message) => {
    // Act
    const error = refusal(read);

    // Assess
    expect(error).toBeInstanceOf(ClusterAnswerError);
    expect((error as Error).message).toBe(message);
  });

  it('describe values by kind only', () => {
    // Act + Assess
    expect([undefined, null, [], [1], 3, true, 'secret', {}].map(describeValue)).toEqual([
      'missing',
      'null',
      'an empty list',
      'a list',
      '3',
      'true',
      'a string',
      'a object',
    ]);
  });
});
