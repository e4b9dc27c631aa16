import { createHash, type KeyObject } from 'node:crypto';

/**
 * The key id kube-apiserver writes into every token header: base64url (no padding) of SHA-256 over the
 * DER SubjectPublicKeyInfo of the public key (kubernetes pkg/serviceaccount/jwt.go, keyIDFromPublicKey).
 * A JWKS that names keys any other way breaks STS, which matches `kid` exactly.
 */
export function computeKid(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64url');
}
