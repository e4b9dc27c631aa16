import { randomBytes } from 'node:crypto';
import { isRotationId } from '#shared/identifiers.ts';
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
  if (!isRotationId(value)) {
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `rotation id ${JSON.stringify(value)} must be 1-63 lowercase letters, digits, '.', '_' or '-'`,
    );
  }
  return value;
}
