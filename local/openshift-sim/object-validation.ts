import { isJsonObject } from '#shared/json.ts';
import type { ClusterState } from './cluster-state.ts';
import { ClusterApiError } from './errors.ts';
import { INSTALLED_NAMESPACES, namespaceObject } from './install.ts';
import type { ObjectBody, WritableKind } from './object-writes.ts';
import {
  APISERVER_CONFIG_NAME,
  APISERVER_NAMESPACE,
  CERTS_CONFIGMAP_NAME,
  CONFIG_MANAGED_NAMESPACE,
  type ConfigMap,
  type Unstamped,
} from './objects.ts';
import { type MachineConfig, type Namespace, RENDERED_PREFIX } from './platform-objects.ts';

/** The resource name each writable kind appears under in messages (`configmaps "x" not found`). */
export const RESOURCE_OF: Readonly<Record<WritableKind, string>> = {
  ConfigMap: 'configmaps',
  Namespace: 'namespaces',
  MachineConfig: 'machineconfigs.machineconfiguration.openshift.io',
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** An object a client may write, as the store takes it. */
export type WritableObject = Unstamped<ConfigMap> | Unstamped<Namespace> | Unstamped<MachineConfig>;

/**
 * Validates a client's body as kube-apiserver (and the simulator's ownership rules) would, and builds the
 * object to store: the name must be a DNS name, the namespace must exist, the kind's fields well-formed.
 */
export function toWritableObject(
  state: ClusterState,
  kind: WritableKind,
  namespace: string | undefined,
  name: string,
  body: ObjectBody,
): WritableObject {
  assertWritable(kind, namespace, name, 'write');
  if (namespace !== undefined && state.store.get('Namespace', undefined, namespace) === undefined) {
    throw new ClusterApiError('ERR_SIM_NOT_FOUND', `namespaces "${namespace}" not found`);
  }
  const { labels, annotations } = body.metadata ?? {};
  const metadata = {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(labels === undefined ? {} : { labels: assertStringMap(labels, 'metadata.labels') }),
    ...(annotations === undefined
      ? {}
      : { annotations: assertStringMap(annotations, 'metadata.annotations') }),
  };
  switch (kind) {
    case 'ConfigMap':
      return {
        apiVersion: 'v1',
        kind,
        metadata,
        data: assertStringMap(body.data ?? {}, 'data'),
      } satisfies Unstamped<ConfigMap>;
    case 'Namespace': {
      const base = namespaceObject(name);
      return {
        ...base,
        metadata: { ...metadata, labels: { ...metadata.labels, ...base.metadata.labels } },
      } satisfies Unstamped<Namespace>;
    }
    case 'MachineConfig':
      return {
        apiVersion: 'machineconfiguration.openshift.io/v1',
        kind,
        metadata,
        spec: assertMachineConfigSpec(body.spec),
      } satisfies Unstamped<MachineConfig>;
  }
}

/** Names must be DNS names; the operator-owned trusted-keys configmaps, rendered configs and the installed namespaces are not the client's. */
export function assertWritable(
  kind: WritableKind,
  namespace: string | undefined,
  name: string,
  verb: 'write' | 'delete',
): void {
  const pattern = kind === 'Namespace' ? DNS_LABEL : DNS_SUBDOMAIN;
  if (!pattern.test(name)) {
    throw new ClusterApiError('ERR_SIM_INVALID', `metadata.name: Invalid value: "${name}": not a valid name`);
  }
  const ownedCerts =
    kind === 'ConfigMap' &&
    (namespace === APISERVER_NAMESPACE || namespace === CONFIG_MANAGED_NAMESPACE) &&
    (name === CERTS_CONFIGMAP_NAME ||
      name.startsWith(`${CERTS_CONFIGMAP_NAME}-`) ||
      (namespace === APISERVER_NAMESPACE && name === APISERVER_CONFIG_NAME));
  const rendered = kind === 'MachineConfig' && name.startsWith(RENDERED_PREFIX);
  const installed = kind === 'Namespace' && verb === 'delete' && INSTALLED_NAMESPACES.includes(name);
  if (ownedCerts || rendered || installed) {
    throw new ClusterApiError(
      'ERR_SIM_FORBIDDEN',
      `${RESOURCE_OF[kind]} "${name}" is forbidden: the OpenShift simulator lets only its ` +
        `${rendered ? 'render controller' : ownedCerts ? 'operator' : 'installer'} ${verb === 'delete' ? 'delete' : 'write'} it`,
    );
  }
}

function assertMachineConfigSpec(spec: unknown): MachineConfig['spec'] {
  if (!isJsonObject(spec) || !isJsonObject(spec.config)) {
    throw new ClusterApiError('ERR_SIM_INVALID', 'spec.config: Required value: an Ignition config');
  }
  const files = isJsonObject(spec.config.storage) ? spec.config.storage.files : undefined;
  const valid =
    files === undefined ||
    (Array.isArray(files) &&
      files.every(
        (file) => isJsonObject(file) && typeof file.path === 'string' && isJsonObject(file.contents),
      ));
  if (!valid) {
    throw new ClusterApiError(
      'ERR_SIM_INVALID',
      'spec.config.storage.files: Invalid value: each file needs a path and contents',
    );
  }
  return spec as MachineConfig['spec'];
}

function assertStringMap(value: unknown, field: string): Readonly<Record<string, string>> {
  if (!isJsonObject(value) || !Object.values(value).every((item) => typeof item === 'string')) {
    throw new ClusterApiError('ERR_SIM_INVALID', `${field}: Invalid value: must be a map of strings`);
  }
  return value as Record<string, string>;
}
