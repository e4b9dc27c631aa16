/** The name of the kubeconfig's cluster, user and context. */
export const SIMULATOR_CONTEXT = 'keyturn-sim';

/** What a kubeconfig for the simulator holds. */
export interface SimulatorKubeconfig {
  /** `https://127.0.0.1:PORT`. */
  readonly server: string;
  /** The CA that signed the server certificate, PEM. */
  readonly caPem: string;
  readonly token: string;
  /** @default 'default' */
  readonly namespace?: string;
}

/**
 * A kubeconfig YAML with one cluster (the CA inline as certificate-authority-data, so TLS verification
 * stays on), one bearer-token user and the current context `keyturn-sim`. Scalars are written as JSON
 * strings, which YAML reads as the same strings.
 */
export function buildKubeconfig(config: SimulatorKubeconfig): string {
  const quote = (value: string) => JSON.stringify(value);
  const name = quote(SIMULATOR_CONTEXT);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${quote(config.server)}`,
    `    certificate-authority-data: ${quote(Buffer.from(config.caPem, 'utf8').toString('base64'))}`,
    'users:',
    `- name: ${name}`,
    '  user:',
    `    token: ${quote(config.token)}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    `    namespace: ${quote(config.namespace ?? 'default')}`,
    `current-context: ${name}`,
    'preferences: {}',
    '',
  ].join('\n');
}
