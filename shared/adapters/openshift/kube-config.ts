import { existsSync, readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { redact } from './api-call.ts';
import { ClusterConfigError } from './errors.ts';
import { findLocalCredentialReferences } from './inline-credentials.ts';

/** Where the cluster's address and credentials come from. */
export type KubeconfigSource =
  /** A kubeconfig file (`oc login` writes `~/.kube/config`); relative paths in it resolve from its folder. */
  | { readonly file: string }
  /** A kubeconfig as YAML text. */
  | { readonly yaml: string }
  /** The pod's own service account (`/var/run/secrets/kubernetes.io/serviceaccount`). */
  | { readonly inCluster: true };

/** How {@link loadKubeConfig} treats TLS and credentials. */
export interface LoadKubeConfigOptions {
  /** Accept a kubeconfig that turns TLS verification off. @default false */
  readonly allowInsecureTls?: boolean;
  /**
   * Refuse a kubeconfig (file or text) whose users or clusters make keyturn run a program or read a local
   * file for credentials (see {@link findLocalCredentialReferences}). For a kubeconfig from a secrets
   * store: whoever can write it must not make keyturn run commands or read the files of the process it
   * runs in. The in-cluster service account is not affected. @default false
   */
  readonly inlineCredentialsOnly?: boolean;
  /** Told when TLS verification is off because `allowInsecureTls` allowed it. */
  readonly onWarning: (message: string) => void;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Loads a kubeconfig with client-node and checks it names a cluster and a user. TLS verification stays
 * on: a kubeconfig with `insecure-skip-tls-verify: true`, an `http://` server, or
 * NODE_TLS_REJECT_UNAUTHORIZED=0 is refused unless `allowInsecureTls` is set, because whoever can sit
 * between keyturn and the API server would receive the private signing key.
 */
export function loadKubeConfig(source: KubeconfigSource, options: LoadKubeConfigOptions): KubeConfig {
  const config = new KubeConfig();
  if ('inCluster' in source) {
    assertInCluster();
    config.loadFromCluster();
  } else {
    readKubeconfig(config, source, options.inlineCredentialsOnly === true);
  }
  const cluster = config.getCurrentCluster();
  if (cluster === null || config.getCurrentUser() === null) {
    throw new ClusterConfigError(
      'ERR_CLUSTER_CONFIG',
      `the kubeconfig ${describeSource(source)} has no current-context naming both a cluster and a user; run oc login or set current-context`,
    );
  }
  assertSecureTransport(cluster.server, cluster.skipTLSVerify, source, options);
  return config;
}

function readKubeconfig(
  config: KubeConfig,
  source: { file: string } | { yaml: string },
  inlineOnly: boolean,
): void {
  try {
    if (!inlineOnly) {
      if ('file' in source) {
        config.loadFromFile(source.file);
      } else {
        config.loadFromString(source.yaml);
      }
      return;
    }
    const text = 'file' in source ? readFileSync(source.file, 'utf8') : source.yaml;
    assertInlineCredentials(findLocalCredentialReferences(text), source);
    config.loadFromString(text);
  } catch (error) {
    if (error instanceof ClusterConfigError) {
      throw error;
    }
    throw new ClusterConfigError(
      'ERR_CLUSTER_CONFIG',
      `the kubeconfig ${describeSource(source)} cannot be read: ${describeLoadError(error)}`,
    );
  }
}

function assertInlineCredentials(references: readonly string[], source: KubeconfigSource): void {
  if (references.length === 0) {
    return;
  }
  throw new ClusterConfigError(
    'ERR_CLUSTER_CREDENTIALS_UNSAFE',
    `the kubeconfig ${describeSource(source)} would make keyturn run a program or read a local file for its credentials ` +
      `(${references.join(', ')}), which inlineCredentialsOnly refuses; give its user a token, or client-certificate-data ` +
      'and client-key-data, and its cluster certificate-authority-data (kubectl config view --minify --flatten --raw embeds certificate files)',
    references,
  );
}

/** js-yaml's messages quote the offending lines, which may hold a token: keep its reason and line only. */
function describeLoadError(error: unknown): string {
  if (!(error instanceof Error)) {
    return 'unexpected error';
  }
  const { code, path, reason, mark } = error as Error & {
    code?: unknown;
    path?: unknown;
    reason?: unknown;
    mark?: { line?: unknown };
  };
  if (code === 'ENOENT' || code === 'EACCES') {
    // The kubeconfig itself, or a token-file it names (client-node reads that one while loading).
    const file = typeof path === 'string' ? ` ${JSON.stringify(path)}` : '';
    return `${code === 'ENOENT' ? 'no such file' : 'permission denied'}${file}`;
  }
  if (typeof reason === 'string') {
    const line = typeof mark?.line === 'number' ? ` (line ${mark.line + 1})` : '';
    return `not valid YAML: ${reason}${line}`;
  }
  return redact(error.message.split('\n')[0] ?? '');
}

function assertInCluster(): void {
  const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port } = process.env;
  if (!host || !port) {
    throw new ClusterConfigError(
      'ERR_CLUSTER_CONFIG',
      'inCluster was asked for, but KUBERNETES_SERVICE_HOST/PORT are not set: keyturn is not running in a pod; pass a kubeconfig instead',
    );
  }
  for (const file of ['token', 'ca.crt']) {
    if (!existsSync(`${SERVICE_ACCOUNT_DIR}/${file}`)) {
      throw new ClusterConfigError(
        'ERR_CLUSTER_CONFIG',
        `inCluster was asked for, but ${SERVICE_ACCOUNT_DIR}/${file} is missing; is automountServiceAccountToken off for this pod?`,
      );
    }
  }
}

function assertSecureTransport(
  server: string,
  skipTlsVerify: boolean,
  source: KubeconfigSource,
  options: LoadKubeConfigOptions,
): void {
  if (!URL.canParse(server) || !/^https?:$/.test(new URL(server).protocol)) {
    throw new ClusterConfigError(
      'ERR_CLUSTER_CONFIG',
      `the kubeconfig ${describeSource(source)} names server ${JSON.stringify(server)}, which is not an https:// URL`,
    );
  }
  if (new URL(server).protocol === 'http:' && !skipTlsVerify) {
    throw new ClusterConfigError(
      'ERR_CLUSTER_CONFIG',
      `the kubeconfig ${describeSource(source)} names a plain http:// server without insecure-skip-tls-verify: true, which client-node refuses; use the cluster's https:// address`,
    );
  }
  const insecurity = describeInsecurity(new URL(server).protocol, skipTlsVerify);
  if (insecurity === undefined) {
    return;
  }
  if (options.allowInsecureTls !== true) {
    throw new ClusterConfigError(
      'ERR_CLUSTER_INSECURE_TLS',
      `refusing to connect to ${server}: ${insecurity}, so anyone on the path could read the private signing key keyturn pushes. ` +
        "Give the kubeconfig the cluster's CA (certificate-authority-data) instead; only for a throw-away test cluster, pass allowInsecureTls: true",
    );
  }
  options.onWarning(`TLS verification is off for ${server} (${insecurity}); allowed by allowInsecureTls`);
}

function describeInsecurity(protocol: string, skipTlsVerify: boolean): string | undefined {
  if (protocol === 'http:') {
    return 'the server is plain http://';
  }
  if (skipTlsVerify) {
    return 'the kubeconfig sets insecure-skip-tls-verify: true';
  }
  if (process.env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
    return 'NODE_TLS_REJECT_UNAUTHORIZED=0 turns certificate verification off for the whole process';
  }
  return undefined;
}

function describeSource(source: KubeconfigSource): string {
  if ('file' in source) {
    return JSON.stringify(source.file);
  }
  return 'inCluster' in source ? '(in-cluster service account)' : '(YAML text)';
}
