import { createClusterPlatform } from '#shared/adapters/openshift/cluster-platform.ts';
import { encodePublicKeyPem, type PrivateSigningKey } from '#shared/keys/index.ts';
import type { ClusterKeys, ClusterSigner, RolloutProgress } from '#shared/ports.ts';
import { readTokenHeader } from '#shared/tokens/index.ts';
import type { ClusterModel } from './cluster-model.ts';
import {
  APISERVER_NAMESPACE,
  CERTS_CONFIGMAP_NAME,
  KUBE_APISERVER_NAME,
  NEXT_SECRET_NAME,
  OPERATOR_NAMESPACE,
} from './objects.ts';
import { readSigningPair, readTrustedKeys, signingPairData } from './secret-data.ts';
import { createSimulatedPlatformApi } from './simulated-platform-api.ts';
import { MIN_TOKEN_EXPIRATION_SECONDS } from './tokens.ts';

/** Which service account the signer's probe tokens are for. */
export interface SimulatedClusterSignerOptions {
  /** @default 'keyturn' */
  readonly probeNamespace?: string;
  /** @default 'keyturn-probe' */
  readonly probeServiceAccount?: string;
}

/** Audience of the probe tokens `rolloutProgress` and `readKeys` request to learn the signing kid. */
export const PROBE_AUDIENCE = 'keyturn-probe';

/**
 * A ClusterSigner over an in-process {@link ClusterModel}, making the API requests a real OpenShift
 * adapter would (GET then PUT the next secret, GET the configmap and the operator status, TokenRequest)
 * and admitting each through `model.faults`: an injected failure rejects with InjectedApiFailureError,
 * an API delay is awaited per request. `signingKid` is the kid of a freshly issued probe token, so during
 * a rollout it depends on which node answered, exactly as against a real cluster. The ClusterPlatform
 * methods are the OpenShift adapter's own logic (shared/adapters/openshift/cluster-platform.ts) over the
 * same requests made on the model, so both signers read and write the platform objects alike.
 */
export function createSimulatedClusterSigner(
  model: ClusterModel,
  options: SimulatedClusterSignerOptions = {},
): ClusterSigner {
  const namespace = options.probeNamespace ?? 'keyturn';
  const serviceAccount = options.probeServiceAccount ?? 'keyturn-probe';

  const requestToken = async (audience: string): Promise<string> => {
    await model.faults.admitApiCall(`POST serviceaccounts/${serviceAccount}/token`);
    const issued = await model.issueToken({
      namespace,
      serviceAccount,
      audiences: [audience],
      expirationSeconds: MIN_TOKEN_EXPIRATION_SECONDS,
    });
    return issued.token;
  };
  const probeSigningKid = async (): Promise<string> =>
    readTokenHeader(await requestToken(PROBE_AUDIENCE)).kid;
  const readTrusted = async () => {
    await model.faults.admitApiCall(`GET configmaps/${CERTS_CONFIGMAP_NAME}`);
    return [...readTrustedKeys(model.get('ConfigMap', APISERVER_NAMESPACE, CERTS_CONFIGMAP_NAME)).values()];
  };

  return {
    ...createClusterPlatform(createSimulatedPlatformApi(model)),

    async push(pair: PrivateSigningKey): Promise<void> {
      await model.faults.admitApiCall(`GET secrets/${NEXT_SECRET_NAME}`);
      const current = model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
      if (readSigningPair(current)?.publicKey.kid === pair.publicKey.kid) {
        return;
      }
      const data = signingPairData(pair, 'PUBLIC KEY');
      if (current === undefined) {
        await model.faults.admitApiCall(`POST secrets/${NEXT_SECRET_NAME}`);
        await model.createSecret(OPERATOR_NAMESPACE, { metadata: { name: NEXT_SECRET_NAME }, data });
        return;
      }
      await model.faults.admitApiCall(`PUT secrets/${NEXT_SECRET_NAME}`);
      const { name, resourceVersion, labels } = current.metadata;
      await model.replaceSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, {
        metadata: { name, resourceVersion, ...(labels === undefined ? {} : { labels }) },
        data,
      });
    },

    async rolloutProgress(kid: string): Promise<RolloutProgress> {
      const trusted = (await readTrusted()).some((key) => key.kid === kid);
      await model.faults.admitApiCall(`GET kubeapiservers/${KUBE_APISERVER_NAME}`);
      const status = model.get('KubeAPIServer', undefined, KUBE_APISERVER_NAME)?.status;
      const nodeStatuses = status?.nodeStatuses ?? [];
      const nodesUpdated = nodeStatuses.filter(
        (node) => node.currentRevision === status?.latestAvailableRevision,
      ).length;
      return { trusted, nodesUpdated, nodesTotal: nodeStatuses.length, signingKid: await probeSigningKid() };
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
