import {
  type ClusterCredentials,
  invalidClusterCredentials,
  unsafeClusterCredentials,
} from '#shared/adapters/aws/cluster-credentials.ts';
import { ClusterConfigError, createOpenShiftClusterSigner } from '#shared/adapters/openshift/index.ts';
import type { ClusterSigner } from '#shared/ports.ts';

/** Makes a ClusterSigner from a kubeconfig's text; throws ClusterConfigError when it cannot. */
export type ConnectCluster = (kubeconfig: string) => ClusterSigner;

/** Options of {@link createSecretClusterSigner}. */
export interface SecretClusterSignerOptions {
  /** The issuer whose cluster this is; its kubeconfig is read from its own secret. */
  readonly issuerId: string;
  /** Where kubeconfigs come from (Secrets Manager, cached per issuer). */
  readonly credentials: ClusterCredentials;
  /** @default the OpenShift adapter over the kubeconfig YAML */
  readonly connect?: ConnectCluster;
}

/**
 * The OpenShift adapter for a kubeconfig given as text, with inline credentials only: a kubeconfig from
 * Secrets Manager may not make the function run a program or read its own files.
 */
export const connectOpenShift: ConnectCluster = (kubeconfig) =>
  createOpenShiftClusterSigner({ kubeconfig: { yaml: kubeconfig }, inlineCredentialsOnly: true });

/** What to tell the user when the adapter refuses the kubeconfig; never a part of the kubeconfig. */
const CONFIG_PROBLEMS: Record<
  Exclude<ClusterConfigError['code'], 'ERR_CLUSTER_CREDENTIALS_UNSAFE'>,
  string
> = {
  ERR_CLUSTER_CONFIG:
    'it cannot be loaded as a kubeconfig whose current-context names a cluster (an https:// server) and a user; ' +
    'check the file with kubectl --kubeconfig kubeconfig get --raw /version',
  ERR_CLUSTER_INSECURE_TLS:
    "it turns TLS verification off (insecure-skip-tls-verify: true or an http:// server); give it the cluster's " +
    'CA (certificate-authority-data) instead',
};

/**
 * The cluster of one issuer, connected lazily: nothing is read until the first call, which reads the
 * issuer's kubeconfig from Secrets Manager (so steps that never touch the cluster never read it), and every
 * call after that asks `credentials` again, which answers from its cache while it is fresh. When the
 * secret's value changes, the next call connects with the new kubeconfig. A kubeconfig the adapter
 * refuses becomes ERR_CLUSTER_CREDENTIALS_INVALID naming the secret, without the adapter's message (it may
 * quote the server) and without a `cause`; one that would run a program or read a file inside the
 * function (exec, auth-provider, token-file, certificate paths) becomes ERR_CLUSTER_CREDENTIALS_UNSAFE,
 * naming only the positions of those fields.
 */
export function createSecretClusterSigner(options: SecretClusterSignerOptions): ClusterSigner {
  const connect = options.connect ?? connectOpenShift;
  let connected: { readonly kubeconfig: string; readonly signer: ClusterSigner } | undefined;

  const signer = async (): Promise<ClusterSigner> => {
    const { secretName, kubeconfig } = await options.credentials.kubeconfigOf(options.issuerId);
    if (connected?.kubeconfig !== kubeconfig) {
      connected = { kubeconfig, signer: connectOrExplain(connect, secretName, kubeconfig) };
    }
    return connected.signer;
  };

  return {
    push: async (pair) => (await signer()).push(pair),
    rolloutProgress: async (kid) => (await signer()).rolloutProgress(kid),
    requestToken: async (audience) => (await signer()).requestToken(audience),
    readKeys: async () => (await signer()).readKeys(),
    readStability: async () => (await signer()).readStability(),
    readTokenLifetime: async () => (await signer()).readTokenLifetime(),
    readPoolReboot: async (pool) => (await signer()).readPoolReboot(pool),
    requestPoolReboot: async (pool, rebootNumber) => (await signer()).requestPoolReboot(pool, rebootNumber),
    rebootProgress: async (pool, rebootNumber) => (await signer()).rebootProgress(pool, rebootNumber),
    readRotationGuard: async (operation) => (await signer()).readRotationGuard(operation),
    holdRotationGuard: async (operation) => (await signer()).holdRotationGuard(operation),
    releaseRotationGuard: async (operation) => (await signer()).releaseRotationGuard(operation),
  };
}

function connectOrExplain(connect: ConnectCluster, secretName: string, kubeconfig: string): ClusterSigner {
  try {
    return connect(kubeconfig);
  } catch (error) {
    if (error instanceof ClusterConfigError) {
      throw error.code === 'ERR_CLUSTER_CREDENTIALS_UNSAFE'
        ? unsafeClusterCredentials(secretName, error.references)
        : invalidClusterCredentials(secretName, CONFIG_PROBLEMS[error.code]);
    }
    throw error;
  }
}
