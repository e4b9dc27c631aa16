/** Key material: generate, parse (label-agnostic), kid, JWK, validation. */
export { encodePrivateKeyPem, encodePublicKeyPem, type SigningJwk, toSigningJwk } from './encode.ts';
export { type InvalidKeyCode, InvalidKeyError } from './errors.ts';
export { DEFAULT_RSA_BITS, generateSigningKeyPair, parseRsaBits } from './generate.ts';
export { computeKid } from './kid.ts';
export { assertKeyPairMatches } from './match.ts';
export { type ParsePrivateKeyOptions, parsePrivateKey } from './parse-private-key.ts';
export { parsePublicKey, publicKeyFromJwk } from './parse-public-key.ts';
export {
  GENERATED_RSA_BITS,
  MAX_RSA_BITS,
  MIN_RSA_BITS,
  type PrivateSigningKey,
  type PublicSigningKey,
  type RsaBits,
  toPublicSigningKey,
} from './signing-key.ts';
