import { describe, expect, it } from 'vitest';
import { readStability } from '#shared/adapters/openshift/stability-answer.ts';
import { ClusterAnswerError } from '#shared/port-errors.ts';

const T1 = '2026-03-01T00:00:00Z';
const T2 = '2026-03-01T00:05:00Z';
const T3 = '2026-03-01T00:10:00Z';

/** A ClusterOperator with `conditions`. */
function operator(name: string, conditions: unknown): unknown {
  return { metadata: { name }, status: { conditions } };
}

/** The three conditions of a stable operator, all transitioned at `time` (none given when null). */
function stableConditions(time: string | null): unknown[] {
  const at = time === null ? {} : { lastTransitionTime: time };
  return [
    { type: 'Available', status: 'True', ...at },
    { type: 'Progressing', status: 'False', ...at },
    { type: 'Degraded', status: 'False', ...at },
  ];
}

describe('readStability', () => {
  it('reads every operator stable since the latest transition of any condition', () => {
    // Arrange
    const conditions = stableConditions(T1);
    conditions[1] = { type: 'Progressing', status: 'False', lastTransitionTime: T3 };
    const list = { items: [operator('etcd', stableConditions(T2)), operator('kube-apiserver', conditions)] };

    // Act
    const stability = readStability(list);

    // Assess
    expect(stability).toEqual({ operators: 2, unstable: [], stableSince: new Date(T3) });
  });

  it('reads an empty list as unstable, as ccoctl does (no stableSince)', () => {
    // Arrange
    const list = { items: [] };

    // Act
    const stability = readStability(list);

    // Assess
    expect(stability).toEqual({ operators: 0, unstable: [] });
  });

  it('says stable without stableSince when no condition has a transition time', () => {
    // Arrange
    const list = { items: [operator('etcd', stableConditions(null))] };

    // Act
    const stability = readStability(list);

    // Assess
    expect(stability).toEqual({ operators: 1, unstable: [] });
  });

  it('reads an operator without status as missing all three conditions', () => {
    // Arrange
    const list = { items: [{ metadata: { name: 'monitoring' } }] };

    // Act
    const stability = readStability(list);

    // Assess
    expect(stability).toEqual({
      operators: 1,
      unstable: [
        { operator: 'monitoring', condition: 'Available', status: 'missing' },
        { operator: 'monitoring', condition: 'Progressing', status: 'missing' },
        { operator: 'monitoring', condition: 'Degraded', status: 'missing' },
      ],
    });
  });

  it('reads a status without conditions as missing all three, and gives no stableSince', () => {
    // Arrange
    const list = {
      items: [operator('etcd', stableConditions(T1)), { metadata: { name: 'dns' }, status: {} }],
    };

    // Act
    const stability = readStability(list);

    // Assess
    expect(stability.operators).toBe(2);
    expect(stability.unstable.map((item) => `${item.operator} ${item.condition}=${item.status}`)).toEqual([
      'dns Available=missing',
      'dns Progressing=missing',
      'dns Degraded=missing',
    ]);
    expect(stability).not.toHaveProperty('stableSince');
  });

  it('names each condition not as expected, with its reason and the first line of its message', () => {
    // Arrange
    const list = {
      items: [
        operator('authentication', [
          { type: 'Available', status: 'True', lastTransitionTime: T1 },
          { type: 'Progressing', status: 'True', reason: 'Rolling', message: '  rolling out\nsecond line' },
          {
            type: 'Degraded',
            status: 'Unknown',
            reason: '',
            message: '',
            lastTransitionTime: T2,
          },
        ]),
      ],
    };

    // Act
    const stability = readStability(list);

    // Assess
    expect(stability).toEqual({
      operators: 1,
      unstable: [
        {
          operator: 'authentication',
          condition: 'Progressing',
          status: 'True',
          reason: 'Rolling',
          message: 'rolling out',
        },
        { operator: 'authentication', condition: 'Degraded', status: 'Unknown' },
      ],
    });
  });

  it('cuts a long message to 200 characters ending with an ellipsis', () => {
    // Arrange
    const message = 'x'.repeat(250);
    const conditions = stableConditions(T1);
    conditions[2] = { type: 'Degraded', status: 'True', reason: 'Broken', message };
    const list = { items: [operator('ingress', conditions)] };

    // Act
    const stability = readStability(list);

    // Assess
    const cut = stability.unstable[0]?.message ?? '';
    expect(cut).toHaveLength(200);
    expect(cut).toBe(`${'x'.repeat(199)}…`);
  });

  it('keeps a message of exactly 200 characters whole', () => {
    // Arrange
    const message = 'y'.repeat(200);
    const conditions = stableConditions(T1);
    conditions[0] = { type: 'Available', status: 'False', message };
    const list = { items: [operator('console', conditions)] };

    // Act
    const stability = readStability(list);

    // Assess
    expect(stability.unstable).toEqual([
      { operator: 'console', condition: 'Available', status: 'False', message },
    ]);
  });

  it('ignores reason and message that are not strings', () => {
    // Arrange
    const conditions = stableConditions(T1);
    conditions[2] = { type: 'Degraded', status: 'True', reason: 7, message: { text: 'no' } };
    const list = { items: [operator('storage', conditions)] };

    // Act
    const stability = readStability(list);

    // Assess
    expect(stability.unstable).toEqual([{ operator: 'storage', condition: 'Degraded', status: 'True' }]);
  });

  it.each([
    [
      'a list that is not an object',
      'list',
      'the ClusterOperator list is a string where an object was expected',
    ],
    ['items that are not a list', { items: {} }, 'the ClusterOperator list has items a object, not a list'],
    ['no items', {}, 'the ClusterOperator list has items missing, not a list'],
    [
      'an item without metadata',
      { items: [{}] },
      'the ClusterOperator list item 0 metadata is missing where an object was expected',
    ],
    [
      'an item without a name',
      { items: [{ metadata: {} }] },
      'the ClusterOperator list item 0 metadata.name is missing, not a non-empty string',
    ],
    [
      'an item that is not an object',
      { items: [3] },
      'the ClusterOperator list item 0 is 3 where an object was expected',
    ],
    [
      'a status that is not an object',
      { items: [{ metadata: { name: 'etcd' }, status: 'ok' }] },
      'clusteroperator etcd status is a string where an object was expected',
    ],
    [
      'conditions that are not a list',
      { items: [operator('etcd', {})] },
      'clusteroperator etcd status.conditions is a object, not a list',
    ],
    [
      'a condition that is not an object',
      { items: [operator('etcd', ['Available'])] },
      'clusteroperator etcd is a string where an object was expected',
    ],
    [
      'a condition without status',
      { items: [operator('etcd', [{ type: 'Available' }])] },
      'clusteroperator etcd Available status is missing, not a non-empty string',
    ],
    [
      'a transition time that is not a time',
      { items: [operator('etcd', [{ type: 'Degraded', status: 'False', lastTransitionTime: 'yesterday' }])] },
      'clusteroperator etcd Degraded lastTransitionTime is not an RFC 3339 time',
    ],
    [
      'a transition time that is a number',
      {
        items: [
          operator('etcd', [{ type: 'Progressing', status: 'False', lastTransitionTime: 1_700_000_000 }]),
        ],
      },
      'clusteroperator etcd Progressing lastTransitionTime is not an RFC 3339 time',
    ],
  ])('refuses %s with ClusterAnswerError', (_case, list, message) => {
    // Arrange: the malformed answer above.

    // Act
    const read = () => readStability(list);

    // Assess
    expect(read).toThrow(ClusterAnswerError);
    expect(read).toThrow(message);
  });
});
