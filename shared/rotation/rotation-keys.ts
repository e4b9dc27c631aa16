import type { KeyRecord, Keyring, Rotation } from '../keyring/keyring.ts';
import { findKey } from '../keyring/queries.ts';
import { StepNotReadyError } from './errors.ts';

/** The rotation's new key; a step that needs it before `generate` ran is not ready. */
export function requireNewKey(keyring: Keyring, rotation: Rotation): KeyRecord {
  const key = findKey(keyring, rotation.newKid);
  if (key === undefined) {
    throw new StepNotReadyError(
      'ERR_STEP_NOT_READY',
      `rotation ${rotation.id} has no new key yet: run generate first`,
    );
  }
  return key;
}

/** The key that was active when the rotation started. */
export function previousKey(keyring: Keyring, rotation: Rotation): KeyRecord | undefined {
  return findKey(keyring, rotation.previousKid);
}
