import type { ClusterModel } from '../cluster-model.ts';

/**
 * `authentications.config.openshift.io/cluster` as an STS cluster (manual credentials mode) has it:
 * `spec.serviceAccountIssuer` is the issuer the cluster's tokens carry, the model's own.
 */
export function authenticationConfig(model: ClusterModel, createdAt: string): object {
  return {
    apiVersion: 'config.openshift.io/v1',
    kind: 'Authentication',
    metadata: {
      name: 'cluster',
      uid: '00000000-0000-4000-8000-000000000001',
      resourceVersion: '1',
      generation: 1,
      creationTimestamp: createdAt,
    },
    spec: {
      type: 'IntegratedOAuth',
      oauthMetadata: { name: '' },
      serviceAccountIssuer: model.issuerUrl,
      webhookTokenAuthenticator: { kubeConfig: { name: 'webhook-authentication-integrated-oauth' } },
    },
    status: { integratedOAuthMetadata: { name: 'oauth-openshift' } },
  };
}
