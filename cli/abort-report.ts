import type { Keyring } from '#shared/keyring/keyring.ts';
import { findKey } from '#shared/keyring/queries.ts';
import type { AbortResult } from '#shared/rotation/index.ts';
import { describeKeyring } from './commands/status.ts';

/**
 * What an abort did, in the same words locally and in AWS: whether the new key was dropped (never pushed)
 * or stays published for its grace (the previous key was pushed back), the key that signs, and the keyring.
 */
export function describeAbort(
  issuerId: string,
  result: AbortResult,
  keyring: Keyring,
  maintain: string,
): string {
  const newKey = findKey(keyring, result.newKid);
  const what = {
    none: 'it had no new key yet',
    dropped: `new key ${result.newKid} was never pushed: dropped, and keys.json republished without it`,
    kept: `previous key ${result.activeKid} pushed back to the cluster; new key ${result.newKid} may have signed, so it stays in keys.json until ${newKey?.removeAfter ?? 'its grace ends'} (${maintain} removes it then)`,
    active: `new key ${result.newKid} was already active and stays so; the token refresh phase did not finish, so the old key stays in keys.json until its grace ends (${maintain} removes it then); the cluster's rotation guard was given back`,
  }[result.newKey];
  return (
    `Aborted rotation ${result.rotationId} of issuer ${issuerId} (stopped at: ${result.stage}); ${what}.\n` +
    `  active key: ${result.activeKid}\n\n` +
    describeKeyring(keyring, new Date())
  );
}
