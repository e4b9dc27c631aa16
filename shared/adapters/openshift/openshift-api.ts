import {
  type AuthenticationV1TokenRequest,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import { ClusterApiCallError } from '../../port-errors.ts';
import { callApi } from './api-call.ts';
import {
  APISERVER_NAMESPACE,
  CERTS_CONFIGMAP_NAME,
  KUBE_APISERVER_RESOURCE,
  NEXT_SECRET_NAME,
  OPERATOR_NAMESPACE,
} from './names.ts';
import type { JsonPatchOperation, SigningPairData } from './next-secret.ts';
import { nextSecretBody } from './next-secret.ts';
import { createRequestOptions } from './request-options.ts';

/**
 * The six API requests the adapter makes, each through client-node 2's object-parameter API with a
 * deadline, and each failing only with ClusterApiCallError. Answers are returned as they came: the
 * caller validates them.
 */
export interface OpenShiftApi {
  /** GET the next secret, or undefined on 404. */
  readNextSecret(): Promise<unknown>;
  /** PATCH the next secret with a JSON patch (`application/json-patch+json`). */
  patchNextSecret(patch: readonly JsonPatchOperation[]): Promise<void>;
  /** POST the next secret (type Opaque) with `data`. */
  createNextSecret(data: SigningPairData): Promise<void>;
  /** GET the trusted-keys configmap. */
  readTrustedKeysConfigMap(): Promise<unknown>;
  /** GET `kubeapiservers.operator.openshift.io/cluster`. */
  readKubeApiServer(): Promise<unknown>;
  /** POST a TokenRequest for a service account; returns the whole TokenRequest answer. */
  createToken(request: {
    readonly namespace: string;
    readonly serviceAccount: string;
    readonly audience: string;
    readonly expirationSeconds: number;
  }): Promise<unknown>;
}

/** Resource names as error messages show them. */
export const RESOURCES = {
  nextSecret: `secrets ${OPERATOR_NAMESPACE}/${NEXT_SECRET_NAME}`,
  trustedKeys: `configmaps ${APISERVER_NAMESPACE}/${CERTS_CONFIGMAP_NAME}`,
  kubeApiServer: `${KUBE_APISERVER_RESOURCE.plural}.${KUBE_APISERVER_RESOURCE.group} ${KUBE_APISERVER_RESOURCE.name}`,
} as const;

const NOT_OPENSHIFT = 'it does not exist; is this an OpenShift 4 cluster?';

/** Builds the API clients for a loaded kubeconfig; every request is aborted after `timeoutMs`. */
export function createOpenShiftApi(config: KubeConfig, timeoutMs: number): OpenShiftApi {
  const core = config.makeApiClient(CoreV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const options = createRequestOptions(timeoutMs);
  const nextSecret = { name: NEXT_SECRET_NAME, namespace: OPERATOR_NAMESPACE };

  return {
    async readNextSecret() {
      try {
        return await callApi({ method: 'GET', resource: RESOURCES.nextSecret }, () =>
          core.readNamespacedSecret(nextSecret, options.plain),
        );
      } catch (error) {
        if (error instanceof ClusterApiCallError && error.code === 'ERR_CLUSTER_NOT_FOUND') {
          return undefined;
        }
        throw error;
      }
    },

    async patchNextSecret(patch) {
      await callApi({ method: 'PATCH', resource: RESOURCES.nextSecret }, () =>
        core.patchNamespacedSecret({ ...nextSecret, body: patch }, options.jsonPatch),
      );
    },

    async createNextSecret(data) {
      await callApi(
        { method: 'POST', resource: RESOURCES.nextSecret },
        () =>
          core.createNamespacedSecret(
            { namespace: OPERATOR_NAMESPACE, body: nextSecretBody(data) },
            options.plain,
          ),
        {
          ERR_CLUSTER_NOT_FOUND: `namespace ${OPERATOR_NAMESPACE} does not exist; is this an OpenShift 4 cluster?`,
        },
      );
    },

    readTrustedKeysConfigMap: () =>
      callApi(
        { method: 'GET', resource: RESOURCES.trustedKeys },
        () =>
          core.readNamespacedConfigMap(
            { name: CERTS_CONFIGMAP_NAME, namespace: APISERVER_NAMESPACE },
            options.plain,
          ),
        { ERR_CLUSTER_NOT_FOUND: NOT_OPENSHIFT },
      ),

    readKubeApiServer: () =>
      callApi(
        { method: 'GET', resource: RESOURCES.kubeApiServer },
        () => custom.getClusterCustomObject({ ...KUBE_APISERVER_RESOURCE }, options.plain),
        { ERR_CLUSTER_NOT_FOUND: NOT_OPENSHIFT },
      ),

    createToken({ namespace, serviceAccount, audience, expirationSeconds }) {
      const body: AuthenticationV1TokenRequest = {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: [audience], expirationSeconds },
      };
      return callApi(
        { method: 'POST', resource: `serviceaccounts/token ${namespace}/${serviceAccount}` },
        () =>
          core.createNamespacedServiceAccountToken({ name: serviceAccount, namespace, body }, options.plain),
        {
          ERR_CLUSTER_NOT_FOUND: `the probe service account ${namespace}/${serviceAccount} does not exist; create it (docs/openshift-rbac.yaml)`,
        },
      );
    },
  };
}
