import type { MaintenanceOutcome } from '#shared/rotation/index.ts';

const list = (kids: readonly string[]) => (kids.length === 0 ? 'none' : kids.join(', '));

/**
 * What maintenance did for one issuer, as `keyturn maintain` prints it, local or in AWS: the keys removed
 * from keys.json (and those kept because the cluster may still sign with them), the private keys
 * destroyed, whether keys.json was republished and could be read at its public URL, and the drift between
 * the cluster and keys.json; or the error of an issuer whose maintenance failed.
 */
export function describeMaintenanceOutcome(outcome: MaintenanceOutcome): string {
  if (outcome.failed === true) {
    return `Issuer ${outcome.issuerId}: FAILED with ${outcome.error}${outcome.cause === undefined ? '' : ` (${outcome.cause})`}\n`;
  }
  const { removed, held, destroyed, republished, publicJwksReachable, publicJwksError, drift } =
    outcome.maintain;
  const driftLines =
    drift.unpublishedSigningKid === undefined && drift.unpublishedTrustedKids.length === 0
      ? '  drift: none (the cluster signs and trusts only published keys)\n'
      : `  drift: ${drift.unpublishedSigningKid === undefined ? '' : `the cluster signs with ${drift.unpublishedSigningKid}, which keys.json lacks (STS rejects its tokens); `}` +
        `trusted but unpublished: ${list(drift.unpublishedTrustedKids)}\n`;
  const reachable = publicJwksReachable
    ? 'yes'
    : `no${publicJwksError === undefined ? '' : ` (${publicJwksError})`}: relying parties cannot fetch it`;
  return (
    `Issuer ${outcome.issuerId}:\n` +
    `  removed from keys.json: ${list(removed)}\n` +
    (held.length === 0 ? '' : `  kept (the cluster may still sign with them): ${list(held)}\n`) +
    `  private keys destroyed: ${list(destroyed)}\n` +
    `  keys.json republished: ${republished ? 'yes' : 'no'}\n` +
    `  public keys.json reachable: ${reachable}\n` +
    driftLines
  );
}
