import { isKeyturnError } from '../errors.ts';
import { parseKeySet } from '../issuer/key-set.ts';
import type { RotationPorts } from '../ports.ts';
import { createTokenVerifier } from '../tokens/verify-token.ts';
import { StepNotReadyError, VerificationFailedError } from './errors.ts';
import { requireNewKey } from './rotation-keys.ts';
import { commit, loadKeyring, nowIso, requireRotation, type StepInput } from './step-context.ts';

/** The key a fresh cluster token proved, and when. */
export interface VerifyResult {
  readonly kid: string;
  readonly verifiedAt: string;
}

/**
 * Proves the rotation end to end, as AWS STS would see it: a token freshly issued by the cluster must
 * carry the new kid and verify against keys.json read from the public issuer URL (iss and audience too).
 */
export async function verifyRotation(ports: RotationPorts, input: StepInput): Promise<VerifyResult> {
  const stored = await loadKeyring(ports, input.issuerId);
  const { keyring } = stored;
  const rotation = requireRotation(keyring, input.rotationId);
  const key = requireNewKey(keyring, rotation);
  if (rotation.verifiedAt !== undefined) {
    return { kid: key.kid, verifiedAt: rotation.verifiedAt };
  }
  const token = await ports.cluster.requestToken(keyring.policy.audience);
  const view = await ports.publisher.readPublic(keyring.issuerUrl);
  const verifier = createTokenVerifier({
    keySet: parseKeySet(view.keySet),
    issuer: keyring.issuerUrl,
    audience: keyring.policy.audience,
  });
  const verified = await verifier.verify(token, ports.clock.now()).catch((error: unknown) => {
    const reason = isKeyturnError(error) ? `${error.code}: ${error.message}` : String(error);
    throw new VerificationFailedError(
      'ERR_VERIFICATION_FAILED',
      `a token from the cluster did not verify against ${keyring.issuerUrl}/keys.json (${reason})`,
    );
  });
  if (verified.kid !== key.kid) {
    throw new StepNotReadyError(
      'ERR_STEP_NOT_READY',
      `the cluster still signs with ${verified.kid}, not the new key ${key.kid}; wait for the rollout`,
    );
  }
  const verifiedAt = nowIso(ports);
  await commit(
    ports,
    stored,
    { ...keyring, rotation: { ...rotation, verifiedAt } },
    {
      rotationId: rotation.id,
      step: 'verify',
      kid: key.kid,
      outcome: 'ok',
    },
  );
  return { kid: key.kid, verifiedAt };
}
