import { InvalidKeyError } from './errors.ts';
import type { PrivateSigningKey, PublicSigningKey } from './signing-key.ts';

/** Refuses a private key that is not the other half of `publicKey` (compared by kid, i.e. by SPKI). */
export function assertKeyPairMatches(privateKey: PrivateSigningKey, publicKey: PublicSigningKey): void {
  if (privateKey.publicKey.kid !== publicKey.kid) {
    throw new InvalidKeyError(
      'ERR_KEY_MISMATCH',
      `the private key (kid ${privateKey.publicKey.kid}) does not belong to the public key (kid ${publicKey.kid})`,
    );
  }
}
