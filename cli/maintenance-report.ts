import type { MaintainResult, MaintenanceOutcome } from '#shared/rotation/index.ts';
import { DriftDetectedError, hasDrift } from '#shared/rotation/index.ts';

const list = (kids: readonly string[]) => (kids.length === 0 ? 'none' : kids.join(', '));

/**
 * What maintenance did for one issuer, as `keyturn maintain` prints it, local or in AWS: the keys removed
 * from keys.json (and those kept because the cluster may still sign with them), the private keys
 * destroyed, whether keys.json was republished and could be read at its public URL, and the drift between
 * the cluster and keys.json, with `repairCommand` (`keyturn maintain --local --publish-drift`) when there
 * is drift; or the error of an issuer whose maintenance failed.
 */
export function describeMaintenanceOutcome(outcome: MaintenanceOutcome, repairCommand: string): string {
  if (outcome.failed === true) {
    return `Issuer ${outcome.issuerId}: FAILED with ${outcome.error}${outcome.cause === undefined ? '' : ` (${outcome.cause})`}\n`;
  }
  const { removed, held, destroyed, republished, publicJwksReachable, publicJwksError } = outcome.maintain;
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
    describeDriftLines(outcome.maintain, repairCommand)
  );
}

/** The drift lines: real drift and how to repair it, what was repaired, and keyturn's own removed keys. */
function describeDriftLines(maintain: MaintainResult, repairCommand: string): string {
  const { drift, adoptedKid, recordedTrustedKids = [] } = maintain;
  const removedTrusted = drift.removedTrustedKids;
  const repaired =
    (adoptedKid === undefined
      ? ''
      : `  published the cluster's signing key: ${adoptedKid} (drift repaired)\n`) +
    (recordedTrustedKids.length === 0
      ? ''
      : `  published ahead, retired with grace (trusted by the cluster, not signing yet): ${list(recordedTrustedKids)}\n`);
  const expected =
    removedTrusted.length === 0
      ? ''
      : `  trusted, removed by keyturn (expected: OpenShift never drops a public key): ${list(removedTrusted)}\n`;
  if (!hasDrift(drift)) {
    const none =
      removedTrusted.length === 0
        ? '  drift: none (the cluster signs and trusts only published keys)\n'
        : '  drift: none (the cluster signs with a published key)\n';
    return repaired + none + expected;
  }
  const signing =
    drift.unpublishedSigningKid === undefined
      ? ''
      : `the cluster signs with ${drift.unpublishedSigningKid}, which keys.json lacks (STS rejects its tokens); `;
  return (
    repaired +
    `  drift: ${signing}trusted, never published by keyturn: ${list(drift.unpublishedTrustedKids)}\n` +
    expected +
    `  repair: ${repairCommand} (publishes the key the cluster signs with)\n`
  );
}

/**
 * Fails (ERR_DRIFT, exit 1) when maintenance found real drift on an issuer it maintained: the cluster
 * signs with, or trusts, a key keys.json lacks and keyturn never removed. keyturn's own removed keys the
 * cluster keeps trusting are not drift. The message names `repairCommand`, the command that goes on.
 */
export function assertNoDrift(outcomes: readonly MaintenanceOutcome[], repairCommand: string): void {
  const drifted = outcomes.flatMap((outcome) =>
    outcome.failed !== true && hasDrift(outcome.maintain.drift) ? [outcome.issuerId] : [],
  );
  if (drifted.length > 0) {
    throw new DriftDetectedError(
      'ERR_DRIFT',
      `drift on ${drifted.join(', ')}: the cluster signs with or trusts a key keys.json lacks (see above); ` +
        `publish the cluster's key with ${repairCommand}`,
    );
  }
}
