import { describe, expect, it } from 'vitest';
import { createSecretClusterSigner } from '#functions/cluster-port.ts';
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
});
