import type { ClusterModel } from '#local/openshift-sim/cluster-model.ts';
import type { Condition, IgnitionFile, MachineConfig } from '#local/openshift-sim/platform-objects.ts';
import { OC_REBOOT_NUMBER_FILE } from '#local/openshift-sim/platform-objects.ts';

/** The MachineConfig `oc adm reboot-machine-config-pool` writes (oc pkg/cli/admin/rebootmachineconfigpool). */
export function ocRebootConfig(pool: string, labels: Readonly<Record<string, string>>, count: number) {
  return {
    apiVersion: 'machineconfiguration.openshift.io/v1',
    kind: 'MachineConfig',
    metadata: { name: `95-oc-initiated-reboot-${pool}`, labels },
    spec: {
      config: {
        ignition: { version: '3.1.0' },
        storage: {
          files: [{ contents: { source: `data:,${count}%0A` }, mode: 420, path: OC_REBOOT_NUMBER_FILE }],
        },
      },
    },
  };
}

/** oc's GetRebootNumber: the count in the reboot-number file of a MachineConfig, or 0 without one. */
export function rebootNumberOf(config: Pick<MachineConfig, 'spec'> | undefined): number {
  const files: readonly IgnitionFile[] = config?.spec.config.storage?.files ?? [];
  const source = files.find((file) => file.path === OC_REBOOT_NUMBER_FILE)?.contents.source ?? '';
  return source.length < 'data:,1%0A'.length ? 0 : Number(source.slice(6, -3));
}

/**
 * `oc adm reboot-machine-config-pool mcp/<pool>` against the in-process model: reads the pool's
 * machineConfigSelector.matchLabels, then creates `95-oc-initiated-reboot-<pool>` with count 1, or
 * replaces it at its resourceVersion with the count plus one. Returns the new count.
 */
export function rebootPoolLikeOc(model: ClusterModel, pool: string): number {
  const labels =
    model.get('MachineConfigPool', undefined, pool)?.spec.machineConfigSelector.matchLabels ?? {};
  const name = `95-oc-initiated-reboot-${pool}`;
  const current = model.get('MachineConfig', undefined, name);
  if (current === undefined) {
    model.createObject('MachineConfig', undefined, ocRebootConfig(pool, labels, 1));
    return 1;
  }
  const count = rebootNumberOf(current) + 1;
  const body = ocRebootConfig(pool, labels, count);
  model.replaceObject('MachineConfig', undefined, name, {
    ...body,
    metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion },
  });
  return count;
}

/** A condition's status by type, e.g. {Available: 'True', Progressing: 'False', ...}. */
export function statusesOf(conditions: readonly Condition[] | undefined): Record<string, string> {
  return Object.fromEntries((conditions ?? []).map((condition) => [condition.type, condition.status]));
}
