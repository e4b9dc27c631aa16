import { createHash, randomUUID } from 'node:crypto';
import { toKubeTime } from '../objects.ts';

/**
 * The namespaces the simulated cluster has: the three of DESIGN.md §1, the ones every cluster has, and
 * `keyturn` for keyturn's own probe service account.
 */
export const SIMULATED_NAMESPACES: readonly string[] = [
  'default',
  'keyturn',
  'kube-public',
  'kube-system',
  'openshift-config',
  'openshift-config-managed',
  'openshift-kube-apiserver',
  'openshift-kube-apiserver-operator',
];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * The objects the model does not hold but clients expect: namespaces (kubectl GETs one after a namespaced
 * 404) and service accounts (the subjects of TokenRequest). Every simulated namespace has every service
 * account a client asks for, so a probe account never needs creating. Uids are stable for one simulator.
 */
export interface ClusterObjects {
  namespace(name: string): object | undefined;
  namespaces(): object[];
  /** A service account, or undefined when its namespace does not exist or its name is invalid. */
  serviceAccount(namespace: string, name: string): object | undefined;
  /** A stable uid for a node, for the `kubernetes.io.node` claim of pod-bound tokens. */
  nodeUid(nodeName: string): string;
}

/** Creates the synthesized objects of one simulator started at `createdAt`. */
export function createClusterObjects(createdAt: Date): ClusterObjects {
  const salt = randomUUID();
  const uidOf = (what: string) => stableUid(`${salt}/${what}`);
  const meta = (name: string, namespace?: string) => ({
    name,
    ...(namespace === undefined ? {} : { namespace }),
    uid: uidOf(`${namespace ?? ''}/${name}`),
    resourceVersion: '1',
    creationTimestamp: toKubeTime(createdAt),
  });
  const namespace = (name: string) =>
    SIMULATED_NAMESPACES.includes(name)
      ? {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { ...meta(name), labels: { 'kubernetes.io/metadata.name': name } },
          spec: { finalizers: ['kubernetes'] },
          status: { phase: 'Active' },
        }
      : undefined;
  return {
    namespace,
    namespaces: () => SIMULATED_NAMESPACES.map((name) => namespace(name) as object),
    serviceAccount: (namespaceName, name) =>
      SIMULATED_NAMESPACES.includes(namespaceName) && DNS_SUBDOMAIN.test(name)
        ? { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, namespaceName) }
        : undefined,
    nodeUid: (nodeName) => uidOf(`node/${nodeName}`),
  };
}

/** A UUID-shaped id derived from `seed` (SHA-256, with the RFC 9562 version 8 and variant bits). */
function stableUid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
