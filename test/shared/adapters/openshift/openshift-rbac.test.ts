import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenShiftSimulator, SimulatorRequest } from '#local/openshift-sim/http/index.ts';
import { createSimulatorSigner, NEXT_SECRET, readTestKeys, startTestSimulator } from './signer-fixtures.ts';

const DOCS = join(import.meta.dirname, '../../../../docs');
const MANIFEST_TEXT = readFileSync(join(DOCS, 'openshift-rbac.yaml'), 'utf8');

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
}

interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

/** The manifest's documents, split on `---` lines as `oc apply` reads them. */
const objects = MANIFEST_TEXT.split(/^---$/m).map((text) => load(text) as ManifestObject);

const roles = objects.filter((object) => object.kind === 'Role' || object.kind === 'ClusterRole');
const bindings = objects.filter(
  (object) => object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding',
);

/** The RBAC attributes of one request, as kube-apiserver's authorizer sees them. */
interface RequestAttributes {
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
}

const VERBS: Record<string, string> = { GET: 'get', PATCH: 'patch', PUT: 'update', POST: 'create' };

/** `/api/v1/namespaces/NS/RES[/NAME[/SUB]]` or `/apis/GROUP/VERSION/RES[/NAME]` to RBAC attributes. */
function attributesOf(request: SimulatorRequest): RequestAttributes {
  const path = request.path.split('/').slice(1);
  const [prefix, ...rest] = path;
  const [apiGroup, tail] = prefix === 'api' ? ['', rest.slice(1)] : [rest[0] ?? '', rest.slice(2)];
  const [namespace, parts] = tail[0] === 'namespaces' ? [tail[1], tail.slice(2)] : [undefined, tail];
  const [resource = '', name, subresource] = parts;
  // kube-apiserver's authorizer calls a GET of a collection `list`.
  const verb = request.method === 'GET' && name === undefined ? 'list' : VERBS[request.method];
  return {
    verb: verb ?? request.method,
    apiGroup,
    resource: subresource === undefined ? resource : `${resource}/${subresource}`,
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
  };
}

/** Whether some role bound to keyturn/keyturn allows the request (Kubernetes RBAC, no aggregation). */
function allows(attributes: RequestAttributes): boolean {
  return bindings.some((binding) => {
    const role = roles.find(
      (candidate) =>
        candidate.kind === binding.roleRef?.kind &&
        candidate.metadata.name === binding.roleRef.name &&
        candidate.metadata.namespace === binding.metadata.namespace,
    );
    const boundHere =
      binding.kind === 'ClusterRoleBinding' || binding.metadata.namespace === attributes.namespace;
    return boundHere && (role?.rules ?? []).some((rule) => ruleAllows(rule, attributes));
  });
}

function ruleAllows(rule: Rule, attributes: RequestAttributes): boolean {
  return (
    (rule.apiGroups ?? []).includes(attributes.apiGroup) &&
    (rule.resources ?? []).includes(attributes.resource) &&
    (rule.verbs ?? []).includes(attributes.verb) &&
    (rule.resourceNames === undefined ||
      (attributes.name !== undefined && rule.resourceNames.includes(attributes.name)))
  );
}

describe('docs/openshift-rbac.yaml', () => {
  it('holds the namespace, both service accounts, six roles and their bindings', () => {
    // Assess
    expect(
      objects.map((object) => `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`),
    ).toEqual([
      'Namespace /keyturn',
      'ServiceAccount keyturn/keyturn',
      'ServiceAccount keyturn/keyturn-probe',
      'Role openshift-kube-apiserver-operator/keyturn-next-signing-key',
      'RoleBinding openshift-kube-apiserver-operator/keyturn-next-signing-key',
      'Role openshift-kube-apiserver/keyturn-trusted-keys',
      'RoleBinding openshift-kube-apiserver/keyturn-trusted-keys',
      'ClusterRole /keyturn-rollout-status',
      'ClusterRoleBinding /keyturn-rollout-status',
      'Role keyturn/keyturn-probe-tokens',
      'RoleBinding keyturn/keyturn-probe-tokens',
      'Role openshift-cloud-credential-operator/keyturn-rotation-guard',
      'RoleBinding openshift-cloud-credential-operator/keyturn-rotation-guard',
      'ClusterRole /keyturn-rotation-procedure',
      'ClusterRoleBinding /keyturn-rotation-procedure',
    ]);
  });

  it('grants no wildcard verbs, resources or API groups', () => {
    // Assess
    for (const rule of roles.flatMap((role) => role.rules ?? [])) {
      expect([...(rule.verbs ?? []), ...(rule.resources ?? []), ...(rule.apiGroups ?? [])]).not.toContain(
        '*',
      );
    }
  });

  it('grants no access to secrets in openshift-kube-apiserver, nor to secrets cluster-wide', () => {
    // Assess
    const reachesApiserverSecrets = roles.filter(
      (role) =>
        (role.kind === 'ClusterRole' || role.metadata.namespace === 'openshift-kube-apiserver') &&
        (role.rules ?? []).some((rule) =>
          (rule.resources ?? []).some((resource) => resource.startsWith('secrets')),
        ),
    );
    expect(reachesApiserverSecrets).toEqual([]);
    expect(
      allows({
        verb: 'get',
        apiGroup: '',
        resource: 'secrets',
        namespace: 'openshift-kube-apiserver',
        name: 'bound-service-account-signing-key',
      }),
    ).toBe(false);
  });

  it('limits every rule by resourceNames except the creates, the lists and the get of rendered configs', () => {
    // Assess
    const unnamed = roles.flatMap((role) =>
      (role.rules ?? [])
        .filter((rule) => rule.resourceNames === undefined)
        .map(
          (rule) =>
            `${role.metadata.namespace ?? 'cluster-wide'}: ${rule.verbs?.join(',')} ${rule.resources?.join(',')}`,
        ),
    );
    expect(unnamed).toEqual([
      'openshift-kube-apiserver-operator: create secrets',
      'openshift-cloud-credential-operator: create configmaps',
      'cluster-wide: list clusteroperators',
      'cluster-wide: create machineconfigs',
      'cluster-wide: get machineconfigs',
      'cluster-wide: list nodes',
    ]);
  });

  it('binds every role, in its own namespace, to keyturn/keyturn only', () => {
    // Assess
    expect(bindings).toHaveLength(roles.length);
    for (const binding of bindings) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'keyturn', namespace: 'keyturn' }]);
      expect(binding.metadata.name).toBe(binding.roleRef?.name);
      expect(
        roles.some(
          (role) =>
            role.metadata.name === binding.roleRef?.name &&
            role.metadata.namespace === binding.metadata.namespace,
        ),
      ).toBe(true);
    }
  });

  it('is the manifest docs/openshift.md shows', () => {
    // Assess
    expect(readFileSync(join(DOCS, 'openshift.md'), 'utf8')).toContain(`\`\`\`yaml\n${MANIFEST_TEXT}\`\`\``);
  });
});

describe('docs/openshift-rbac.yaml against the adapter', () => {
  const { current, next } = readTestKeys();
  let simulator: OpenShiftSimulator;

  beforeAll(async () => {
    // The operator never generates a key of its own here, so the deleted next secret stays deleted.
    ({ simulator } = await startTestSimulator(current, { generateKey: () => new Promise(() => {}) }));
  });

  afterAll(async () => {
    await simulator.close();
  });

  it('allows every request the adapter makes, on every path of push, watch, verify and drift', async () => {
    // Prepare
    void simulator.model.deleteSecret(NEXT_SECRET.namespace, NEXT_SECRET.name);
    const { signer } = createSimulatorSigner(simulator);

    // Act: create, then patch, then the reads
    await signer.push(current);
    await signer.push(next);
    await signer.rolloutProgress(next.publicKey.kid);
    await signer.requestToken('sts.amazonaws.com');
    await signer.readKeys();

    // Assess
    const attributes = simulator.requests.map(attributesOf);
    expect(new Set(attributes.map((request) => `${request.verb} ${request.resource}`))).toEqual(
      new Set([
        'get secrets',
        'create secrets',
        'patch secrets',
        'get configmaps',
        'get kubeapiservers',
        'create serviceaccounts/token',
      ]),
    );
    expect(attributes.filter((request) => !allows(request))).toEqual([]);
  });
});

describe('docs/openshift-rbac.yaml against the procedure around the signer', () => {
  const { current } = readTestKeys();
  let simulator: OpenShiftSimulator;

  beforeAll(async () => {
    ({ simulator } = await startTestSimulator(current));
  });

  afterAll(async () => {
    await simulator.close();
  });

  it('allows every ClusterPlatform request, and no more than the procedure needs (ONE-SIGNER)', async () => {
    // Prepare
    const { signer } = createSimulatorSigner(simulator);
    const operation = { issuerId: 'cluster-a', rotationId: 'r1' };
    const before = simulator.requests.length;

    // Act: every read, both creates, then the updates
    await signer.readStability();
    await signer.readTokenLifetime();
    await signer.readRotationGuard(operation);
    await signer.holdRotationGuard(operation);
    await signer.releaseRotationGuard(operation);
    for (const pool of ['worker', 'master'] as const) {
      await signer.requestPoolReboot(pool, 1);
      await signer.requestPoolReboot(pool, 2);
      await signer.readPoolReboot(pool);
      await signer.rebootProgress(pool, 2);
    }

    // Assess
    const attributes = simulator.requests.slice(before).map(attributesOf);
    expect(new Set(attributes.map((request) => `${request.verb} ${request.resource}`))).toEqual(
      new Set([
        'list clusteroperators',
        'get configmaps',
        'create configmaps',
        'update configmaps',
        'get clusterversions',
        'get machineconfigpools',
        'get machineconfigs',
        'create machineconfigs',
        'update machineconfigs',
        'list nodes',
      ]),
    );
    expect(attributes.filter((request) => !allows(request))).toEqual([]);
  });
});
