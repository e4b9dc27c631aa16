import type { ClusterModel } from '../cluster-model.ts';
import { ClusterApiError } from '../errors.ts';
import { toKubeTime } from '../objects.ts';
import { DEFAULT_TOKEN_EXPIRATION_SECONDS, type TokenRequest } from '../tokens.ts';
import type { ClusterObjects } from './cluster-objects.ts';
import type { TokenRequestSpec } from './token-request.ts';

/** Where a TokenRequest was posted. */
export interface TokenSubject {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * Issues a token for a service account and answers the TokenRequest as kube-apiserver does: the spec it
 * used (audiences defaulted to the issuer) and `status.token` with an RFC 3339 `expirationTimestamp`.
 * A token may be bound to a Pod of the same namespace; other bound kinds are not simulated.
 */
export async function answerTokenRequest(
  model: ClusterModel,
  objects: ClusterObjects,
  subject: TokenSubject,
  spec: TokenRequestSpec,
  now: Date,
): Promise<object> {
  const { namespace, serviceAccount } = subject;
  if (objects.serviceAccount(namespace, serviceAccount) === undefined) {
    throw new ClusterApiError('ERR_SIM_NOT_FOUND', `serviceaccounts "${serviceAccount}" not found`);
  }
  const boundPod =
    spec.boundObjectRef === undefined ? undefined : resolveBoundPod(model, objects, namespace, spec);
  const request: TokenRequest = {
    namespace,
    serviceAccount,
    audiences: spec.audiences,
    ...(spec.expirationSeconds === undefined ? {} : { expirationSeconds: spec.expirationSeconds }),
    ...(boundPod === undefined ? {} : { boundPod }),
  };
  const issued = await model.issueToken(request);
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: serviceAccount, namespace, creationTimestamp: toKubeTime(now) },
    spec: {
      audiences: spec.audiences.length > 0 ? spec.audiences : [model.issuerUrl],
      expirationSeconds: spec.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
      boundObjectRef: spec.boundObjectRef ?? null,
    },
    status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp },
  };
}

function resolveBoundPod(
  model: ClusterModel,
  objects: ClusterObjects,
  namespace: string,
  spec: TokenRequestSpec,
): TokenRequest['boundPod'] {
  const { kind, name = '', uid } = spec.boundObjectRef ?? {};
  if (kind !== 'Pod') {
    throw new ClusterApiError(
      'ERR_SIM_INVALID',
      `spec.boundObjectRef.kind: Unsupported value: "${kind ?? ''}": the OpenShift simulator binds tokens to pods only`,
    );
  }
  const pod = model.get('Pod', namespace, name);
  if (pod === undefined) {
    throw new ClusterApiError('ERR_SIM_NOT_FOUND', `pods "${name}" not found`);
  }
  if (uid !== undefined && uid !== '' && uid !== pod.metadata.uid) {
    throw new ClusterApiError(
      'ERR_SIM_CONFLICT',
      `the UID in the bound object reference (${uid}) does not match the UID in record (${pod.metadata.uid}). ` +
        'The object might have been deleted and then recreated',
    );
  }
  const nodeName = pod.spec.nodeName;
  return {
    pod: { name: pod.metadata.name, uid: pod.metadata.uid },
    node: { name: nodeName, uid: objects.nodeUid(nodeName) },
  };
}
