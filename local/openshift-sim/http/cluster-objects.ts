import { createHash, randomUUID } from 'node:crypto';
import type { ClusterModel } from '../cluster-model.ts';
import { toKubeTime } from '../objects.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * The objects the model does not hold but clients expect: service accounts (the subjects of
 * TokenRequest). Every namespace has every service account a client asks for, so a probe account never
 * needs creating. Uids are stable for one simulator.
 */
export interface ClusterObjects {
  /** A service account, or undefined when its namespace does not exist or its name is invalid. */
  serviceAccount(namespace: string, name: string): object | undefined;
  /** The uid of a node, for the `kubernetes.io.node` claim of pod-bound tokens. */
  nodeUid(nodeName: string): string;
}

/** Creates the synthesized objects of one simulator over `model`, started at `createdAt`. */
export function createClusterObjects(model: ClusterModel, createdAt: Date): ClusterObjects {
  const salt = randomUUID();
  const uidOf = (what: string) => stableUid(`${salt}/${what}`);
  return {
    serviceAccount: (namespace, name) =>
      model.get('Namespace', undefined, namespace) !== undefined && DNS_SUBDOMAIN.test(name)
        ? {
            apiVersion: 'v1',
            kind: 'ServiceAccount',
            metadata: {
              name,
              namespace,
              uid: uidOf(`${namespace}/${name}`),
              resourceVersion: '1',
              creationTimestamp: toKubeTime(createdAt),
            },
          }
        : undefined,
    nodeUid: (nodeName) => model.get('Node', undefined, nodeName)?.metadata.uid ?? uidOf(`node/${nodeName}`),
  };
}

/** A UUID-shaped id derived from `seed` (SHA-256, with the RFC 9562 version 8 and variant bits). */
function stableUid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
