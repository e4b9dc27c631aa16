import { ClusterAnswerError } from '../../port-errors.ts';
import type { PoolName } from '../../ports.ts';
import { fieldOf, optionalList, optionalObject, requiredString, stringMap } from './answer-fields.ts';
import {
  CURRENT_CONFIG_ANNOTATION,
  MASTER_ROLE_LABEL,
  OC_REBOOT_NUMBER_FILE,
  rebootConfigName,
} from './names.ts';

/**
 * The MachineConfig `oc adm reboot-machine-config-pool` writes to make the Machine Config Operator reboot a
 * pool (oc pkg/cli/admin/rebootmachineconfigpool and its restart-template.json): `95-oc-initiated-reboot-<pool>`,
 * labelled with the pool's `spec.machineConfigSelector.matchLabels`, Ignition 3.1.0, one file
 * `/etc/kubernetes/machine-config-operator-oc-initiated-reboot-number` (mode 420) holding `data:,N%0A`.
 * keyturn writes the same object, so `oc adm wait-for-node-reboot` follows keyturn's reboots and a later
 * `oc adm reboot-machine-config-pool` counts on from keyturn's number.
 */

/** The reboot MachineConfig's body for `pool` at `rebootNumber`, labelled as the pool selects. */
export function rebootConfigBody(
  pool: PoolName,
  rebootNumber: number,
  labels: Readonly<Record<string, string>>,
  resourceVersion?: string,
) {
  return {
    apiVersion: 'machineconfiguration.openshift.io/v1',
    kind: 'MachineConfig',
    metadata: {
      name: rebootConfigName(pool),
      labels: { ...labels },
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    spec: {
      config: {
        ignition: { version: '3.1.0' },
        storage: {
          files: [
            { path: OC_REBOOT_NUMBER_FILE, mode: 420, contents: { source: `data:,${rebootNumber}%0A` } },
          ],
        },
      },
    },
  };
}

/** A MachineConfig body as the adapter writes it. */
export type RebootConfigBody = ReturnType<typeof rebootConfigBody>;

/**
 * The reboot number in a MachineConfig (the reboot one, or a rendered one that merged it), as oc's
 * GetRebootNumber reads it; 0 when it carries no reboot-number file.
 */
export function readRebootNumber(machineConfig: unknown, name: string): number {
  const where = `machineconfig ${name}`;
  const config = fieldOf(fieldOf(machineConfig, 'spec', where), 'config', `${where} spec`);
  const storage = optionalObject(fieldOf(config, 'storage', `${where} spec.config`), `${where} storage`);
  const files = optionalList(storage.files, `${where} spec.config.storage.files`);
  const file = files.find((entry) => fieldOf(entry, 'path', `${where} file`) === OC_REBOOT_NUMBER_FILE);
  if (file === undefined) return 0;
  const source = fieldOf(fieldOf(file, 'contents', `${where} file`), 'source', `${where} file contents`);
  const number = typeof source === 'string' ? decodeNumber(source) : undefined;
  if (number === undefined) {
    throw new ClusterAnswerError(
      `${where}: ${OC_REBOOT_NUMBER_FILE} does not hold a reboot number (data:,N%0A as oc writes it)`,
    );
  }
  return number;
}

/** `data:,7%0A` (or base64 `data:;base64,Nwo=`) → 7. */
function decodeNumber(source: string): number | undefined {
  const match = /^data:([^,]*),(.*)$/s.exec(source);
  if (match === null) return undefined;
  let text: string;
  try {
    text = (match[1] ?? '').endsWith(';base64')
      ? Buffer.from(match[2] ?? '', 'base64').toString('utf8')
      : decodeURIComponent(match[2] ?? '');
  } catch {
    return undefined;
  }
  const trimmed = text.trim();
  return /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * A pool's `spec.machineConfigSelector.matchLabels`, which the reboot MachineConfig must carry to be
 * rendered into the pool. Like oc, a pool that selects by `matchExpressions` (or by nothing) is refused.
 */
export function readPoolSelector(
  machineConfigPool: unknown,
  pool: PoolName,
): Readonly<Record<string, string>> {
  const where = `machineconfigpool ${pool}`;
  const selector = fieldOf(
    fieldOf(machineConfigPool, 'spec', where),
    'machineConfigSelector',
    `${where} spec`,
  );
  const labels = stringMap(
    fieldOf(selector, 'matchLabels', `${where} spec.machineConfigSelector`),
    `${where} spec.machineConfigSelector.matchLabels`,
  );
  if (Object.keys(labels).length === 0 || fieldOf(selector, 'matchExpressions', where) !== undefined) {
    throw new ClusterAnswerError(
      `${where} selects its MachineConfigs by something other than matchLabels; reboot it with oc adm reboot-machine-config-pool mcp/${pool} instead`,
    );
  }
  return labels;
}

/** A node as `oc adm wait-for-node-reboot` sees it. */
interface NodeConfig {
  readonly name: string;
  readonly pool: PoolName;
  /** Annotation `machineconfiguration.openshift.io/currentConfig`; undefined before the daemon wrote it. */
  readonly currentConfig?: string;
}

/** The nodes of a Node list: master when labelled `node-role.kubernetes.io/master`, worker otherwise (as oc). */
export function readNodeConfigs(list: unknown): NodeConfig[] {
  return optionalList(fieldOf(list, 'items', 'the Node list'), 'the Node list items').map((item, index) => {
    const metadata = fieldOf(item, 'metadata', `the Node list item ${index}`);
    const name = requiredString(fieldOf(metadata, 'name', 'node metadata'), `node ${index} metadata.name`);
    const labels = stringMap(fieldOf(metadata, 'labels', `node ${name}`), `node ${name} labels`);
    const annotations = stringMap(
      fieldOf(metadata, 'annotations', `node ${name}`),
      `node ${name} annotations`,
    );
    const current = annotations[CURRENT_CONFIG_ANNOTATION];
    return {
      name,
      pool: MASTER_ROLE_LABEL in labels ? 'master' : 'worker',
      ...(current === undefined || current === '' ? {} : { currentConfig: current }),
    };
  });
}
