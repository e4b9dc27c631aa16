import { describe, expect, it } from 'vitest';
import { connectOpenShift, createSecretClusterSigner } from '#functions/cluster-port.ts';
import type { ClusterCredentials } from '#shared/adapters/aws/cluster-credentials.ts';
import type { ClusterSigner } from '#shared/ports.ts';

const SECRET = 'keyturn-cluster/cluster-a';
const TOKEN = 'sha256~never-in-an-error';
const SERVER = 'https://api.cluster-a.example.com:6443';

/** A kubeconfig with a token; `cluster` overrides the cluster entry's fields. */
function kubeconfig(cluster = `server: ${SERVER}`, context = 'current-context: ctx'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c',
    '  cluster:',
    `    ${cluster}`,
    'users:',
    '- name: u',
    '  user:',
    `    token: ${TOKEN}`,
    'contexts:',
    '- name: ctx',
    '  context: {cluster: c, user: u}',
    context,
    '',
  ].join('\n');
}

/** A kubeconfig whose user entry is `user` and whose cluster entry adds `cluster` to the server. */
function kubeconfigWith(user: string, cluster = 'certificate-authority-data: Q0EgZGF0YQ=='): string {
  return kubeconfig(`server: ${SERVER}\n    ${cluster}`).replace(`    token: ${TOKEN}`, `    ${user}`);
}

/** A file path no kubeconfig from Secrets Manager may name (what the function's own files look like). */
const LOCAL_FILE = '/proc/self/environ';

/** Credentials that answer whatever `current` holds, counting reads. */
function stubCredentials(initial: string) {
  const state = { current: initial, reads: 0 };
  const credentials: ClusterCredentials = {
    async kubeconfigOf(issuerId) {
      state.reads += 1;
      return { secretName: `keyturn-cluster/${issuerId}`, kubeconfig: state.current };
    },
  };
  return { state, credentials };
}

/** A cluster that answers requestToken with the kubeconfig's length, so a test can tell connections apart. */
function stubSigner(kubeconfigText: string): ClusterSigner {
  const fail = async () => {
    throw new Error('not used');
  };
  return {
    push: fail,
    rolloutProgress: fail,
    readKeys: fail,
    requestToken: async (audience) => `${audience}:${kubeconfigText.length}`,
    readStability: fail,
    readTokenLifetime: fail,
    readPoolReboot: fail,
    requestPoolReboot: fail,
    rebootProgress: fail,
    readRotationGuard: fail,
    holdRotationGuard: fail,
    releaseRotationGuard: fail,
  };
}

describe('createSecretClusterSigner', () => {
  it('reads no kubeconfig until the first cluster call', async () => {
    // Prepare
    const { state, credentials } = stubCredentials(kubeconfig());
    const connected: string[] = [];

    // Act
    const signer = createSecretClusterSigner({
      issuerId: 'cluster-a',
      credentials,
      connect: (text) => {
        connected.push(text);
        return stubSigner(text);
      },
    });
    const readsBefore = state.reads;
    await signer.requestToken('probe');

    // Assess
    expect(readsBefore).toBe(0);
    expect(state.reads).toBe(1);
    expect(connected).toEqual([kubeconfig()]);
  });

  it('connects once per kubeconfig and again when the secret holds a new one', async () => {
    // Prepare
    const { state, credentials } = stubCredentials(kubeconfig());
    let connections = 0;
    const signer = createSecretClusterSigner({
      issuerId: 'cluster-a',
      credentials,
      connect: (text) => {
        connections += 1;
        return stubSigner(text);
      },
    });

    // Act
    const first = await signer.requestToken('a');
    const again = await signer.requestToken('a');
    state.current = `${kubeconfig()}# renewed token\n`;
    const renewed = await signer.requestToken('a');

    // Assess
    expect(first).toBe(again);
    expect(renewed).not.toBe(first);
    expect(connections).toBe(2);
  });

  it('hands every ClusterPlatform call, with its arguments, to the connected cluster (ONE-SIGNER)', async () => {
    // Prepare: a cluster that answers each call with its name and arguments
    const { credentials } = stubCredentials(kubeconfig());
    const echo =
      (name: string) =>
      async (...args: unknown[]) =>
        ({ name, args }) as never;
    const methods = [
      'readStability',
      'readTokenLifetime',
      'readPoolReboot',
      'requestPoolReboot',
      'rebootProgress',
      'readRotationGuard',
      'holdRotationGuard',
      'releaseRotationGuard',
    ] as const;
    const cluster = {
      ...stubSigner(''),
      ...Object.fromEntries(methods.map((name) => [name, echo(name)])),
    } as ClusterSigner;
    const signer = createSecretClusterSigner({ issuerId: 'cluster-a', credentials, connect: () => cluster });
    const operation = { issuerId: 'cluster-a', rotationId: 'r1' };

    // Act
    const answers = [
      await signer.readStability(),
      await signer.readTokenLifetime(),
      await signer.readPoolReboot('worker'),
      await signer.requestPoolReboot('master', 2),
      await signer.rebootProgress('worker', 3),
      await signer.readRotationGuard(operation),
      await signer.holdRotationGuard(operation),
      await signer.releaseRotationGuard(operation),
    ];

    // Assess
    expect(answers).toEqual([
      { name: 'readStability', args: [] },
      { name: 'readTokenLifetime', args: [] },
      { name: 'readPoolReboot', args: ['worker'] },
      { name: 'requestPoolReboot', args: ['master', 2] },
      { name: 'rebootProgress', args: ['worker', 3] },
      { name: 'readRotationGuard', args: [operation] },
      { name: 'holdRotationGuard', args: [operation] },
      { name: 'releaseRotationGuard', args: [operation] },
    ]);
  });

  it.each([
    ['is not YAML', '{ not: [yaml'],
    ['has no current-context', kubeconfig(`server: ${SERVER}`, '')],
    ['names a server that is not https://', kubeconfig('server: ftp://api.cluster-a.example.com')],
  ])(
    'rejects a kubeconfig that %s with ERR_CLUSTER_CREDENTIALS_INVALID naming the secret',
    async (_, text) => {
      // Prepare
      const signer = createSecretClusterSigner({
        issuerId: 'cluster-a',
        credentials: stubCredentials(text).credentials,
      });

      // Act
      const error = await signer.readKeys().catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({
        name: 'ClusterCredentialsError',
        code: 'ERR_CLUSTER_CREDENTIALS_INVALID',
        secretName: SECRET,
      });
      expect((error as Error).message).toContain(`put-secret-value --secret-id ${SECRET}`);
      expect((error as Error).cause).toBeUndefined();
    },
  );

  it('rejects a kubeconfig that turns TLS verification off, quoting none of it', async () => {
    // Prepare
    const text = kubeconfig(`server: ${SERVER}\n    insecure-skip-tls-verify: true`);
    const signer = createSecretClusterSigner({
      issuerId: 'cluster-a',
      credentials: stubCredentials(text).credentials,
    });

    // Act
    const error = await signer.rolloutProgress('kid').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'ERR_CLUSTER_CREDENTIALS_INVALID', secretName: SECRET });
    expect((error as Error).message).toContain('TLS verification off');
    expect((error as Error).message).not.toContain(TOKEN);
    expect((error as Error).message).not.toContain('cluster-a.example.com');
  });

  it('lets the credentials error through unchanged when the secret cannot be read', async () => {
    // Prepare
    const missing = new Error('missing');
    const signer = createSecretClusterSigner({
      issuerId: 'cluster-a',
      credentials: {
        kubeconfigOf: async () => {
          throw missing;
        },
      },
    });

    // Act
    const error = await signer.push({} as never).catch((e: unknown) => e);

    // Assess
    expect(error).toBe(missing);
  });

  it.each([
    [
      'runs an exec plugin',
      `exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: [-c, id]}`,
      'users[0].user.exec',
    ],
    [
      'uses an auth-provider',
      'auth-provider: {name: gcp, config: {cmd-path: /bin/sh}}',
      'users[0].user.auth-provider',
    ],
    ['reads a token-file', `token-file: ${LOCAL_FILE}`, 'users[0].user.token-file'],
    ['reads a tokenFile', `tokenFile: ${LOCAL_FILE}`, 'users[0].user.tokenFile'],
    [
      'reads a client-certificate file',
      `client-certificate: ${LOCAL_FILE}\n    client-key-data: a2V5`,
      'users[0].user.client-certificate',
    ],
    [
      'reads a client-key file',
      `client-certificate-data: Y2VydA==\n    client-key: ${LOCAL_FILE}`,
      'users[0].user.client-key',
    ],
  ])(
    'refuses a kubeconfig whose user %s with ERR_CLUSTER_CREDENTIALS_UNSAFE naming the secret (SEALED)',
    async (_, user, position) => {
      // Prepare
      const text = `${kubeconfigWith(user)}# ${TOKEN}\n`;
      const signer = createSecretClusterSigner({
        issuerId: 'cluster-a',
        credentials: stubCredentials(text).credentials,
      });

      // Act
      const error = await signer.readKeys().catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({
        name: 'ClusterCredentialsError',
        code: 'ERR_CLUSTER_CREDENTIALS_UNSAFE',
        secretName: SECRET,
      });
      const { message, cause } = error as Error;
      expect(message).toContain(`secret ${SECRET}`);
      expect(message).toContain(position);
      expect(message).toMatch(
        /token.*client-certificate-data and client-key-data.*certificate-authority-data/,
      );
      expect(message).toContain(`put-secret-value --secret-id ${SECRET}`);
      for (const content of [TOKEN, LOCAL_FILE, '/bin/sh', 'cluster-a.example.com', 'name: u']) {
        expect(message).not.toContain(content);
      }
      expect(cause).toBeUndefined();
    },
  );

  it('refuses a kubeconfig whose cluster reads its CA from a file, naming every such field', async () => {
    // Prepare
    const text = kubeconfigWith(`exec: {command: /bin/sh}`, `certificate-authority: ${LOCAL_FILE}`);
    const signer = createSecretClusterSigner({
      issuerId: 'cluster-a',
      credentials: stubCredentials(text).credentials,
    });

    // Act
    const error = await signer.requestToken('probe').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'ERR_CLUSTER_CREDENTIALS_UNSAFE', secretName: SECRET });
    expect((error as Error).message).toContain(
      '(users[0].user.exec, clusters[0].cluster.certificate-authority)',
    );
    expect((error as Error).message).not.toContain(LOCAL_FILE);
  });

  it('refuses a file reference in any user, not only the current one', () => {
    // Prepare
    const text = `${kubeconfig()}`.replace(
      'contexts:',
      `- name: other\n  user:\n    token-file: ${LOCAL_FILE}\ncontexts:`,
    );

    // Act
    const connect = () => connectOpenShift(text);

    // Assess: client-node reads the token-file of every user while loading, so all are refused.
    expect(connect).toThrow(
      expect.objectContaining({
        code: 'ERR_CLUSTER_CREDENTIALS_UNSAFE',
        references: ['users[1].user.token-file'],
      }),
    );
  });

  it('refuses a document whose kind is not Config as ERR_CLUSTER_CREDENTIALS_INVALID', async () => {
    // Prepare: client-node's YAML loader would reshape a Pod and hide its users from the check.
    const text = kubeconfigWith(`token-file: ${LOCAL_FILE}`).replace('kind: Config', 'kind: Pod');
    const signer = createSecretClusterSigner({
      issuerId: 'cluster-a',
      credentials: stubCredentials(text).credentials,
    });

    // Act
    const error = await signer.readKeys().catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'ERR_CLUSTER_CREDENTIALS_INVALID', secretName: SECRET });
  });

  it.each([
    ['a token', `token: ${TOKEN}`, undefined],
    [
      'client-certificate-data and client-key-data',
      'client-certificate-data: Y2VydA==\n    client-key-data: a2V5',
      undefined,
    ],
    ['a username and password', 'username: keyturn\n    password: secret', undefined],
    [
      'a token, with the fields set to null',
      `token: ${TOKEN}\n    exec: null\n    token-file: null`,
      undefined,
    ],
    [
      'a token, and no CA (the system trust store)',
      `token: ${TOKEN}`,
      'tls-server-name: api.cluster-a.example.com',
    ],
  ])('accepts a kubeconfig from the secret with %s', (_, user, cluster) => {
    // Act
    const connect = () => connectOpenShift(kubeconfigWith(user, cluster));

    // Assess
    expect(connect).not.toThrow();
  });
});
