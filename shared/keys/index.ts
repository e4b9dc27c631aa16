/** Key material: generate, parse (label-agnostic), kid, JWK, validation. */
export { encodePrivateKeyPem, encodePublicKeyPem, type SigningJwk, toSigningJwk } from './encode.ts';
export { type InvalidKeyCode, InvalidKeyError } from './errors.ts';
export { DEFAULT_RSA_BITS, generateSigningKeyPair, parseRsaBits } from './generate.ts';
export { computeKid } from './kid.ts';
export { assertKeyPairMatches } from './match.ts';
export { type ParsePrivateKeyOptions, parsePrivateKey } from './parse-private-key.ts';
export { parsePublicKey } from './parse-public-key.ts';
export {
  GENERATED_RSA_BITS,
  type PrivateSigningKey,
  type PublicSigningKey,
  type RsaBits,
} from './signing-key.ts';
