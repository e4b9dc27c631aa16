import { request as httpsRequest } from 'node:https';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type OpenShiftSimulator,
  type OpenShiftSimulatorOptions,
  startOpenShiftSimulator,
} from '#local/openshift-sim/http/index.ts';
import { NEXT_SECRET_NAME, OPERATOR_NAMESPACE } from '#local/openshift-sim/index.ts';
import { MCO_ANNOTATIONS, TOKEN_KID_ANNOTATION } from '#local/openshift-sim/platform-objects.ts';
import { signingPairData } from '#local/openshift-sim/secret-data.ts';
import type { PrivateSigningKey } from '#shared/keys/index.ts';
import { createFakeClock, type FakeClock, generateTestKeys, ISSUER } from '../cluster-fixtures.ts';
import { ocRebootConfig, rebootNumberOf, statusesOf } from '../platform-fixtures.ts';
import { callSim, type SimAnswer } from './sim-client.ts';

/** Kubernetes JSON as the simulator answers it. */
type KubeJson = SimAnswer['json'];

const CO = '/apis/config.openshift.io/v1/clusteroperators';
const MCP = '/apis/machineconfiguration.openshift.io/v1/machineconfigpools';
const MC = '/apis/machineconfiguration.openshift.io/v1/machineconfigs';
const GUARD_NAMESPACE = 'openshift-cloud-credential-operator';
const CONFIGMAPS = `/api/v1/namespaces/${GUARD_NAMESPACE}/configmaps`;

let initialKey: PrivateSigningKey;
let newKey: PrivateSigningKey;
let sim: OpenShiftSimulator;
let clock: FakeClock;

beforeAll(async () => {
  [initialKey, newKey] = await generateTestKeys();
});

async function start(overrides: Partial<OpenShiftSimulatorOptions> = {}): Promise<void> {
  await sim?.close();
  clock = createFakeClock();
  sim = await startOpenShiftSimulator({
    issuerUrl: ISSUER,
    initialKey,
    clock,
    nodeRebootSeconds: 10,
    ...overrides,
  });
}

beforeEach(async () => {
  await start();
});
afterEach(async () => {
  await sim.close();
});

const get = (path: string) => callSim(sim, { path });

/** Pushes a new pair into the next secret with a merge patch, which starts a kube-apiserver rollout. */
const pushNewKey = () =>
  callSim(sim, {
    method: 'PATCH',
    path: `/api/v1/namespaces/${OPERATOR_NAMESPACE}/secrets/${NEXT_SECRET_NAME}`,
    body: { data: signingPairData(newKey, 'PUBLIC KEY') },
    contentType: 'application/merge-patch+json',
  });

/**
 * `oc adm reboot-machine-config-pool mcp/<pool>` over HTTP, as oc does it: GET the pool, then create
 * `95-oc-initiated-reboot-<pool>` labelled with the pool's machineConfigSelector.matchLabels, or PUT it
 * at its resourceVersion with the reboot count plus one.
 */
async function rebootPoolLikeOc(pool: string): Promise<number> {
  const { json: mcp } = await get(`${MCP}/${pool}`);
  const labels = mcp.spec.machineConfigSelector.matchLabels;
  const name = `95-oc-initiated-reboot-${pool}`;
  const current = await get(`${MC}/${name}`);
  if (current.status === 404) {
    const created = await callSim(sim, { method: 'POST', path: MC, body: ocRebootConfig(pool, labels, 1) });
    expect(created.status).toBe(201);
    return 1;
  }
  const count = rebootNumberOf(current.json) + 1;
  const body = ocRebootConfig(pool, labels, count);
  const metadata = { ...body.metadata, resourceVersion: current.json.metadata.resourceVersion };
  const replaced = await callSim(sim, { method: 'PUT', path: `${MC}/${name}`, body: { ...body, metadata } });
  expect(replaced.status).toBe(200);
  return count;
}

/** Reads a watch stream until `done` accepts the events seen so far, then closes it. */
function watchUntil(path: string, done: (events: { type: string; object: KubeJson }[]) => boolean) {
  return new Promise<{ type: string; object: KubeJson }[]>((resolve, reject) => {
    const events: { type: string; object: KubeJson }[] = [];
    const request = httpsRequest(
      new URL(path, sim.url),
      { headers: { authorization: `Bearer ${sim.token}` }, ca: sim.caPem },
      (response) => {
        let buffered = '';
        response.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          events.push(...lines.filter((line) => line !== '').map((line) => JSON.parse(line)));
          if (done(events)) {
            request.destroy();
            resolve(events);
          }
        });
      },
    );
    request.on('error', (error) => (events.length > 0 ? undefined : reject(error)));
    request.end();
  });
}

describe('startOpenShiftSimulator: ClusterOperators', () => {
  it('serves config.openshift.io and machineconfiguration.openshift.io in discovery', async () => {
    // Act
    const groups = await get('/apis');
    const config = await get('/apis/config.openshift.io/v1');
    const machines = await get('/apis/machineconfiguration.openshift.io/v1');

    // Assess
    expect(groups.json.groups.map((group: { name: string }) => group.name)).toEqual([
      'operator.openshift.io',
      'config.openshift.io',
      'machineconfiguration.openshift.io',
    ]);
    expect(config.json.resources).toEqual([
      expect.objectContaining({ name: 'clusteroperators', kind: 'ClusterOperator', namespaced: false }),
      expect.objectContaining({ name: 'clusterversions', kind: 'ClusterVersion', namespaced: false }),
    ]);
    expect(machines.json.resources.map((resource: { name: string }) => resource.name)).toEqual([
      'machineconfigpools',
      'machineconfigs',
    ]);
  });

  it('lists ClusterOperators, with kube-apiserver Progressing=True during a rollout and False after it', async () => {
    // Act
    await pushNewKey();
    const rolling = await get(`${CO}/kube-apiserver`);
    clock.advance(13);
    const list = await get(CO);

    // Assess
    expect(statusesOf(rolling.json.status.conditions).Progressing).toBe('True');
    expect(list.json).toMatchObject({ apiVersion: 'config.openshift.io/v1', kind: 'ClusterOperatorList' });
    for (const operator of list.json.items) {
      expect(statusesOf(operator.status.conditions)).toMatchObject({
        Available: 'True',
        Progressing: 'False',
        Degraded: 'False',
      });
    }
  });

  it('serves a --degraded-operator with Degraded=True', async () => {
    // Prepare
    await start({ degradedOperators: ['cloud-credential'] });

    // Act
    const operator = await get(`${CO}/cloud-credential`);

    // Assess
    expect(operator.json.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Degraded', status: 'True', reason: 'SimulatedFault' }),
    );
  });

  it('streams a watch: ADDED for each operator, then MODIFIED when kube-apiserver starts progressing', async () => {
    // Prepare
    const watching = watchUntil(`${CO}?watch=true`, (events) =>
      events.some((event) => event.type === 'MODIFIED' && event.object.metadata.name === 'kube-apiserver'),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    await pushNewKey();
    const events = await watching;

    // Assess
    expect(events.slice(0, 4).map((event) => [event.type, event.object.metadata.name])).toEqual([
      ['ADDED', 'authentication'],
      ['ADDED', 'cloud-credential'],
      ['ADDED', 'kube-apiserver'],
      ['ADDED', 'machine-config'],
    ]);
    const modified = events.find((event) => event.type === 'MODIFIED');
    expect(statusesOf(modified?.object.status.conditions).Progressing).toBe('True');
  });
});

describe('startOpenShiftSimulator: machine config pools', () => {
  it('reboots the worker pool node by node after oc writes 95-oc-initiated-reboot-worker', async () => {
    // Prepare
    const before = await get('/api/v1/nodes');
    const bootIds = Object.fromEntries(
      before.json.items.map((node: KubeJson) => [node.metadata.name, node.status.nodeInfo.bootID]),
    );

    // Act
    const count = await rebootPoolLikeOc('worker');
    const target = (await get(`${MCP}/worker`)).json.spec.configuration.name;
    const first = await get('/api/v1/nodes/worker-0');
    clock.advance(10);
    const middle = await get(`${MCP}/worker`);
    clock.advance(10);
    const after = await get('/api/v1/nodes');
    const pool = await get(`${MCP}/worker`);
    const rendered = await get(`${MC}/${target}`);

    // Assess
    expect(count).toBe(1);
    expect(first.json.metadata.annotations).toMatchObject({
      [MCO_ANNOTATIONS.desiredConfig]: target,
      [MCO_ANNOTATIONS.state]: 'Working',
    });
    expect(statusesOf(first.json.status.conditions).Ready).toBe('False');
    expect(middle.json.status).toMatchObject({ updatedMachineCount: 1, unavailableMachineCount: 1 });
    expect(statusesOf(pool.json.status.conditions)).toMatchObject({ Updated: 'True', Updating: 'False' });
    for (const node of after.json.items) {
      const worker = node.metadata.name.startsWith('worker-');
      expect(node.status.nodeInfo.bootID !== bootIds[node.metadata.name]).toBe(worker);
      expect(node.metadata.annotations[MCO_ANNOTATIONS.state]).toBe('Done');
    }
    expect(rebootNumberOf(rendered.json)).toBe(1);
    expect(await rebootPoolLikeOc('worker')).toBe(2);
  });

  it('shows each workload pod on a worker with its token kid, the new key once its node rebooted', async () => {
    // Prepare: rotate fully, so the apiservers sign with the new key.
    await pushNewKey();
    clock.advance(13);

    // Act
    const before = await get('/api/v1/namespaces/workloads/pods');
    await rebootPoolLikeOc('worker');
    clock.advance(20);
    const after = await get('/api/v1/namespaces/workloads/pods');

    // Assess
    const kids = (list: KubeJson) =>
      list.json.items.map((pod: KubeJson) => pod.metadata.annotations[TOKEN_KID_ANNOTATION]);
    expect(before.json.items.map((pod: KubeJson) => pod.spec.nodeName)).toEqual([
      'worker-0',
      'worker-1',
      'worker-0',
      'worker-1',
    ]);
    expect(kids(before)).toEqual(Array(4).fill(initialKey.publicKey.kid));
    expect(kids(after)).toEqual(Array(4).fill(newKey.publicKey.kid));
    const tokens = await sim.model.workloadTokens();
    expect(tokens.map((token) => token.kid)).toEqual(kids(after));
  });
});

describe('startOpenShiftSimulator: namespaces and configmaps', () => {
  const guard = (state: string, resourceVersion?: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'cco-signer-key-rotation-guard',
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    data: { 'state.json': state },
  });
  const GUARD = `${CONFIGMAPS}/cco-signer-key-rotation-guard`;

  it('creates, updates, patches and deletes the guard configmap, with resourceVersion conflicts', async () => {
    // Act
    const created = await callSim(sim, { method: 'POST', path: CONFIGMAPS, body: guard('{}') });
    const again = await callSim(sim, { method: 'POST', path: CONFIGMAPS, body: guard('{}') });
    const rv = created.json.metadata.resourceVersion;
    const updated = await callSim(sim, { method: 'PUT', path: GUARD, body: guard('{"a":1}', rv) });
    const stale = await callSim(sim, { method: 'PUT', path: GUARD, body: guard('{"b":2}', rv) });
    const patched = await callSim(sim, {
      method: 'PATCH',
      path: GUARD,
      body: { data: { 'state.json': '{"c":3}' } },
      contentType: 'application/merge-patch+json',
    });
    const staleDelete = await callSim(sim, {
      method: 'DELETE',
      path: GUARD,
      body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: rv } },
    });
    const deleted = await callSim(sim, { method: 'DELETE', path: GUARD });
    const gone = await get(GUARD);

    // Assess
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ kind: 'ConfigMap', metadata: { namespace: GUARD_NAMESPACE } });
    expect(again.json).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    expect(updated.json.data).toEqual({ 'state.json': '{"a":1}' });
    expect(stale.json).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(patched.json.data).toEqual({ 'state.json': '{"c":3}' });
    expect(staleDelete.json).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(deleted.json).toMatchObject({
      status: 'Success',
      details: { name: 'cco-signer-key-rotation-guard' },
    });
    expect(gone.json).toMatchObject({
      code: 404,
      message: 'configmaps "cco-signer-key-rotation-guard" not found',
    });
  });

  it('creates a namespace, then a configmap in it; refuses one in a missing namespace with 404', async () => {
    // Act
    const namespace = await callSim(sim, {
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
    });
    const inside = await callSim(sim, {
      method: 'POST',
      path: '/api/v1/namespaces/team-a/configmaps',
      body: { metadata: { name: 'x' }, data: {} },
    });
    const missing = await callSim(sim, {
      method: 'POST',
      path: '/api/v1/namespaces/nope/configmaps',
      body: { metadata: { name: 'x' }, data: {} },
    });

    // Assess
    expect(namespace.status).toBe(201);
    expect(namespace.json).toMatchObject({ kind: 'Namespace', status: { phase: 'Active' } });
    expect(inside.status).toBe(201);
    expect(missing.json).toMatchObject({ code: 404, message: 'namespaces "nope" not found' });
  });
});
