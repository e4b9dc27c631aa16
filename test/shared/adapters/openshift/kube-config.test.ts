import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { createOpenShiftClusterSigner } from '#shared/adapters/openshift/index.ts';
import type { PrivateSigningKey } from '#shared/keys/index.ts';
import { createSimulatorSigner, kubeconfigOf, readTestKeys, startTestSimulator } from './signer-fixtures.ts';

let simulator: OpenShiftSimulator;
let current: PrivateSigningKey;
let folder: string;

beforeAll(async () => {
  ({ current } = readTestKeys());
  ({ simulator } = await startTestSimulator(current));
  folder = mkdtempSync(join(tmpdir(), 'keyturn-kubeconfig-'));
});

afterAll(async () => {
  await simulator.close();
  rmSync(folder, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createOpenShiftClusterSigner kubeconfig', () => {
  it('reads a kubeconfig file', async () => {
    // Prepare
    const file = join(folder, 'config');
    writeFileSync(file, simulator.kubeconfig(), { mode: 0o600 });
    const signer = createOpenShiftClusterSigner({ kubeconfig: { file } });

    // Act
    const keys = await signer.readKeys();

    // Assess
    expect(keys.trustedKids).toEqual([current.publicKey.kid]);
  });

  it('refuses a kubeconfig with insecure-skip-tls-verify unless allowInsecureTls is given', () => {
    // Prepare
    const yaml = kubeconfigOf(simulator, { insecure: true });

    // Act
    const refuse = () => createOpenShiftClusterSigner({ kubeconfig: { yaml } });

    // Assess
    expect(refuse).toThrow(
      expect.objectContaining({
        code: 'ERR_CLUSTER_INSECURE_TLS',
        message: expect.stringMatching(
          /insecure-skip-tls-verify: true.*private signing key.*allowInsecureTls: true/,
        ),
      }),
    );
  });

  it('connects without verification when allowInsecureTls is given, and warns', async () => {
    // Prepare
    const { signer, warnings } = createSimulatorSigner(simulator, {
      kubeconfigChange: { insecure: true },
      allowInsecureTls: true,
    });

    // Act
    const keys = await signer.readKeys();

    // Assess
    expect(keys.signingKid).toBe(current.publicKey.kid);
    expect(warnings).toEqual([expect.stringContaining('TLS verification is off')]);
  });

  it('refuses a plain http:// server, and one client-node would refuse in any case', () => {
    // Prepare
    const insecureHttp = kubeconfigOf(simulator, { insecure: true, server: 'http://127.0.0.1:1' });
    const plainHttp = kubeconfigOf(simulator, { server: 'http://127.0.0.1:1' });

    // Act
    const refuseInsecure = () => createOpenShiftClusterSigner({ kubeconfig: { yaml: insecureHttp } });
    const refusePlain = () =>
      createOpenShiftClusterSigner({ kubeconfig: { yaml: plainHttp }, allowInsecureTls: true });

    // Assess
    expect(refuseInsecure).toThrow(expect.objectContaining({ code: 'ERR_CLUSTER_INSECURE_TLS' }));
    expect(refusePlain).toThrow(expect.objectContaining({ code: 'ERR_CLUSTER_CONFIG' }));
  });

  it('refuses to run with NODE_TLS_REJECT_UNAUTHORIZED=0 unless allowInsecureTls is given', () => {
    // Prepare
    vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');

    // Act
    const refuse = () => createOpenShiftClusterSigner({ kubeconfig: { yaml: simulator.kubeconfig() } });

    // Assess
    expect(refuse).toThrow(expect.objectContaining({ code: 'ERR_CLUSTER_INSECURE_TLS' }));
  });

  it.each([
    {
      name: 'YAML that does not parse',
      says: 'not valid YAML',
      yaml: () => `users:\n- name: a\n  user:\n    token: ${simulator.token}\n   bad: [`,
    },
    {
      name: 'a user without a name',
      says: 'users[0].name',
      yaml: () => `users:\n- user:\n    token: ${simulator.token}\n`,
    },
    {
      name: 'no current-context',
      says: 'no current-context',
      yaml: () => simulator.kubeconfig().replace(/current-context: .*/, ''),
    },
    {
      name: 'an unknown current-context',
      says: 'no current-context',
      yaml: () => simulator.kubeconfig().replace(/current-context: .*/, 'current-context: elsewhere'),
    },
    {
      name: 'a server that is no URL',
      says: 'not an https:// URL',
      yaml: () => kubeconfigOf(simulator, { server: 'localhost:6443' }),
    },
  ])(
    'rejects a kubeconfig with $name as ERR_CLUSTER_CONFIG, without repeating the token',
    ({ yaml, says }) => {
      // Act
      let error: unknown;
      try {
        createOpenShiftClusterSigner({ kubeconfig: { yaml: yaml() } });
      } catch (caught) {
        error = caught;
      }

      // Assess
      expect(error).toMatchObject({ code: 'ERR_CLUSTER_CONFIG', message: expect.stringContaining(says) });
      expect((error as Error).message).not.toContain(simulator.token);
      expect((error as Error).cause).toBeUndefined();
    },
  );

  it('rejects a kubeconfig file that does not exist', () => {
    // Act
    const refuse = () => createOpenShiftClusterSigner({ kubeconfig: { file: join(folder, 'missing') } });

    // Assess
    expect(refuse).toThrow(
      expect.objectContaining({
        code: 'ERR_CLUSTER_CONFIG',
        message: expect.stringContaining('no such file'),
      }),
    );
  });

  it('rejects inCluster outside a pod', () => {
    // Prepare
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '');

    // Act
    const refuse = () => createOpenShiftClusterSigner({ kubeconfig: { inCluster: true } });

    // Assess
    expect(refuse).toThrow(
      expect.objectContaining({
        code: 'ERR_CLUSTER_CONFIG',
        message: expect.stringContaining('not running in a pod'),
      }),
    );
  });

  it.each([
    { name: 'probeNamespace', options: { probeNamespace: 'Keyturn' } },
    { name: 'probeServiceAccount', options: { probeServiceAccount: 'probe/token' } },
    { name: 'tokenExpirationSeconds below 600', options: { tokenExpirationSeconds: 599 } },
    { name: 'fractional tokenExpirationSeconds', options: { tokenExpirationSeconds: 600.5 } },
    { name: 'requestTimeoutSeconds of 0', options: { requestTimeoutSeconds: 0 } },
  ])('rejects a bad $name as ERR_CLUSTER_CONFIG', ({ options }) => {
    // Act
    const refuse = () =>
      createOpenShiftClusterSigner({ kubeconfig: { yaml: simulator.kubeconfig() }, ...options });

    // Assess
    expect(refuse).toThrow(expect.objectContaining({ code: 'ERR_CLUSTER_CONFIG' }));
  });
});

describe('createOpenShiftClusterSigner inlineCredentialsOnly', () => {
  /** The simulator's kubeconfig with its `token:` line replaced by `user`. */
  const withUser = (user: string) => simulator.kubeconfig().replace(/^ {4}token: .*$/m, `    ${user}`);

  it('keeps token-file for a human kubeconfig: reads the token and connects', async () => {
    // Prepare
    const tokenFile = join(folder, 'token');
    writeFileSync(tokenFile, simulator.token, { mode: 0o600 });
    const file = join(folder, 'token-file-config');
    writeFileSync(file, withUser(`token-file: ${tokenFile}`), { mode: 0o600 });
    const signer = createOpenShiftClusterSigner({ kubeconfig: { file } });

    // Act
    const keys = await signer.readKeys();

    // Assess
    expect(keys.trustedKids).toEqual([current.publicKey.kid]);
  });

  it.each([
    'exec: {apiVersion: client.authentication.k8s.io/v1, command: oc-login-helper}',
    'auth-provider: {name: oidc, config: {idp-issuer-url: https://idp.example.com}}',
    'client-certificate: tls.crt\n    client-key: tls.key',
  ])("keeps %s for a human kubeconfig (the CLI's --kubeconfig)", (user) => {
    // Prepare
    const file = join(folder, 'human-config');
    writeFileSync(file, withUser(user), { mode: 0o600 });

    // Act
    const load = () => createOpenShiftClusterSigner({ kubeconfig: { file } });

    // Assess
    expect(load).not.toThrow();
  });

  it('refuses a file reference in a kubeconfig file as well as in text, before reading it', () => {
    // Prepare: a token-file that does not exist, so reading it would fail differently.
    const file = join(folder, 'unsafe-config');
    writeFileSync(file, withUser(`token-file: ${join(folder, 'no-such-token')}`), { mode: 0o600 });

    // Act
    const refuse = () => createOpenShiftClusterSigner({ kubeconfig: { file }, inlineCredentialsOnly: true });

    // Assess
    expect(refuse).toThrow(
      expect.objectContaining({
        name: 'ClusterConfigError',
        code: 'ERR_CLUSTER_CREDENTIALS_UNSAFE',
        references: ['users[0].user.token-file'],
        message: expect.stringMatching(/users\[0\]\.user\.token-file.*client-certificate-data/),
      }),
    );
  });

  it('connects with a token and certificate-authority-data', async () => {
    // Prepare
    const signer = createOpenShiftClusterSigner({
      kubeconfig: { yaml: simulator.kubeconfig() },
      inlineCredentialsOnly: true,
    });

    // Act
    const keys = await signer.readKeys();

    // Assess
    expect(keys.trustedKids).toEqual([current.publicKey.kid]);
  });

  it('rejects text that is not YAML as ERR_CLUSTER_CONFIG, without repeating the token', () => {
    // Act
    let error: unknown;
    try {
      createOpenShiftClusterSigner({
        kubeconfig: { yaml: `users:\n- name: a\n  user:\n    token: ${simulator.token}\n   bad: [` },
        inlineCredentialsOnly: true,
      });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toMatchObject({
      code: 'ERR_CLUSTER_CONFIG',
      message: expect.stringContaining('not valid YAML'),
    });
    expect((error as Error).message).not.toContain(simulator.token);
  });
});
