import { encodePublicKeyPem, type PrivateSigningKey } from '../../keys/index.ts';
import { ClusterApiCallError } from '../../port-errors.ts';
import type { ClusterKeys, ClusterSigner, RolloutProgress } from '../../ports.ts';
import { readIssuedToken, readRolloutStatus, readSigningKid, readTrustedKeys } from './cluster-answers.ts';
import { createClusterPlatform } from './cluster-platform.ts';
import { ClusterConfigError } from './errors.ts';
import { type KubeconfigSource, loadKubeConfig } from './kube-config.ts';
import {
  DEFAULT_PROBE_NAMESPACE,
  DEFAULT_PROBE_SERVICE_ACCOUNT,
  DEFAULT_TOKEN_EXPIRATION_SECONDS,
  PROBE_AUDIENCE,
} from './names.ts';
import { planNextSecretWrite, signingPairData } from './next-secret.ts';
import { createOpenShiftApi, type OpenShiftApi, RESOURCES } from './openshift-api.ts';
import { createOpenShiftPlatformApi } from './openshift-platform-api.ts';

/** How to reach the cluster and which service account the probe tokens are for. */
export interface OpenShiftClusterSignerOptions {
  /** The kubeconfig to use: a file, YAML text, or the pod's own service account. */
  readonly kubeconfig: KubeconfigSource;
  /** Namespace of the probe service account. @default 'keyturn' */
  readonly probeNamespace?: string;
  /** Service account whose TokenRequest tokens show which key the cluster signs with. @default 'keyturn-probe' */
  readonly probeServiceAccount?: string;
  /** Lifetime asked for in TokenRequest, 600 (kube-apiserver's minimum) or more. @default 600 */
  readonly tokenExpirationSeconds?: number;
  /** How long one API request may take before it fails with ERR_CLUSTER_UNAVAILABLE. @default 30 */
  readonly requestTimeoutSeconds?: number;
  /**
   * Accept a kubeconfig that turns TLS verification off (`insecure-skip-tls-verify`, `http://`,
   * NODE_TLS_REJECT_UNAUTHORIZED=0). Only for throw-away test clusters: the private key travels on this
   * connection. @default false
   */
  readonly allowInsecureTls?: boolean;
  /**
   * Refuse a kubeconfig whose users or clusters would make keyturn run a program (`exec`,
   * `auth-provider`) or read a local file (`token-file`/`tokenFile`, `client-certificate`, `client-key`,
   * `certificate-authority` paths) with ERR_CLUSTER_CREDENTIALS_UNSAFE; `token` and the `-data` forms are
   * fine. For kubeconfigs read from a secrets store (the Lambda functions set it); a human's own
   * kubeconfig may use them. @default false
   */
  readonly inlineCredentialsOnly?: boolean;
  /**
   * Told about things worth a look that do not fail the call: unusable keys in the trusted-keys
   * configmap, TLS verification turned off by `allowInsecureTls`. @default process.emitWarning
   */
  readonly onWarning?: (message: string) => void;
}

/**
 * A ClusterSigner for OpenShift 4 over the Kubernetes API (DESIGN.md §1), with @kubernetes/client-node and
 * a kubeconfig (bearer token or client certificate; TLS verified). `push` writes the pair into
 * `next-bound-service-account-signing-key` and leaves the rollout to the operator; `rolloutProgress` and
 * `readKeys` read only public objects (the trusted-keys configmap, the operator status) and learn the
 * signing kid from a probe token: they never read `bound-service-account-signing-key`. Every API failure
 * is a ClusterApiCallError whose message carries no request or response body (SEALED).
 */
export function createOpenShiftClusterSigner(options: OpenShiftClusterSignerOptions): ClusterSigner {
  const namespace = assertName(options.probeNamespace ?? DEFAULT_PROBE_NAMESPACE, 'probeNamespace');
  const serviceAccount = assertName(
    options.probeServiceAccount ?? DEFAULT_PROBE_SERVICE_ACCOUNT,
    'probeServiceAccount',
  );
  const expirationSeconds = assertExpiration(
    options.tokenExpirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
  );
  const timeoutSeconds = assertTimeout(options.requestTimeoutSeconds ?? 30);
  const onWarning =
    options.onWarning ?? ((message: string) => process.emitWarning(message, 'KeyturnWarning'));
  const config = loadKubeConfig(options.kubeconfig, {
    allowInsecureTls: options.allowInsecureTls,
    inlineCredentialsOnly: options.inlineCredentialsOnly,
    onWarning,
  });
  const api = createOpenShiftApi(config, timeoutSeconds * 1000);
  const probe = `${namespace}/${serviceAccount}`;

  const requestToken = async (audience: string): Promise<string> =>
    readIssuedToken(await api.createToken({ namespace, serviceAccount, audience, expirationSeconds }), probe);
  const probeSigningKid = async (): Promise<string> =>
    readSigningKid(await requestToken(PROBE_AUDIENCE), probe);
  const readTrusted = async () => {
    const { keys, skipped } = readTrustedKeys(await api.readTrustedKeysConfigMap());
    if (skipped.length > 0) {
      const entries = skipped.length === 1 ? '1 entry' : `${skipped.length} entries`;
      onWarning(
        `${RESOURCES.trustedKeys}: skipped ${entries} that are not RSA public keys keyturn accepts (${skipped.join(', ')})`,
      );
    }
    return keys;
  };

  return {
    ...createClusterPlatform(createOpenShiftPlatformApi(config, timeoutSeconds * 1000)),

    push: (pair) => writeNextSecret(api, pair, true),

    async rolloutProgress(kid): Promise<RolloutProgress> {
      const trusted = (await readTrusted()).some((key) => key.kid === kid);
      const status = readRolloutStatus(await api.readKubeApiServer());
      const nodesUpdated = status.nodes.filter(
        (node) => node.currentRevision === status.latestAvailableRevision,
      ).length;
      return { trusted, nodesUpdated, nodesTotal: status.nodes.length, signingKid: await probeSigningKid() };
    },

    requestToken,

    async readKeys(): Promise<ClusterKeys> {
      const keys = await readTrusted();
      return {
        trustedKids: keys.map((key) => key.kid),
        publicKeys: new Map(keys.map((key) => [key.kid, encodePublicKeyPem(key)])),
        signingKid: await probeSigningKid(),
      };
    },
  };
}

/**
 * GET, then nothing (the pair is there), a patch, or a create. A create that loses a race (409
 * AlreadyExists: the operator or another keyturn wrote the secret in between) reads again and patches
 * once; `mayCreate` is spent by then.
 */
async function writeNextSecret(
  api: OpenShiftApi,
  pair: PrivateSigningKey,
  mayCreate: boolean,
): Promise<void> {
  const stored = await api.readNextSecret();
  if (stored === undefined) {
    if (!mayCreate) {
      throw new ClusterApiCallError(
        'ERR_CLUSTER_CONFLICT',
        `POST ${RESOURCES.nextSecret} said it exists, but it was gone again when read; another writer is deleting it: retry`,
        { method: 'GET', resource: RESOURCES.nextSecret, status: 404, reason: 'NotFound' },
      );
    }
    try {
      await api.createNextSecret(signingPairData(pair));
      return;
    } catch (error) {
      if (error instanceof ClusterApiCallError && error.reason === 'AlreadyExists') {
        return writeNextSecret(api, pair, false);
      }
      throw error;
    }
  }
  const write = planNextSecretWrite(stored, pair);
  if (write.kind === 'patch') {
    await api.patchNextSecret(write.patch);
  }
}

// RFC 1123 label, as Kubernetes requires for namespace and service account names.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function assertName(value: string, option: string): string {
  if (!DNS_LABEL.test(value)) {
    throw new ClusterConfigError(
      'ERR_CLUSTER_CONFIG',
      `${option} ${JSON.stringify(value)} is not a Kubernetes name (lowercase letters, digits and '-', at most 63)`,
    );
  }
  return value;
}

function assertExpiration(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 600 || seconds > 2 ** 32) {
    throw new ClusterConfigError(
      'ERR_CLUSTER_CONFIG',
      `tokenExpirationSeconds ${seconds} is out of range: kube-apiserver issues tokens for 600 s (10 minutes) to 2^32 s`,
    );
  }
  return seconds;
}

function assertTimeout(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ClusterConfigError(
      'ERR_CLUSTER_CONFIG',
      `requestTimeoutSeconds ${seconds} must be a number of seconds above 0`,
    );
  }
  return seconds;
}
