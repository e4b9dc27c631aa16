import type { PrivateSigningKey, PublicSigningKey } from './signing-key.ts';

/** A public RSA JWK as ccoctl writes it into keys.json: members in this order (DESIGN.md §1). */
export interface SigningJwk {
  readonly use: 'sig';
  readonly kty: 'RSA';
  readonly kid: string;
  readonly alg: 'RS256';
  readonly n: string;
  readonly e: string;
}

/** `serviceaccount-signer.private` content: PKCS#1 PEM (`RSA PRIVATE KEY`), as ccoctl and the cluster want it. */
export function encodePrivateKeyPem(privateKey: PrivateSigningKey): string {
  return privateKey.key.export({ type: 'pkcs1', format: 'pem' }).toString();
}

/** `serviceaccount-signer.public` content: SPKI PEM (`PUBLIC KEY`). */
export function encodePublicKeyPem(publicKey: PublicSigningKey): string {
  return publicKey.key.export({ type: 'spki', format: 'pem' }).toString();
}

/** The keys.json entry for a public key; n and e are base64url without padding (RFC 7518 §6.3.1). */
export function toSigningJwk(publicKey: PublicSigningKey): SigningJwk {
  const { n, e } = publicKey.key.export({ format: 'jwk' });
  if (n === undefined || e === undefined) {
    throw new TypeError('an RSA public key exported without n or e');
  }
  return { use: 'sig', kty: 'RSA', kid: publicKey.kid, alg: 'RS256', n, e };
}
