import { randomBytes } from 'node:crypto';
import { ROTATION_ID_PATTERN } from '../keyring/keyring.ts';
import { RotationRequestError } from './errors.ts';

/**
 * A new rotation id: the start time and a random suffix, e.g. `20260301-120000-3f9a1c`. Safe as a vault
 * slot, a file name and (with the issuer id) a Step Functions execution name.
 */
export function newRotationId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Checks a rotation id given from outside (a CLI flag, an event). */
export function parseRotationId(value: string): string {
  if (!ROTATION_ID_PATTERN.test(value)) {
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `rotation id ${JSON.stringify(value)} must be 1-63 lowercase letters, digits, '.', '_' or '-'`,
    );
  }
  return value;
}
