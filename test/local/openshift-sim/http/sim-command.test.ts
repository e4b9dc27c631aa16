import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileKeyringStore } from '#shared/adapters/local/index.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import { parsePublicKey } from '#shared/keys/index.ts';
import { createTokenVerifier } from '#shared/tokens/index.ts';
import { type KeyturnRun, makeTempDirectory, runKeyturn } from '#test/cli/run-keyturn.ts';
import { callSim, type SimTarget } from './sim-client.ts';

let directory: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(async () => {
  await directory.remove();
});

/** What a client needs from the kubeconfig `keyturn sim` wrote. */
interface WrittenKubeconfig extends SimTarget {
  readonly path: string;
}

/** Starts `keyturn sim` in-process and resolves once it printed where it listens; `stop` ends it. */
function startSim(args: string[]): { ready: Promise<WrittenKubeconfig>; stop: () => Promise<KeyturnRun> } {
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let announce = (_path: string) => {};
  let fail = (_error: Error) => {};
  const announced = new Promise<string>((resolve, reject) => {
    announce = resolve;
    fail = reject;
  });
  const run = runKeyturn(['sim', '--port', '0', ...args], {
    cwd: directory.path,
    untilStopped: () => stopped,
    onErr: (text) => {
      const path = /^Kubeconfig: (\S+)$/m.exec(text)?.[1];
      if (path !== undefined) announce(path);
    },
  });
  run.then((result) => fail(new Error(`keyturn sim ended early: ${result.err}`)));
  return {
    ready: announced.then(readKubeconfig),
    stop: () => {
      stop();
      return run;
    },
  };
}

async function readKubeconfig(path: string): Promise<WrittenKubeconfig> {
  const text = await readFile(path, 'utf8');
  const field = (name: string) =>
    JSON.parse(new RegExp(`${name}: (".*")$`, 'm').exec(text)?.[1] ?? '""') as string;
  return {
    path,
    url: field('server'),
    caPem: Buffer.from(field('certificate-authority-data'), 'base64').toString('utf8'),
    token: field('token'),
  };
}

describe('keyturn sim', () => {
  it('writes a 0600 kubeconfig under the home, serves the cluster over verified TLS, and stops on request', async () => {
    // Prepare
    const sim = startSim([
      '--home',
      'home',
      '--nodes',
      '2',
      '--node-rollout',
      '1s',
      '--issuer',
      'https://oidc.example.com/demo',
    ]);

    // Act
    const config = await sim.ready;
    const status = await callSim(config, { path: '/apis/operator.openshift.io/v1/kubeapiservers/cluster' });
    const token = await callSim(config, {
      method: 'POST',
      path: '/api/v1/namespaces/default/serviceaccounts/default/token',
      body: { spec: { audiences: ['sts.amazonaws.com'] } },
    });
    const result = await sim.stop();

    // Assess
    expect(config.path).toBe(join(directory.path, 'home', 'kubeconfig'));
    expect((await stat(config.path)).mode & 0o777).toBe(0o600);
    expect(config.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(status.json.status.nodeStatuses.map((node: { nodeName: string }) => node.nodeName)).toEqual([
      'master-0',
      'master-1',
    ]);
    expect(token.status).toBe(201);
    expect(JSON.parse(Buffer.from(token.json.status.token.split('.')[1], 'base64url').toString()).iss).toBe(
      'https://oidc.example.com/demo',
    );
    expect(result.code).toBe(0);
    expect(result.err).toContain(`OpenShift simulator at ${config.url} (2 nodes, 1s per node rollout)`);
    expect(result.err).toContain(`Try: KUBECONFIG=${config.path} kubectl get kubeapiserver cluster -o yaml`);
    expect(result.err).toContain('Stopped.');
  });

  it("installs the home's active key and issuer, so the cluster's tokens verify against what keyturn published", async () => {
    // Prepare
    const issuer = 'http://127.0.0.1:8080/demo';
    const init = await runKeyturn(['init', '--local', '--issuer', issuer, '--bits', '2048'], {
      cwd: directory.path,
    });
    expect(init.code).toBe(0);
    const keyring = (await createFileKeyringStore({ home: join(directory.path, '.keyturn') }).read('demo'))
      ?.keyring;
    const published = parsePublicKey(keyring === undefined ? '' : (activeKey(keyring)?.publicKeyPem ?? ''));
    const sim = startSim(['--issuer', 'https://ignored.example.com']);

    // Act
    const config = await sim.ready;
    const token = await callSim(config, {
      method: 'POST',
      path: '/api/v1/namespaces/default/serviceaccounts/default/token',
      body: { spec: { audiences: ['sts.amazonaws.com'] } },
    });
    const result = await sim.stop();

    // Assess
    const verified = await createTokenVerifier({ keySet: { keys: [published] }, issuer }).verify(
      token.json.status.token,
    );
    expect(verified.kid).toBe(published.kid);
    expect(result.err).toContain(
      `Ignoring --issuer: the cluster uses the issuer of the keyturn home, ${issuer}`,
    );
    expect(result.err).toContain(`signing with the active key ${published.kid} of issuer demo`);
  });

  it('fails with exit 3 and says what to do when the port is taken', async () => {
    // Prepare
    const first = startSim(['--home', 'first']);
    const port = new URL((await first.ready).url).port;

    // Act
    const second = await runKeyturn(['sim', '--home', 'second', '--port', port], { cwd: directory.path });
    await first.stop();

    // Assess
    expect(second.code).toBe(3);
    expect(second.err).toContain(
      `cannot listen on 127.0.0.1:${port}: the port is in use; choose another with --port`,
    );
  });

  it('injects faults from flags: a failure rate, a slow API, a stuck node', async () => {
    // Prepare
    const sim = startSim([
      '--fail-rate',
      '0.5',
      '--fail-with',
      'Conflict',
      '--stuck-node',
      'master-1',
      '--api-delay-ms',
      '5',
    ]);
    const config = await sim.ready;

    // Act
    const answers = [];
    for (let call = 0; call < 4; call += 1) {
      answers.push(
        (await callSim(config, { path: '/apis/operator.openshift.io/v1/kubeapiservers/cluster' })).status,
      );
    }
    await sim.stop();

    // Assess: every second call fails with 409, deterministically.
    expect(answers).toEqual([200, 409, 200, 409]);
  });

  it('builds the platform from flags: workers, workloads, their token lifetime, a degraded operator', async () => {
    // Prepare
    const sim = startSim([
      '--workers',
      '1',
      '--workloads',
      '2',
      '--token-ttl',
      '2h',
      '--node-reboot',
      '0s',
      '--degraded-operator',
      'authentication',
      '--degraded-operator',
      'machine-config',
    ]);
    const config = await sim.ready;

    // Act
    const nodes = await callSim(config, { path: '/api/v1/nodes' });
    const pods = await callSim(config, { path: '/api/v1/namespaces/workloads/pods' });
    const operators = await callSim(config, { path: '/apis/config.openshift.io/v1/clusteroperators' });
    await sim.stop();

    // Assess
    expect(nodes.json.items.map((node: { metadata: { name: string } }) => node.metadata.name)).toEqual([
      'master-0',
      'master-1',
      'master-2',
      'worker-0',
    ]);
    expect(pods.json.items).toHaveLength(2);
    expect(pods.json.items[0].spec.volumes[0].projected.sources[0].serviceAccountToken).toEqual({
      audience: 'sts.amazonaws.com',
      expirationSeconds: 7200,
      path: 'token',
    });
    const degraded = operators.json.items
      .filter((operator: { status: { conditions: { type: string; status: string }[] } }) =>
        operator.status.conditions.some(
          (condition) => condition.type === 'Degraded' && condition.status === 'True',
        ),
      )
      .map((operator: { metadata: { name: string } }) => operator.metadata.name);
    expect(degraded).toEqual(['authentication', 'machine-config']);
  });

  it('writes --max-token-expiration into the kube-apiserver config as the operator would (NO-ORPHAN-TOKENS)', async () => {
    // Prepare
    const sim = startSim(['--max-token-expiration', '24h']);
    const config = await sim.ready;

    // Act
    const configMap = await callSim(config, {
      path: '/api/v1/namespaces/openshift-kube-apiserver/configmaps/config',
    });
    const version = await callSim(config, { path: '/apis/config.openshift.io/v1/clusterversions/version' });
    await sim.stop();

    // Assess
    expect(JSON.parse(configMap.json.data['config.yaml']).apiServerArguments).toMatchObject({
      'service-account-max-token-expiration': ['24h0m0s'],
    });
    expect(version.json.spec.clusterID).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    [['--stuck-node', 'master-7'], 'master-0, master-1, master-2'],
    [['--workers', '100'], 'whole number from 0 to 99'],
    [['--token-ttl', '5m'], 'at least 10m'],
    [['--max-token-expiration', '30m'], 'at least 1h'],
    [['--node-reboot', 'later'], 'duration'],
    [['--degraded-operator', 'etcd'], 'authentication, cloud-credential, kube-apiserver, machine-config'],
    [['--fail-rate', '2'], 'fraction from 0 to 1'],
    [['--fail-with', 'Teapot'], 'InternalError, Conflict'],
    [['--api-delay-ms', '-1'], 'milliseconds'],
    [['--nodes', '0'], 'nodes from 1 to 99'],
    [['--node-rollout', 'soon'], 'duration'],
    [['--port', '70000'], 'port number'],
    [['--issuer', 'oidc.example.com'], 'absolute https:// URL'],
  ])('rejects %j with exit 2', async (args, message) => {
    // Act
    const run = await runKeyturn(['sim', ...args], { cwd: directory.path });

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
  });
});
