/**
 * What keyturn may do in a cluster, as data: the rules of docs/openshift-rbac.yaml, which `keyturn preflight`
 * reviews one SelfSubjectAccessReview each, and the one object only the preflight reads.
 */
import type { AccessRule } from '../../preflight/preflight-reads.ts';
import {
  APISERVER_CONFIG_NAME,
  APISERVER_NAMESPACE,
  CERTS_CONFIGMAP_NAME,
  CLUSTER_OPERATOR_RESOURCE,
  CLUSTER_VERSION_RESOURCE,
  DEFAULT_PROBE_NAMESPACE,
  DEFAULT_PROBE_SERVICE_ACCOUNT,
  KUBE_APISERVER_RESOURCE,
  MACHINE_CONFIG_GROUP,
  NEXT_SECRET_NAME,
  OPERATOR_NAMESPACE,
  rebootConfigName,
} from './names.ts';
import { ROTATION_GUARD } from './rotation-guard.ts';

/** `authentications.config.openshift.io/cluster`: `spec.serviceAccountIssuer` is the `iss` of its tokens. */
export const AUTHENTICATION_RESOURCE = {
  group: 'config.openshift.io',
  version: 'v1',
  plural: 'authentications',
  name: 'cluster',
} as const;

/** One rule of docs/openshift-rbac.yaml: its verbs over its resource names (none: any object). */
interface RbacRule {
  readonly namespace?: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly verbs: readonly string[];
  readonly names?: readonly string[];
}

const MCO = MACHINE_CONFIG_GROUP.group;
const GUARD = ROTATION_GUARD.namespace;

/** The rules of docs/openshift-rbac.yaml, in its order (test/shared/adapters/openshift/cluster-preflight.test.ts holds them to the file). */
const RBAC_RULES: readonly RbacRule[] = [
  {
    namespace: OPERATOR_NAMESPACE,
    group: '',
    resource: 'secrets',
    verbs: ['get', 'patch', 'update'],
    names: [NEXT_SECRET_NAME],
  },
  { namespace: OPERATOR_NAMESPACE, group: '', resource: 'secrets', verbs: ['create'] },
  {
    namespace: APISERVER_NAMESPACE,
    group: '',
    resource: 'configmaps',
    verbs: ['get'],
    names: [CERTS_CONFIGMAP_NAME],
  },
  {
    namespace: APISERVER_NAMESPACE,
    group: '',
    resource: 'configmaps',
    verbs: ['get'],
    names: [APISERVER_CONFIG_NAME],
  },
  {
    group: KUBE_APISERVER_RESOURCE.group,
    resource: KUBE_APISERVER_RESOURCE.plural,
    verbs: ['get'],
    names: [KUBE_APISERVER_RESOURCE.name],
  },
  {
    namespace: DEFAULT_PROBE_NAMESPACE,
    group: '',
    resource: 'serviceaccounts',
    subresource: 'token',
    verbs: ['create'],
    names: [DEFAULT_PROBE_SERVICE_ACCOUNT],
  },
  {
    namespace: GUARD,
    group: '',
    resource: 'configmaps',
    verbs: ['get', 'update'],
    names: [ROTATION_GUARD.name],
  },
  { namespace: GUARD, group: '', resource: 'configmaps', verbs: ['create'] },
  {
    group: CLUSTER_VERSION_RESOURCE.group,
    resource: CLUSTER_VERSION_RESOURCE.plural,
    verbs: ['get'],
    names: [CLUSTER_VERSION_RESOURCE.name],
  },
  { group: CLUSTER_OPERATOR_RESOURCE.group, resource: CLUSTER_OPERATOR_RESOURCE.plural, verbs: ['list'] },
  {
    group: AUTHENTICATION_RESOURCE.group,
    resource: AUTHENTICATION_RESOURCE.plural,
    verbs: ['get'],
    names: [AUTHENTICATION_RESOURCE.name],
  },
  { group: MCO, resource: 'machineconfigpools', verbs: ['get'], names: ['master', 'worker'] },
  {
    group: MCO,
    resource: 'machineconfigs',
    verbs: ['update'],
    names: [rebootConfigName('master'), rebootConfigName('worker')],
  },
  { group: MCO, resource: 'machineconfigs', verbs: ['create'] },
  { group: MCO, resource: 'machineconfigs', verbs: ['get'] },
  { group: '', resource: 'nodes', verbs: ['list'] },
];

/** Every call keyturn makes, one per verb and resource name of docs/openshift-rbac.yaml. */
export const KEYTURN_API_ACCESS: readonly AccessRule[] = RBAC_RULES.flatMap((rule) =>
  rule.verbs.flatMap((verb) =>
    (rule.names ?? [undefined]).map((name) => ({
      verb,
      group: rule.group,
      resource: rule.resource,
      ...(rule.subresource === undefined ? {} : { subresource: rule.subresource }),
      ...(rule.namespace === undefined ? {} : { namespace: rule.namespace }),
      ...(name === undefined ? {} : { name }),
    })),
  ),
);
