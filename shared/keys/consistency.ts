import type { KeyObject } from 'node:crypto';
import { InvalidKeyError } from './errors.ts';

/**
 * Refuses an RSA private key whose numbers do not fit together (p·q ≠ n, or d not an inverse of e modulo
 * p−1 and q−1). OpenSSL still signs with such a key, but Go's crypto/rsa Validate, and so kube-apiserver,
 * refuses to load it: pushing it would break the cluster's token signing.
 */
export function assertRsaPrivateKeyConsistent(key: KeyObject, source: string): void {
  const { n, e, d, p, q } = key.export({ format: 'jwk' });
  if (n === undefined || e === undefined || d === undefined || p === undefined || q === undefined) {
    return;
  }
  const [modulus, exponent, privateExponent, first, second] = [n, e, d, p, q].map(toBigInt) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  const inverse = (prime: bigint) => (privateExponent * exponent) % (prime - 1n) === 1n;
  if (first * second !== modulus || !inverse(first) || !inverse(second)) {
    throw new InvalidKeyError(
      'ERR_KEY_DAMAGED',
      `${source}: is a damaged RSA private key (its numbers do not fit together); Kubernetes would refuse it`,
    );
  }
}

function toBigInt(base64url: string): bigint {
  return BigInt(`0x${Buffer.from(base64url, 'base64url').toString('hex') || '0'}`);
}
