import { describe, expect, it } from 'vitest';
import {
  CURRENT_CONFIG_ANNOTATION,
  MASTER_ROLE_LABEL,
  OC_REBOOT_NUMBER_FILE,
} from '#shared/adapters/openshift/names.ts';
import {
  readNodeConfigs,
  readPoolSelector,
  readRebootNumber,
  rebootConfigBody,
} from '#shared/adapters/openshift/reboot-config.ts';
import { ClusterAnswerError } from '#shared/port-errors.ts';

const NAME = 'rendered-worker-abc';

/** A MachineConfig whose storage holds `files`. */
function machineConfig(files: unknown): unknown {
  return { spec: { config: { storage: { files } } } };
}

/** The reboot-number file with `source` as its contents. */
function rebootFile(source: unknown): unknown {
  return { path: OC_REBOOT_NUMBER_FILE, mode: 420, contents: { source } };
}

describe('rebootConfigBody', () => {
  it('writes the MachineConfig oc adm reboot-machine-config-pool writes, labelled as the pool selects', () => {
    // Arrange
    const labels = { 'machineconfiguration.openshift.io/role': 'worker' };

    // Act
    const body = rebootConfigBody('worker', 3, labels);

    // Assess
    expect(body.metadata).toEqual({ name: '95-oc-initiated-reboot-worker', labels });
    expect(body.metadata.labels).not.toBe(labels);
    expect(body.spec.config.ignition.version).toBe('3.1.0');
    expect(body.spec.config.storage.files).toEqual([
      { path: OC_REBOOT_NUMBER_FILE, mode: 420, contents: { source: 'data:,3%0A' } },
    ]);
  });

  it('carries the resourceVersion it was read at, for an update (RETRY-SAFE)', () => {
    // Arrange
    const labels = { 'machineconfiguration.openshift.io/role': 'master' };

    // Act
    const body = rebootConfigBody('master', 1, labels, '4242');

    // Assess
    expect(body.metadata).toEqual({ name: '95-oc-initiated-reboot-master', labels, resourceVersion: '4242' });
  });

  it('is read back as the number it was written with (ALWAYS-VALID)', () => {
    // Arrange
    const body = rebootConfigBody('worker', 123456789, { role: 'worker' });

    // Act
    const number = readRebootNumber(body, body.metadata.name);

    // Assess
    expect(number).toBe(123456789);
  });
});

describe('readRebootNumber', () => {
  it.each([
    ['no storage', { spec: { config: {} } }],
    ['storage without files', { spec: { config: { storage: {} } } }],
    ['null storage', { spec: { config: { storage: null } } }],
    ['only other files', machineConfig([{ path: '/etc/motd', contents: { source: 'data:,hi' } }])],
  ])('reads 0 from a MachineConfig with %s', (_case, config) => {
    // Arrange: the MachineConfig above.

    // Act
    const number = readRebootNumber(config, NAME);

    // Assess
    expect(number).toBe(0);
  });

  it.each([
    ['data:,7%0A', 7],
    ['data:,7', 7],
    ['data:;base64,Nwo=', 7],
    ['data:text/plain;base64,MTIK', 12],
    ['data:,%2042%20%0A', 42],
  ])('reads %s as %i, as oc GetRebootNumber does', (source, expected) => {
    // Arrange
    const config = machineConfig([rebootFile(source)]);

    // Act
    const number = readRebootNumber(config, NAME);

    // Assess
    expect(number).toBe(expected);
  });

  it.each([
    ['a source that is not a data URL', 'https://example.com/number'],
    ['a malformed percent escape', 'data:,%E0%A4%A'],
    ['text that is not a number', 'data:,seven%0A'],
    ['a negative number', 'data:,-1%0A'],
    ['a number of ten digits', 'data:,1234567890%0A'],
    ['an empty data URL', 'data:,'],
    ['a source that is not a string', 7],
    ['no source', undefined],
  ])('refuses %s, naming the MachineConfig and the file', (_case, source) => {
    // Arrange
    const config = machineConfig([rebootFile(source)]);

    // Act
    const read = () => readRebootNumber(config, NAME);

    // Assess
    expect(read).toThrow(ClusterAnswerError);
    expect(read).toThrow(
      `machineconfig ${NAME}: ${OC_REBOOT_NUMBER_FILE} does not hold a reboot number (data:,N%0A as oc writes it)`,
    );
  });

  it.each([
    [
      'a MachineConfig that is not an object',
      'text',
      `machineconfig ${NAME} is a string where an object was expected`,
    ],
    ['no spec', {}, `machineconfig ${NAME} spec is missing where an object was expected`],
    [
      'no spec.config',
      { spec: {} },
      `machineconfig ${NAME} spec.config is missing where an object was expected`,
    ],
    [
      'storage that is a list',
      { spec: { config: { storage: [1] } } },
      `machineconfig ${NAME} storage is a list, not an object`,
    ],
    [
      'files that are not a list',
      machineConfig({}),
      `machineconfig ${NAME} spec.config.storage.files is a object, not a list`,
    ],
    [
      'a file that is not an object',
      machineConfig([5]),
      `machineconfig ${NAME} file is 5 where an object was expected`,
    ],
    [
      'a reboot file without contents',
      machineConfig([{ path: OC_REBOOT_NUMBER_FILE }]),
      `machineconfig ${NAME} file contents is missing`,
    ],
  ])('refuses %s with ClusterAnswerError', (_case, config, message) => {
    // Arrange: the malformed answer above.

    // Act
    const read = () => readRebootNumber(config, NAME);

    // Assess
    expect(read).toThrow(ClusterAnswerError);
    expect(read).toThrow(message);
  });
});

describe('readPoolSelector', () => {
  it('reads the labels the pool selects its MachineConfigs by', () => {
    // Arrange
    const labels = { 'machineconfiguration.openshift.io/role': 'worker' };
    const pool = { spec: { machineConfigSelector: { matchLabels: labels } } };

    // Act
    const selector = readPoolSelector(pool, 'worker');

    // Assess
    expect(selector).toEqual(labels);
  });

  it.each([
    [
      'matchExpressions as well',
      { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'a', operator: 'Exists' }] },
    ],
    ['matchExpressions only', { matchExpressions: [{ key: 'a', operator: 'Exists' }] }],
    ['empty matchLabels', { matchLabels: {} }],
    ['nothing', {}],
  ])('refuses a pool that selects by %s, pointing at oc', (_case, machineConfigSelector) => {
    // Arrange
    const pool = { spec: { machineConfigSelector } };

    // Act
    const read = () => readPoolSelector(pool, 'master');

    // Assess
    expect(read).toThrow(ClusterAnswerError);
    expect(read).toThrow(
      'machineconfigpool master selects its MachineConfigs by something other than matchLabels; reboot it with oc adm reboot-machine-config-pool mcp/master instead',
    );
  });

  it.each([
    ['no spec', {}, 'machineconfigpool worker spec is missing where an object was expected'],
    [
      'no machineConfigSelector',
      { spec: {} },
      'machineconfigpool worker spec.machineConfigSelector is missing',
    ],
    [
      'a label that is not a string',
      { spec: { machineConfigSelector: { matchLabels: { role: 1 } } } },
      'machineconfigpool worker spec.machineConfigSelector.matchLabels[role] is 1, not a string',
    ],
  ])('refuses a pool with %s with ClusterAnswerError', (_case, pool, message) => {
    // Arrange: the malformed pool above.

    // Act
    const read = () => readPoolSelector(pool, 'worker');

    // Assess
    expect(read).toThrow(ClusterAnswerError);
    expect(read).toThrow(message);
  });
});

describe('readNodeConfigs', () => {
  it('sorts nodes into master and worker pools by the master role label, as oc does, and reads their current config', () => {
    // Arrange
    const list = {
      items: [
        {
          metadata: {
            name: 'master-0',
            labels: { [MASTER_ROLE_LABEL]: '' },
            annotations: { [CURRENT_CONFIG_ANNOTATION]: 'rendered-master-1' },
          },
        },
        { metadata: { name: 'worker-0', labels: { 'node-role.kubernetes.io/worker': '' } } },
        { metadata: { name: 'worker-1', annotations: { [CURRENT_CONFIG_ANNOTATION]: '' } } },
      ],
    };

    // Act
    const nodes = readNodeConfigs(list);

    // Assess
    expect(nodes).toEqual([
      { name: 'master-0', pool: 'master', currentConfig: 'rendered-master-1' },
      { name: 'worker-0', pool: 'worker' },
      { name: 'worker-1', pool: 'worker' },
    ]);
  });

  it('reads a Node list without items as no nodes', () => {
    // Arrange
    const list = { kind: 'NodeList' };

    // Act
    const nodes = readNodeConfigs(list);

    // Assess
    expect(nodes).toEqual([]);
  });

  it.each([
    ['a list that is not an object', null, 'the Node list is null where an object was expected'],
    ['items that are not a list', { items: {} }, 'the Node list items is a object, not a list'],
    ['an item without metadata', { items: [{}] }, 'node metadata is missing where an object was expected'],
    [
      'a node without a name',
      { items: [{ metadata: {} }] },
      'node 0 metadata.name is missing, not a non-empty string',
    ],
    [
      'labels that are not a map',
      { items: [{ metadata: { name: 'n1', labels: ['a'] } }] },
      'node n1 labels is a list, not an object',
    ],
    [
      'an annotation that is not a string',
      { items: [{ metadata: { name: 'n1', annotations: { [CURRENT_CONFIG_ANNOTATION]: true } } }] },
      `node n1 annotations[${CURRENT_CONFIG_ANNOTATION}] is true, not a string`,
    ],
  ])('refuses %s with ClusterAnswerError', (_case, list, message) => {
    // Arrange: the malformed list above.

    // Act
    const read = () => readNodeConfigs(list);

    // Assess
    expect(read).toThrow(ClusterAnswerError);
    expect(read).toThrow(message);
  });
});
