import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { GenerateDataKeyPairCommand, type KMSClient } from '@aws-sdk/client-kms';
import { assertRsaPrivateKeyConsistent } from '../../keys/consistency.ts';
import { InvalidKeyError } from '../../keys/errors.ts';
import {
  assertRsaSigningKey,
  type PrivateSigningKey,
  type RsaBits,
  toPublicSigningKey,
} from '../../keys/signing-key.ts';
import { callAws } from './aws-errors.ts';

/**
 * Has KMS generate an RSA key pair under `kmsKeyId` (GenerateDataKeyPair) and returns it as a signing key.
 * The plaintext private key KMS returns is zeroed before this returns, whatever happens (SEALED); only
 * the KeyObject, which prints as `PrivateKeyObject {}`, leaves.
 */
export async function generateKeyPairInKms(
  kms: KMSClient,
  kmsKeyId: string,
  bits: RsaBits,
): Promise<PrivateSigningKey> {
  const pair = await callAws({ service: 'KMS', operation: 'GenerateDataKeyPair', resource: kmsKeyId }, () =>
    kms.send(new GenerateDataKeyPairCommand({ KeyId: kmsKeyId, KeyPairSpec: `RSA_${bits}` })),
  );
  try {
    return privateKeyFromKms(pair.PublicKey, pair.PrivateKeyPlaintext, kmsKeyId);
  } finally {
    pair.PrivateKeyPlaintext?.fill(0);
  }
}

/**
 * The private key of a KMS data key pair. The kid is SHA-256 over the public key DER exactly as KMS
 * returned it (the kube-apiserver kid rule, over the bytes that will be published); the private key must
 * belong to it. The plaintext is read through a view, without copies, so zeroing the SDK's buffer
 * afterwards leaves none behind in JavaScript memory.
 */
function privateKeyFromKms(
  publicDer: Uint8Array | undefined,
  plaintext: Uint8Array | undefined,
  kmsKeyId: string,
): PrivateSigningKey {
  const source = `KMS data key pair from ${kmsKeyId}`;
  if (publicDer === undefined || plaintext === undefined) {
    throw new TypeError(`${source}: GenerateDataKeyPair answered without PublicKey or PrivateKeyPlaintext`);
  }
  const kid = createHash('sha256').update(publicDer).digest('base64url');
  const view = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  const key = createPrivateKey({ key: view, format: 'der', type: 'pkcs8' });
  assertRsaSigningKey(key, source);
  assertRsaPrivateKeyConsistent(key, source);
  const publicKey = toPublicSigningKey(createPublicKey(key), source);
  if (publicKey.kid !== kid) {
    throw new InvalidKeyError(
      'ERR_KEY_MISMATCH',
      `${source}: the private key does not belong to the returned public key ${kid}`,
    );
  }
  return { key, publicKey };
}
