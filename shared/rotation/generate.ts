import type { KeyRecord } from '../keyring/keyring.ts';
import { findKey } from '../keyring/queries.ts';
import type { RotationPorts } from '../ports.ts';
import { commit, loadKeyring, nowIso, requireRotation, type StepInput } from './step-context.ts';

/** The key generate made (or found made) for the rotation. */
export interface GenerateResult {
  readonly kid: string;
}

/**
 * Generates the rotation's new key in the vault (sealed at once: SEALED) and records it as `generated`.
 * The vault slot is the rotation id, so a re-run after a crash gets the same key back (RETRY-SAFE).
 */
export async function generateKey(ports: RotationPorts, input: StepInput): Promise<GenerateResult> {
  const stored = await loadKeyring(ports, input.issuerId);
  const { keyring } = stored;
  const rotation = requireRotation(keyring, input.rotationId);
  if (rotation.newKid !== undefined) {
    return { kid: rotation.newKid };
  }
  const sealed = await ports.vault.generate({
    issuerId: keyring.issuerId,
    slot: input.rotationId,
    bits: keyring.policy.keyBits,
  });
  const record: KeyRecord = {
    kid: sealed.kid,
    publicKeyPem: sealed.publicKeyPem,
    bits: sealed.bits,
    state: 'generated',
    vaultRef: sealed.ref,
    origin: 'generated',
    rotationId: input.rotationId,
    generatedAt: nowIso(ports),
  };
  const keys = findKey(keyring, sealed.kid) === undefined ? [...keyring.keys, record] : keyring.keys;
  await commit(
    ports,
    stored,
    { ...keyring, keys, rotation: { ...rotation, newKid: sealed.kid } },
    {
      rotationId: input.rotationId,
      step: 'generate',
      kid: sealed.kid,
      outcome: 'ok',
      detail: `RSA ${sealed.bits}`,
    },
  );
  return { kid: sealed.kid };
}
