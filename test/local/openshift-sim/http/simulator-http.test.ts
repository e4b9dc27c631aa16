import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type OpenShiftSimulator,
  type OpenShiftSimulatorOptions,
  startOpenShiftSimulator,
} from '#local/openshift-sim/http/index.ts';
import {
  APISERVER_NAMESPACE,
  BOUND_SECRET_NAME,
  CERTS_CONFIGMAP_NAME,
  NEXT_SECRET_NAME,
  OPERATOR_NAMESPACE,
} from '#local/openshift-sim/index.ts';
import { signingPairData } from '#local/openshift-sim/secret-data.ts';
import type { PrivateSigningKey } from '#shared/keys/index.ts';
import { createTokenVerifier } from '#shared/tokens/index.ts';
import {
  createFakeClock,
  type FakeClock,
  generateTestKeys,
  INSTALLED_AT,
  ISSUER,
} from '../cluster-fixtures.ts';
import { callSim, protobufTokenRequest } from './sim-client.ts';

const NEXT = `/api/v1/namespaces/${OPERATOR_NAMESPACE}/secrets/${NEXT_SECRET_NAME}`;
const CERTS = `/api/v1/namespaces/${APISERVER_NAMESPACE}/configmaps/${CERTS_CONFIGMAP_NAME}`;
const TOKEN = '/api/v1/namespaces/default/serviceaccounts/default/token';
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

let initialKey: PrivateSigningKey;
let newKey: PrivateSigningKey;
let operatorKey: PrivateSigningKey;
let sim: OpenShiftSimulator;
let clock: FakeClock;

beforeAll(async () => {
  [initialKey, newKey, operatorKey] = await generateTestKeys();
});

async function start(overrides: Partial<OpenShiftSimulatorOptions> = {}): Promise<OpenShiftSimulator> {
  await sim?.close();
  clock = createFakeClock();
  sim = await startOpenShiftSimulator({
    issuerUrl: ISSUER,
    initialKey,
    clock,
    generateKey: async () => operatorKey,
    ...overrides,
  });
  return sim;
}

beforeEach(async () => {
  await start();
});
afterEach(async () => {
  await sim.close();
});

/** GET with the simulator's token. */
const get = (path: string) => callSim(sim, { path });

/** The Status fields every error answer must carry. */
const failure = (code: number, reason: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  reason,
  code,
  message: expect.any(String),
});

describe('startOpenShiftSimulator: authentication', () => {
  it.each([
    ['no token', null],
    ['another token', 'another-token-of-enough-length'],
  ])('refuses a request with %s with a 401 Status', async (_case, token) => {
    // Act
    const answer = await callSim(sim, { path: NEXT, token });

    // Assess
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ ...failure(401, 'Unauthorized'), metadata: {} });
  });

  it('answers 401 to everything, discovery included, while the credential is expired, and serves again once restored', async () => {
    // Act
    sim.expireCredential(true);
    const whileExpired = await Promise.all(['/version', '/api', NEXT].map((path) => callSim(sim, { path })));
    sim.expireCredential(false);
    const restored = await callSim(sim, { path: NEXT });

    // Assess
    expect(whileExpired.map((answer) => answer.status)).toEqual([401, 401, 401]);
    expect(restored.status).toBe(200);
  });

  it('writes a kubeconfig with the CA inline, the token and the keyturn-sim context', () => {
    // Act
    const kubeconfig = sim.kubeconfig();

    // Assess
    expect(kubeconfig).toContain(`server: "${sim.url}"`);
    expect(kubeconfig).toContain(
      `certificate-authority-data: "${Buffer.from(sim.caPem).toString('base64')}"`,
    );
    expect(kubeconfig).toContain(`token: "${sim.token}"`);
    expect(kubeconfig).toContain('current-context: "keyturn-sim"');
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('startOpenShiftSimulator: discovery', () => {
  it('serves /version as Kubernetes 1.32, /api and /apis with operator.openshift.io', async () => {
    // Act
    const version = await get('/version');
    const api = await get('/api');
    const apis = await get('/apis');
    const group = await get('/apis/operator.openshift.io');

    // Assess
    expect(version.json).toMatchObject({
      major: '1',
      minor: '32',
      gitVersion: expect.stringMatching(/^v1\.32\./),
    });
    expect(api.json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect(apis.json.kind).toBe('APIGroupList');
    expect(apis.json.groups).toContainEqual(
      expect.objectContaining({
        name: 'operator.openshift.io',
        preferredVersion: { groupVersion: 'operator.openshift.io/v1', version: 'v1' },
      }),
    );
    expect(group.json).toMatchObject({ kind: 'APIGroup', name: 'operator.openshift.io' });
    expect(api.contentType).toBe('application/json');
  });

  it('lists the core and operator resources, with the TokenRequest subresource', async () => {
    // Act
    const core = await get('/api/v1');
    const operator = await get('/apis/operator.openshift.io/v1');

    // Assess
    expect(core.json).toMatchObject({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1' });
    const byName = Object.fromEntries(
      core.json.resources.map((resource: { name: string }) => [resource.name, resource]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'configmaps',
      'namespaces',
      'nodes',
      'pods',
      'secrets',
      'serviceaccounts',
      'serviceaccounts/token',
    ]);
    expect(byName.secrets).toMatchObject({
      kind: 'Secret',
      namespaced: true,
      verbs: expect.arrayContaining(['patch']),
    });
    expect(byName['serviceaccounts/token']).toMatchObject({
      kind: 'TokenRequest',
      group: 'authentication.k8s.io',
      verbs: ['create'],
    });
    expect(operator.json.resources).toEqual([
      expect.objectContaining({ name: 'kubeapiservers', kind: 'KubeAPIServer', namespaced: false }),
    ]);
  });

  it.each([
    '/apis/apps/v1',
    '/api/v2',
    '/healthz',
    '/api/v1/namespaces/default/deployments',
    '/api/v1/namespaces/default/secrets/x/status',
    '/apis/operator.openshift.io/v1/kubeapiservers/cluster/status',
  ])('answers %s with a 404 Status', async (path) => {
    // Act
    const answer = await callSim(sim, { path });

    // Assess
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({
      ...failure(404, 'NotFound'),
      message: 'the server could not find the requested resource',
    });
  });
});

describe('startOpenShiftSimulator: reads', () => {
  it('serves objects with kind and apiVersion: the trusted-keys configmap and the operator status', async () => {
    // Act
    const certs = await get(CERTS);
    const operator = await get('/apis/operator.openshift.io/v1/kubeapiservers/cluster');
    const namespace = await get(`/api/v1/namespaces/${OPERATOR_NAMESPACE}`);
    const account = await get('/api/v1/namespaces/default/serviceaccounts/default');

    // Assess
    expect(certs.json).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Object.keys(certs.json.data)).toEqual(['service-account-001.pub']);
    expect(operator.json).toMatchObject({
      kind: 'KubeAPIServer',
      apiVersion: 'operator.openshift.io/v1',
      status: { latestAvailableRevision: 1 },
    });
    expect(namespace.json).toMatchObject({ kind: 'Namespace', status: { phase: 'Active' } });
    expect(account.json).toMatchObject({
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: 'default' },
    });
  });

  it('lists as <Kind>List with the latest resourceVersion, filtered by an equality label selector', async () => {
    // Act
    const pods = await callSim(sim, {
      path: `/api/v1/namespaces/${APISERVER_NAMESPACE}/pods?labelSelector=${encodeURIComponent('apiserver=true,revision=1')}`,
    });
    const none = await callSim(sim, {
      path: `/api/v1/namespaces/${APISERVER_NAMESPACE}/pods?labelSelector=revision%3D9`,
    });
    const everywhere = await callSim(sim, {
      path: `/api/v1/configmaps?fieldSelector=metadata.name%3D${CERTS_CONFIGMAP_NAME}`,
    });

    // Assess
    expect(pods.json).toMatchObject({
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: sim.model.resourceVersion },
    });
    expect(pods.json.items.map((pod: { metadata: { name: string } }) => pod.metadata.name)).toEqual([
      'kube-apiserver-master-0',
      'kube-apiserver-master-1',
      'kube-apiserver-master-2',
    ]);
    expect(none.json.items).toEqual([]);
    expect(
      everywhere.json.items.map((item: { metadata: { namespace: string } }) => item.metadata.namespace),
    ).toEqual(['openshift-config-managed', 'openshift-kube-apiserver']);
  });

  it.each([
    [`/api/v1/namespaces/${OPERATOR_NAMESPACE}/secrets/nope`, 'secrets "nope" not found'],
    ['/api/v1/namespaces/nope', 'namespaces "nope" not found'],
    ['/apis/operator.openshift.io/v1/kubeapiservers/other', 'kubeapiservers "other" not found'],
    ['/api/v1/namespaces/nope/serviceaccounts/default', 'serviceaccounts "default" not found'],
  ])('answers GET %s with a NotFound Status: %s', async (path, message) => {
    // Act
    const answer = await callSim(sim, { path });

    // Assess
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ ...failure(404, 'NotFound'), message });
  });

  it.each([
    [
      'a set-based label selector',
      `/api/v1/namespaces/${APISERVER_NAMESPACE}/pods?labelSelector=revision+in+(1)`,
      400,
    ],
    ['an unknown field selector', '/api/v1/secrets?fieldSelector=type%3DOpaque', 400],
    ['a watch of one object', `/api/v1/namespaces/${APISERVER_NAMESPACE}/pods/x?watch=true`, 405],
    ['a list of service accounts', '/api/v1/namespaces/default/serviceaccounts', 405],
  ])('refuses %s with a Status', async (_case, path, code) => {
    // Act
    const answer = await callSim(sim, { path });

    // Assess
    expect(answer.status).toBe(code);
    expect(answer.json).toMatchObject({ kind: 'Status', status: 'Failure', code });
  });
});

describe('startOpenShiftSimulator: secret writes', () => {
  const replaceOps = (pair: PrivateSigningKey) => {
    const data = signingPairData(pair, 'PUBLIC KEY');
    return [
      { op: 'replace', path: '/data/service-account.key', value: data['service-account.key'] },
      { op: 'replace', path: '/data/service-account.pub', value: data['service-account.pub'] },
    ];
  };

  it('applies a JSON Patch to the next secret, and the operator trusts the key as service-account-002.pub', async () => {
    // Prepare
    const before = await callSim(sim, { path: NEXT });

    // Act
    const patched = await callSim(sim, {
      method: 'PATCH',
      path: NEXT,
      body: replaceOps(newKey),
      contentType: 'application/json-patch+json',
    });
    const certs = await callSim(sim, { path: CERTS });

    // Assess
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      kind: 'Secret',
      apiVersion: 'v1',
      data: signingPairData(newKey, 'PUBLIC KEY'),
    });
    expect(patched.json.metadata.resourceVersion).not.toBe(before.json.metadata.resourceVersion);
    expect(patched.json.metadata.uid).toBe(before.json.metadata.uid);
    expect(Object.keys(certs.json.data)).toEqual(['service-account-001.pub', 'service-account-002.pub']);
  });

  it('refuses a JSON Patch whose test fails with 422 and leaves the secret as it was', async () => {
    // Prepare
    const before = await callSim(sim, { path: NEXT });

    // Act
    const answer = await callSim(sim, {
      method: 'PATCH',
      path: NEXT,
      body: [{ op: 'test', path: '/metadata/name', value: 'other' }, ...replaceOps(newKey)],
      contentType: 'application/json-patch+json',
    });
    const after = await callSim(sim, { path: NEXT });

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject(failure(422, 'Invalid'));
    expect(after.json).toEqual(before.json);
  });

  it.each([
    ['not JSON', Buffer.from('[{"op":')],
    ['an object', { op: 'replace' }],
    ['an unknown op', [{ op: 'frobnicate', path: '/data' }]],
    ['a replace without value', [{ op: 'replace', path: '/data/x' }]],
    ['a move without from', [{ op: 'move', path: '/data/x' }]],
  ])('refuses a JSON Patch that is %s with a 400 Status', async (_case, body) => {
    // Act
    const answer = await callSim(sim, {
      method: 'PATCH',
      path: NEXT,
      body,
      contentType: 'application/json-patch+json',
    });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject(failure(400, 'BadRequest'));
  });

  it('never quotes the body in an error (it may hold a private key)', async () => {
    // Act
    const answer = await callSim(sim, {
      method: 'PATCH',
      path: NEXT,
      body: Buffer.from('{"data":{"service-account.key":"SECRET-MATERIAL"'),
      contentType: 'application/merge-patch+json',
    });

    // Assess
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.json)).not.toContain('SECRET-MATERIAL');
  });

  it.each(['application/merge-patch+json', 'application/strategic-merge-patch+json'])(
    'applies a %s patch',
    async (contentType) => {
      // Act
      const answer = await callSim(sim, {
        method: 'PATCH',
        path: NEXT,
        body: { metadata: { labels: { rotated: 'yes' } }, data: signingPairData(newKey, 'PUBLIC KEY') },
        contentType,
      });

      // Assess
      expect(answer.status).toBe(200);
      expect(answer.json.metadata.labels).toEqual({ rotated: 'yes' });
      expect(answer.json.data).toEqual(signingPairData(newKey, 'PUBLIC KEY'));
    },
  );

  it('refuses an apply patch with 415', async () => {
    // Act
    const answer = await callSim(sim, {
      method: 'PATCH',
      path: NEXT,
      body: Buffer.from('{}'),
      contentType: 'application/apply-patch+yaml',
    });

    // Assess
    expect(answer.status).toBe(415);
    expect(answer.json).toMatchObject(failure(415, 'UnsupportedMediaType'));
  });

  it('PUTs the next secret, and refuses a stale resourceVersion with a 409 Conflict', async () => {
    // Prepare
    const current = await callSim(sim, { path: NEXT });
    const body = { ...current.json, data: signingPairData(newKey, 'PUBLIC KEY') };

    // Act
    const replaced = await callSim(sim, { method: 'PUT', path: NEXT, body });
    const stale = await callSim(sim, { method: 'PUT', path: NEXT, body });

    // Assess
    expect(replaced.status).toBe(200);
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject(failure(409, 'Conflict'));
  });

  it('refuses writes to any other secret and the operator-owned configmaps with 403, and to read-only resources with 405', async () => {
    // Act
    const bound = await callSim(sim, {
      method: 'PATCH',
      path: `/api/v1/namespaces/${APISERVER_NAMESPACE}/secrets/${BOUND_SECRET_NAME}`,
      body: { data: {} },
      contentType: 'application/merge-patch+json',
    });
    const configMap = await callSim(sim, { method: 'DELETE', path: CERTS });
    const node = await callSim(sim, { method: 'DELETE', path: '/api/v1/nodes/worker-0' });

    // Assess
    expect(bound.json).toMatchObject(failure(403, 'Forbidden'));
    expect(configMap.json).toMatchObject(failure(403, 'Forbidden'));
    expect(node.json).toMatchObject(failure(405, 'MethodNotAllowed'));
  });

  it('POSTs the next secret when it is missing, and refuses a second create with 409 AlreadyExists', async () => {
    // Prepare: hold the operator's key generation so the secret stays deleted.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await start({ generateKey: async () => held.then(() => operatorKey) });
    const deleting = callSim(sim, { method: 'DELETE', path: NEXT });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const collection = `/api/v1/namespaces/${OPERATOR_NAMESPACE}/secrets`;
    const body = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: NEXT_SECRET_NAME },
      data: signingPairData(newKey, 'PUBLIC KEY'),
    };

    // Act
    const created = await callSim(sim, { method: 'POST', path: collection, body });
    const again = await callSim(sim, { method: 'POST', path: collection, body });
    release();
    await deleting;

    // Assess
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ kind: 'Secret', data: signingPairData(newKey, 'PUBLIC KEY') });
    expect(again.json).toMatchObject(failure(409, 'AlreadyExists'));
  });

  it('DELETEs the next secret: GET answers 404 until the operator has written its own key under a new uid', async () => {
    // Prepare
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await start({ generateKey: async () => held.then(() => operatorKey) });
    const before = await callSim(sim, { path: NEXT });

    // Act
    const deleting = callSim(sim, { method: 'DELETE', path: NEXT });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const meanwhile = await callSim(sim, { path: NEXT });
    release();
    const deleted = await deleting;
    const after = await callSim(sim, { path: NEXT });

    // Assess
    expect(meanwhile.status).toBe(404);
    expect(meanwhile.json).toMatchObject({
      ...failure(404, 'NotFound'),
      message: `secrets "${NEXT_SECRET_NAME}" not found`,
    });
    expect(deleted.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: NEXT_SECRET_NAME, kind: 'secrets', uid: before.json.metadata.uid },
      code: 200,
    });
    expect(after.status).toBe(200);
    expect(after.json.metadata.uid).not.toBe(before.json.metadata.uid);
    expect(after.json.data).toEqual(signingPairData(operatorKey, 'RSA PUBLIC KEY'));
  });
});

describe('startOpenShiftSimulator: TokenRequest', () => {
  const verify = (token: string, key: PrivateSigningKey, audience?: string) =>
    createTokenVerifier({
      keySet: { keys: [key.publicKey] },
      issuer: ISSUER,
      ...(audience === undefined ? {} : { audience }),
    }).verify(token, clock.now());

  it('decodes a protobuf TokenRequest (as kubectl 1.32 sends it) and answers JSON with an RFC 3339 expiry', async () => {
    // Act
    const answer = await callSim(sim, {
      method: 'POST',
      path: TOKEN,
      body: protobufTokenRequest({ audiences: ['sts.amazonaws.com'], expirationSeconds: 600 }),
      contentType: PROTOBUF,
    });

    // Assess
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      spec: { audiences: ['sts.amazonaws.com'], expirationSeconds: 600 },
      status: {
        expirationTimestamp: new Date(INSTALLED_AT.getTime() + 600_000).toISOString().replace('.000', ''),
      },
    });
    const verified = await verify(answer.json.status.token, initialKey, 'sts.amazonaws.com');
    expect(verified.subject).toBe('system:serviceaccount:default:default');
  });

  it('decodes a JSON TokenRequest and defaults the audience to the issuer and the lifetime to an hour', async () => {
    // Act
    const answer = await callSim(sim, {
      method: 'POST',
      path: '/api/v1/namespaces/keyturn/serviceaccounts/keyturn-probe/token',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
    });

    // Assess
    expect(answer.json.spec).toEqual({ audiences: [ISSUER], expirationSeconds: 3600, boundObjectRef: null });
    const verified = await verify(answer.json.status.token, initialKey, ISSUER);
    expect(verified.subject).toBe('system:serviceaccount:keyturn:keyturn-probe');
  });

  it('binds a token to a kube-apiserver pod and its node', async () => {
    // Prepare
    const podPath = `/api/v1/namespaces/${APISERVER_NAMESPACE}/pods/kube-apiserver-master-1`;
    const pod = await callSim(sim, { path: podPath });

    // Act
    const answer = await callSim(sim, {
      method: 'POST',
      path: `/api/v1/namespaces/${APISERVER_NAMESPACE}/serviceaccounts/installer-sa/token`,
      body: protobufTokenRequest({
        audiences: ['sts.amazonaws.com'],
        boundPod: { name: 'kube-apiserver-master-1', uid: pod.json.metadata.uid },
      }),
      contentType: PROTOBUF,
    });

    // Assess
    expect(answer.status).toBe(201);
    const { claims } = await verify(answer.json.status.token, initialKey);
    expect(claims['kubernetes.io']).toMatchObject({
      pod: { name: 'kube-apiserver-master-1', uid: pod.json.metadata.uid },
      node: { name: 'master-1', uid: expect.any(String) },
    });
  });

  it.each([
    ['a body without the k8s magic', Buffer.from('not protobuf'), PROTOBUF, 400],
    ['a truncated protobuf body', protobufTokenRequest({ audiences: ['a'] }).subarray(0, 20), PROTOBUF, 400],
    ['a YAML body', Buffer.from('spec: {}'), 'application/yaml', 415],
    [
      'a 5-minute lifetime',
      protobufTokenRequest({ audiences: ['a'], expirationSeconds: 300 }),
      PROTOBUF,
      422,
    ],
  ])('refuses %s with a Status', async (_case, body, contentType, code) => {
    // Act
    const answer = await callSim(sim, { method: 'POST', path: TOKEN, body, contentType });

    // Assess
    expect(answer.status).toBe(code);
    expect(answer.json).toMatchObject({ kind: 'Status', status: 'Failure', code });
  });

  it('signs with the new key once every node has rolled out and the operator promoted it', async () => {
    // Prepare
    await callSim(sim, {
      method: 'PATCH',
      path: NEXT,
      body: { data: signingPairData(newKey, 'PUBLIC KEY') },
      contentType: 'application/merge-patch+json',
    });

    // Act: trust rolls out over 3 nodes (6 s), then the promotion over 3 more.
    clock.advance(12);
    const answer = await callSim(sim, {
      method: 'POST',
      path: TOKEN,
      body: { spec: { audiences: ['sts'] } },
    });

    // Assess
    await expect(verify(answer.json.status.token, newKey, 'sts')).resolves.toMatchObject({
      kid: newKey.publicKey.kid,
    });
    await expect(verify(answer.json.status.token, initialKey, 'sts')).rejects.toMatchObject({
      code: 'ERR_TOKEN_KID_UNKNOWN',
    });
  });
});

describe('startOpenShiftSimulator: faults', () => {
  it.each([
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
    ['Conflict', 409],
    ['TooManyRequests', 429],
  ] as const)('answers an injected %s as a %i Status, once', async (reason, code) => {
    // Prepare
    sim.model.faults.failNextCalls(1, reason);

    // Act
    const failed = await callSim(sim, { path: NEXT });
    const next = await callSim(sim, { path: NEXT });

    // Assess
    expect(failed.status).toBe(code);
    expect(failed.json).toMatchObject({
      ...failure(code, reason),
      message: expect.stringContaining(`GET ${NEXT}`),
    });
    expect(next.status).toBe(200);
  });

  it('leaves discovery and /version out of injected failures, so they hit resource calls only', async () => {
    // Prepare
    sim.model.faults.failNextCalls(1);

    // Act
    const discovery = await Promise.all(
      ['/version', '/api', '/apis/operator.openshift.io/v1'].map((path) => callSim(sim, { path })),
    );
    const write = await callSim(sim, {
      method: 'PATCH',
      path: NEXT,
      body: { data: signingPairData(newKey, 'PUBLIC KEY') },
      contentType: 'application/merge-patch+json',
    });

    // Assess
    expect(discovery.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(write.status).toBe(500);
    expect(sim.model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME)?.data).toEqual(
      signingPairData(initialKey, 'PUBLIC KEY'),
    );
  });

  it('delays every resource call by the API delay', async () => {
    // Prepare
    const slept: number[] = [];
    await start({ sleep: async (ms) => void slept.push(ms) });
    sim.model.faults.setApiDelay(250);

    // Act
    await callSim(sim, { path: NEXT });
    await callSim(sim, { path: CERTS });

    // Assess
    expect(slept).toEqual([250, 250]);
  });

  it('keeps serving the key of the revision each node runs while a node is stuck', async () => {
    // Prepare
    sim.model.stickNode('master-1');
    await callSim(sim, {
      method: 'PATCH',
      path: NEXT,
      body: { data: signingPairData(newKey, 'PUBLIC KEY') },
      contentType: 'application/merge-patch+json',
    });

    // Act
    clock.advance(60);
    const status = await callSim(sim, { path: '/apis/operator.openshift.io/v1/kubeapiservers/cluster' });

    // Assess
    expect(status.json.status.nodeStatuses).toEqual([
      { nodeName: 'master-0', currentRevision: 2 },
      { nodeName: 'master-1', currentRevision: 1, targetRevision: 2 },
      { nodeName: 'master-2', currentRevision: 1 },
    ]);
  });
});
