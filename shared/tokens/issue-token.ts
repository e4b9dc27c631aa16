import { SignJWT } from 'jose';
import type { PrivateSigningKey } from '../keys/signing-key.ts';

/** What goes into a service-account token. */
export interface ServiceAccountTokenClaims {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Pod and node the token is bound to, as kube-apiserver writes them for projected tokens. @default none */
  readonly pod?: { readonly name: string; readonly uid: string };
  readonly node?: { readonly name: string; readonly uid: string };
  /** @default 3600 */
  readonly lifetimeSeconds?: number;
}

/**
 * Signs a token shaped like the ones kube-apiserver issues through TokenRequest: header `{alg: RS256,
 * kid}`, claims `iss, sub, aud, iat, nbf, exp` and `kubernetes.io`. For simulated clusters, tests and
 * benchmarks: production tokens come from the cluster itself.
 */
export async function issueServiceAccountToken(
  signer: PrivateSigningKey,
  claims: ServiceAccountTokenClaims,
  now: Date = new Date(),
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const kubernetes = {
    namespace: claims.namespace,
    serviceaccount: { name: claims.serviceAccount, uid: crypto.randomUUID() },
    ...(claims.pod === undefined ? {} : { pod: claims.pod }),
    ...(claims.node === undefined ? {} : { node: claims.node }),
  };
  return new SignJWT({ 'kubernetes.io': kubernetes })
    .setProtectedHeader({ alg: 'RS256', kid: signer.publicKey.kid })
    .setIssuer(claims.issuer)
    .setSubject(`system:serviceaccount:${claims.namespace}:${claims.serviceAccount}`)
    .setAudience([...claims.audiences])
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(issuedAt + (claims.lifetimeSeconds ?? 3600))
    .sign(signer.key);
}
