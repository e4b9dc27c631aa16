import { describe, expect, it } from 'vitest';
import { applyJsonPatch, parseJsonPatch } from '#local/openshift-sim/http/json-patch.ts';

const document = () => ({ metadata: { name: 'n', labels: { 'a/b': '1', 'c~d': '2' } }, list: [1, 2, 3] });

describe('applyJsonPatch', () => {
  const labels = { 'a/b': '1', 'c~d': '2' };
  it.each([
    ['replace', [{ op: 'replace', path: '/metadata/name', value: 'm' }], { name: 'm', labels }],
    [
      'add a member',
      [{ op: 'add', path: '/metadata/extra', value: { x: 1 } }],
      { name: 'n', labels, extra: { x: 1 } },
    ],
    [
      'remove a ~1-escaped member',
      [{ op: 'remove', path: '/metadata/labels/a~1b' }],
      { name: 'n', labels: { 'c~d': '2' } },
    ],
    [
      'replace a ~0-escaped member',
      [{ op: 'replace', path: '/metadata/labels/c~0d', value: '3' }],
      { name: 'n', labels: { 'a/b': '1', 'c~d': '3' } },
    ],
    [
      'copy',
      [{ op: 'copy', from: '/metadata/name', path: '/metadata/alias' }],
      { name: 'n', labels, alias: 'n' },
    ],
    ['move', [{ op: 'move', from: '/metadata/name', path: '/metadata/alias' }], { labels, alias: 'n' }],
  ])('applies %s (RFC 6902 §4, RFC 6901 escapes)', (_case, operations, expected) => {
    // Act
    const result = applyJsonPatch(document(), parseJsonPatch(operations));

    // Assess
    expect(result).toEqual({ metadata: expected, list: [1, 2, 3] });
  });

  it('adds to arrays by index and with "-", and removes by index', () => {
    // Act
    const result = applyJsonPatch(
      document(),
      parseJsonPatch([
        { op: 'add', path: '/list/0', value: 0 },
        { op: 'add', path: '/list/-', value: 4 },
        { op: 'remove', path: '/list/2' },
      ]),
    );

    // Assess
    expect(result).toMatchObject({ list: [0, 1, 3, 4] });
  });

  it('passes a test that matches deeply and leaves the input untouched', () => {
    // Prepare
    const input = document();

    // Act
    const result = applyJsonPatch(
      input,
      parseJsonPatch([
        { op: 'test', path: '/metadata/labels', value: { 'c~d': '2', 'a/b': '1' } },
        { op: 'replace', path: '/metadata/name', value: 'changed' },
      ]),
    );

    // Assess
    expect(result).toMatchObject({ metadata: { name: 'changed' } });
    expect(input.metadata.name).toBe('n');
  });

  it.each([
    ['a failed test', { op: 'test', path: '/metadata/name', value: 'other' }],
    ['a missing member to replace', { op: 'replace', path: '/metadata/missing', value: 1 }],
    ['a missing member to remove', { op: 'remove', path: '/metadata/missing' }],
    ['a missing parent', { op: 'add', path: '/nothing/here', value: 1 }],
    ['an index past the end', { op: 'add', path: '/list/9', value: 1 }],
    ['an index with a leading zero', { op: 'remove', path: '/list/01' }],
    ['a pointer without a leading slash', { op: 'remove', path: 'metadata' }],
    ['a move into its own child', { op: 'move', from: '/metadata', path: '/metadata/inner' }],
  ])('refuses %s with ERR_SIM_PATCH_FAILED, all or nothing', (_case, operation) => {
    // Prepare
    const input = document();

    // Act
    const apply = () =>
      applyJsonPatch(
        input,
        parseJsonPatch([{ op: 'replace', path: '/metadata/name', value: 'x' }, operation]),
      );

    // Assess
    expect(apply).toThrow(
      expect.objectContaining({
        code: 'ERR_SIM_PATCH_FAILED',
        message: expect.stringContaining('operation 1'),
      }),
    );
    expect(input.metadata.name).toBe('n');
  });
});

describe('parseJsonPatch', () => {
  it.each([
    ['an object', { op: 'add', path: '/a', value: 1 }],
    ['a string', '[]'],
    ['an operation that is not an object', [1]],
    ['an unknown op', [{ op: 'merge', path: '/a' }]],
    ['a missing path', [{ op: 'remove' }]],
    ['an add without value', [{ op: 'add', path: '/a' }]],
    ['a copy without from', [{ op: 'copy', path: '/a' }]],
  ])('refuses %s with ERR_SIM_BAD_REQUEST', (_case, patch) => {
    expect(() => parseJsonPatch(patch)).toThrow(expect.objectContaining({ code: 'ERR_SIM_BAD_REQUEST' }));
  });
});
