import { issueServiceAccountToken } from '#shared/tokens/index.ts';
import { type ClusterState, revisionOf } from './cluster-state.ts';
import { ClusterApiError } from './errors.ts';
import { toKubeTime } from './objects.ts';

/** Shortest token kube-apiserver issues through TokenRequest (10 minutes). */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;

/** TokenRequest's default lifetime (one hour). */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** A TokenRequest for a service account. */
export interface TokenRequest {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** @default [the issuer URL], the API audience of an OpenShift STS cluster */
  readonly audiences?: readonly string[];
  /** @default 3600; at least 600 */
  readonly expirationSeconds?: number;
  /** Pod (and the node it runs on) to bind the token to, as for a projected volume. @default unbound */
  readonly boundPod?: {
    readonly pod: { readonly name: string; readonly uid: string };
    readonly node: { readonly name: string; readonly uid: string };
  };
}

/** A token, the apiserver node that signed it, and what TokenRequest's status reports. */
export interface IssuedToken {
  readonly token: string;
  readonly kid: string;
  /** The control-plane node whose kube-apiserver answered. */
  readonly nodeName: string;
  readonly expirationTimestamp: string;
}

/** Checks a TokenRequest as kube-apiserver's validation does; errors are ERR_SIM_INVALID. */
export function assertTokenRequest(request: TokenRequest): void {
  for (const [field, value] of [
    ['metadata.namespace', request.namespace],
    ['metadata.name', request.serviceAccount],
  ] as const) {
    if (!DNS_LABEL.test(value)) {
      throw new ClusterApiError('ERR_SIM_INVALID', `${field}: Invalid value: "${value}": not a valid name`);
    }
  }
  const seconds = request.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS;
  if (!Number.isInteger(seconds) || seconds < MIN_TOKEN_EXPIRATION_SECONDS || seconds > 2 ** 32) {
    throw new ClusterApiError(
      'ERR_SIM_INVALID',
      `spec.expirationSeconds: Invalid value: ${seconds}: may not specify a duration less than 10 minutes or more than 2^32 seconds`,
    );
  }
  if (request.audiences?.some((audience) => audience === '')) {
    throw new ClusterApiError('ERR_SIM_INVALID', 'spec.audiences: Invalid value: "": must not be empty');
  }
}

/**
 * Issues a token from the next kube-apiserver in round-robin order, signed with the key of the revision
 * that node runs now, so tokens issued mid-rollout may carry different kids. Call after the state is
 * brought up to `now`.
 */
export async function issueToken(
  state: ClusterState,
  request: TokenRequest,
  now: Date,
): Promise<IssuedToken> {
  assertTokenRequest(request);
  const node = state.nodes[state.nextTokenNode % state.nodes.length];
  if (node === undefined) {
    throw new Error('the simulated cluster has no nodes');
  }
  state.nextTokenNode = (state.nextTokenNode + 1) % state.nodes.length;
  const { signer } = revisionOf(state, node);
  const lifetimeSeconds = request.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS;
  const audiences = request.audiences?.length ? request.audiences : [state.issuerUrl];
  const token = await issueServiceAccountToken(
    signer,
    {
      issuer: state.issuerUrl,
      audiences,
      namespace: request.namespace,
      serviceAccount: request.serviceAccount,
      lifetimeSeconds,
      ...(request.boundPod === undefined ? {} : request.boundPod),
    },
    now,
  );
  const expiresAt = new Date((Math.floor(now.getTime() / 1000) + lifetimeSeconds) * 1000);
  return {
    token,
    kid: signer.publicKey.kid,
    nodeName: node.name,
    expirationTimestamp: toKubeTime(expiresAt),
  };
}
