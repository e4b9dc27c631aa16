import type { Keyring, Rotation } from '../keyring/keyring.ts';

/** How a rotation ended, as recorded in `lastRotation`. */
export type RotationOutcome = NonNullable<Keyring['lastRotation']>['outcome'];

/**
 * The record of `rotationId` if it already ended with `outcome`: a re-run of the ending step after a crash
 * finds it and answers again instead of failing (RETRY-SAFE).
 */
export function endedRotation(
  keyring: Keyring,
  rotationId: string,
  outcome: RotationOutcome,
): Keyring['lastRotation'] | undefined {
  const last = keyring.lastRotation;
  return keyring.rotation === undefined && last?.id === rotationId && last.outcome === outcome
    ? last
    : undefined;
}

/** The keyring with the rotation ended: no rotation in flight, and `lastRotation` saying how it ended. */
export function endRotation(
  keyring: Keyring,
  rotation: Rotation,
  ending: { outcome: RotationOutcome; finishedAt: string; newKid?: string; reason?: string },
): Keyring {
  const { rotation: _ended, ...rest } = keyring;
  return { ...rest, lastRotation: { id: rotation.id, mode: rotation.mode, ...ending } };
}
