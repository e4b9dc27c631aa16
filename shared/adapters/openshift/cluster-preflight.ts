import { AuthorizationV1Api, CustomObjectsApi, VersionApi } from '@kubernetes/client-node';
import { ClusterAnswerError } from '../../port-errors.ts';
import type { AccessReview, AccessRule, ClusterPreflightReads } from '../../preflight/preflight-reads.ts';
import { describeValue, fieldOf, optionalObject, requiredString } from './answer-fields.ts';
import { callApi, redact } from './api-call.ts';
import { AUTHENTICATION_RESOURCE, KEYTURN_API_ACCESS } from './keyturn-access.ts';
import { type KubeconfigSource, loadKubeConfig } from './kube-config.ts';
import { createRequestOptions } from './request-options.ts';

/** How {@link createClusterPreflightReads} reaches the cluster: as the cluster signer does. */
export interface ClusterPreflightReadsOptions {
  readonly kubeconfig: KubeconfigSource;
  /** How long one API request may take. @default 30 */
  readonly requestTimeoutSeconds?: number;
  /** Accept a kubeconfig that turns TLS verification off. @default false */
  readonly allowInsecureTls?: boolean;
  /** Told when TLS verification is off because `allowInsecureTls` allowed it. */
  readonly onWarning: (message: string) => void;
}

const AUTHENTICATION = `${AUTHENTICATION_RESOURCE.plural}.${AUTHENTICATION_RESOURCE.group} ${AUTHENTICATION_RESOURCE.name}`;
const REVIEWS = 'selfsubjectaccessreviews.authorization.k8s.io';

/**
 * The preflight's own reads over client-node, with the adapter's deadline and errors (ClusterApiCallError
 * for a failed call, ClusterAnswerError for an answer that is not the cluster's); they read and review,
 * never write. A kubeconfig that cannot be used fails here, with ClusterConfigError.
 */
export function createClusterPreflightReads(options: ClusterPreflightReadsOptions): ClusterPreflightReads {
  const config = loadKubeConfig(options.kubeconfig, {
    allowInsecureTls: options.allowInsecureTls,
    onWarning: options.onWarning,
  });
  const { plain } = createRequestOptions((options.requestTimeoutSeconds ?? 30) * 1000);
  const version = config.makeApiClient(VersionApi);
  const authorization = config.makeApiClient(AuthorizationV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);

  const review = async (rule: AccessRule): Promise<AccessReview> => {
    const answer = await callApi({ method: 'POST', resource: REVIEWS }, () =>
      authorization.createSelfSubjectAccessReview(
        {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: resourceAttributesOf(rule) },
          },
        },
        plain,
      ),
    );
    return readAccessReview(answer, rule);
  };

  return {
    server: config.getCurrentCluster()?.server ?? '(unknown server)',

    async readServerVersion() {
      const answer = await callApi({ method: 'GET', resource: '/version' }, () =>
        version.getCode(undefined, plain),
      );
      return requiredString(fieldOf(answer, 'gitVersion', '/version'), '/version gitVersion');
    },

    reviewAccess: () => Promise.all(KEYTURN_API_ACCESS.map(review)),

    async readServiceAccountIssuer() {
      const answer = await callApi(
        { method: 'GET', resource: AUTHENTICATION },
        () => custom.getClusterCustomObject({ ...AUTHENTICATION_RESOURCE }, plain),
        { ERR_CLUSTER_NOT_FOUND: 'it does not exist; is this an OpenShift 4 cluster?' },
      );
      const issuer = fieldOf(
        optionalObject(fieldOf(answer, 'spec', AUTHENTICATION), `${AUTHENTICATION} spec`),
        'serviceAccountIssuer',
        `${AUTHENTICATION} spec`,
      );
      if (issuer === undefined || issuer === '') return undefined;
      if (typeof issuer !== 'string') {
        throw new ClusterAnswerError(
          `${AUTHENTICATION} spec.serviceAccountIssuer is ${describeValue(issuer)}, not a URL`,
        );
      }
      return issuer;
    },
  };
}

/** SelfSubjectAccessReview `spec.resourceAttributes` of one rule. */
function resourceAttributesOf(rule: AccessRule) {
  return {
    verb: rule.verb,
    group: rule.group,
    resource: rule.resource,
    ...(rule.subresource === undefined ? {} : { subresource: rule.subresource }),
    ...(rule.namespace === undefined ? {} : { namespace: rule.namespace }),
    ...(rule.name === undefined ? {} : { name: rule.name }),
  };
}

/** `status.allowed` (required) and `status.reason` / `evaluationError` of a review's answer. */
function readAccessReview(answer: unknown, rule: AccessRule): AccessReview {
  const where = 'the SelfSubjectAccessReview answer';
  const status = fieldOf(answer, 'status', where);
  const allowed = fieldOf(status, 'allowed', `${where} status`);
  if (typeof allowed !== 'boolean') {
    throw new ClusterAnswerError(`${where} status.allowed is ${describeValue(allowed)}, not true or false`);
  }
  const reasons = [
    fieldOf(status, 'reason', `${where} status`),
    fieldOf(status, 'evaluationError', `${where} status`),
  ].filter((text): text is string => typeof text === 'string' && text !== '');
  return { rule, allowed, ...(reasons.length === 0 ? {} : { reason: redact(reasons.join('; ')) }) };
}
