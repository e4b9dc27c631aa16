import { isJsonObject } from '#shared/json.ts';
import { ClusterApiError } from '../errors.ts';

/** The attributes of a SelfSubjectAccessReview (`spec.resourceAttributes`) the simulator reads. */
interface ResourceAttributes {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
}

/**
 * Answers a SelfSubjectAccessReview as kube-apiserver's authorizer would for an identity bound to
 * docs/openshift-rbac.yaml: allowed, unless `deniedAccess` names the request. Each entry is
 * `"VERB RESOURCE[/NAME]"` (`"list clusteroperators"`, `"get configmaps/config"`, `"create
 * serviceaccounts/token"`), RESOURCE optionally qualified by its group (`machineconfigs.machineconfiguration.openshift.io`).
 */
export function answerAccessReview(body: unknown, deniedAccess: readonly string[]): object {
  const spec = isJsonObject(body) ? body.spec : undefined;
  const attributes = isJsonObject(spec) ? spec.resourceAttributes : undefined;
  if (
    !isJsonObject(body) ||
    (body.kind !== undefined && body.kind !== 'SelfSubjectAccessReview') ||
    !isJsonObject(spec)
  ) {
    throw new ClusterApiError(
      'ERR_SIM_INVALID',
      'SelfSubjectAccessReview: the body is not a SelfSubjectAccessReview with a spec',
    );
  }
  const request = attributes === undefined ? undefined : readAttributes(attributes);
  const denial = request === undefined ? undefined : deniedAccess.find((entry) => denies(entry, request));
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: { creationTimestamp: null },
    spec,
    status:
      denial === undefined
        ? { allowed: true, reason: 'allowed by the OpenShift simulator' }
        : { allowed: false, reason: `denied by the OpenShift simulator (deniedAccess "${denial}")` },
  };
}

/** Refuses a `deniedAccess` entry that is not `VERB RESOURCE[/NAME]`. */
export function assertDeniedAccess(entries: readonly string[]): readonly string[] {
  for (const entry of entries) {
    if (!/^[a-z*]+ [a-z0-9.*-]+(\/[a-z0-9.-]+)?$/.test(entry)) {
      throw new RangeError(
        `deniedAccess entry ${JSON.stringify(entry)} is not "VERB RESOURCE[/NAME]", e.g. "get configmaps/config"`,
      );
    }
  }
  return entries;
}

function readAttributes(value: unknown): ResourceAttributes {
  if (!isJsonObject(value)) {
    throw new ClusterApiError(
      'ERR_SIM_INVALID',
      'SelfSubjectAccessReview: spec.resourceAttributes is not an object',
    );
  }
  const text = (field: string, required: boolean): string => {
    const item = value[field];
    if (item === undefined && !required) return '';
    if (typeof item !== 'string' || (required && item === '')) {
      throw new ClusterApiError(
        'ERR_SIM_INVALID',
        `SelfSubjectAccessReview: spec.resourceAttributes.${field} is not a string`,
      );
    }
    return item;
  };
  return {
    verb: text('verb', true),
    group: text('group', false),
    resource: text('resource', true),
    subresource: text('subresource', false),
    namespace: text('namespace', false),
    name: text('name', false),
  };
}

function denies(entry: string, request: ResourceAttributes): boolean {
  const [verb, target = ''] = entry.split(' ');
  if (verb !== request.verb && verb !== '*') return false;
  const [resource = '', qualifier] = target.split('/');
  const names = [
    request.resource,
    request.group === '' ? request.resource : `${request.resource}.${request.group}`,
  ];
  if (!names.includes(resource) && resource !== '*') return false;
  return qualifier === undefined || qualifier === request.name || qualifier === request.subresource;
}
