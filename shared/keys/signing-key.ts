import type { KeyObject } from 'node:crypto';
import { InvalidKeyError } from './errors.ts';
import { computeKid } from './kid.ts';

/** RSA sizes keyturn generates; parsing accepts any size in [MIN_RSA_BITS, MAX_RSA_BITS]. */
export const GENERATED_RSA_BITS = [2048, 3072, 4096] as const;

/** A size keyturn generates. */
export type RsaBits = (typeof GENERATED_RSA_BITS)[number];

/** Smallest RSA modulus accepted (RFC 7518 §3.3 requires 2048 for RS256). */
export const MIN_RSA_BITS = 2048;

/** Largest RSA modulus accepted: bigger keys buy nothing and make every verification slow. */
export const MAX_RSA_BITS = 8192;

/** The only public exponent accepted (F4), as Go's crypto/rsa and OpenSSL generate. */
export const RSA_PUBLIC_EXPONENT = 65537n;

/** A validated RSA public key usable for RS256, with the kid kube-apiserver gives it. */
export interface PublicSigningKey {
  readonly key: KeyObject;
  readonly kid: string;
  readonly bits: number;
}

/**
 * A validated RSA private key and its public half. Node's KeyObject prints as `PrivateKeyObject {}` and
 * serialises to `{}`, so a stray log line or JSON payload cannot leak the key (SEALED).
 */
export interface PrivateSigningKey {
  readonly key: KeyObject;
  readonly publicKey: PublicSigningKey;
}

/** Rejects anything but an RSA key with an accepted size and exponent. */
export function assertRsaSigningKey(key: KeyObject, source: string): void {
  const type = key.asymmetricKeyType;
  if (type !== 'rsa') {
    throw new InvalidKeyError(
      'ERR_KEY_ALGORITHM',
      `${source}: ${describeKeyType(key)} keys cannot sign RS256 service-account tokens; use an RSA key (keyturn create-key-pair)`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
    throw new InvalidKeyError(
      'ERR_KEY_STRENGTH',
      `${source}: RSA ${bits}-bit keys are not accepted; use ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits (4096 recommended)`,
    );
  }
  const exponent = key.asymmetricKeyDetails?.publicExponent;
  if (exponent !== RSA_PUBLIC_EXPONENT) {
    throw new InvalidKeyError(
      'ERR_KEY_STRENGTH',
      `${source}: RSA public exponent ${exponent} is not accepted; only 65537 is`,
    );
  }
}

/** Wraps a validated RSA public KeyObject with its kid and size. */
export function toPublicSigningKey(key: KeyObject, source: string): PublicSigningKey {
  assertRsaSigningKey(key, source);
  return { key, kid: computeKid(key), bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
}

function describeKeyType(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const names: Record<string, string> = {
    ec: 'EC',
    ed25519: 'Ed25519',
    ed448: 'Ed448',
    dsa: 'DSA',
    dh: 'DH',
  };
  const name = names[key.asymmetricKeyType ?? ''] ?? (key.asymmetricKeyType ?? 'unknown').toUpperCase();
  return curve === undefined ? name : `${name} (${curve})`;
}
