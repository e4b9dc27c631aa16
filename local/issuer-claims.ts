import { KeyturnError } from '#shared/errors.ts';
import { RotationInProgressError } from '#shared/rotation/index.ts';
import {
  claimRunRecord,
  type RunRecord,
  readLiveRunRecord,
  runRecordPaths,
  waitForRunRecord,
} from './run-records.ts';

/** How long an init waits for another init of the home (an RSA 4096 key takes seconds on a slow machine). */
const INIT_WAIT_MS = 60_000;

/** Another keyturn process works on this part of the home (an issuer, an init); wait for it. */
export class HomeBusyError extends KeyturnError<'ERR_HOME_BUSY'> {}

/** A claim this process holds until `release`. */
export interface Claim {
  release(): Promise<void>;
}

/**
 * Claims issuer `issuerId` of the home for one run (`command`: a rotation, its abort, or maintenance),
 * so two processes never drive one issuer at once (ONE-SIGNER). A run that holds it already fails this
 * one fast with what it is and the commands that go on; a claim left by a process that is gone is ignored.
 */
export async function claimIssuer(home: string, issuerId: string, command: string): Promise<Claim> {
  const claim = await claimRunRecord(runRecordPaths(home).issuer(issuerId), { command, issuerId });
  if (!claim.claimed) throw busyIssuerError(issuerId, claim.holder);
  return claim;
}

/**
 * Fails fast when another process holds issuer `issuerId` (see {@link claimIssuer}), before a run plans
 * anything from a keyring that process is changing. Claims of this process pass: its own run reads too.
 */
export async function assertIssuerFree(home: string, issuerId: string): Promise<void> {
  const holder = await readLiveRunRecord(runRecordPaths(home).issuer(issuerId));
  if (holder !== undefined && holder.pid !== process.pid) throw busyIssuerError(issuerId, holder);
}

/**
 * Claims the home for one `keyturn init --local`: inits of one home take turns, so each one's check that
 * no other issuer publishes at its URL path sees the issuers created before it. Waits for the init before
 * it; fails with ERR_HOME_BUSY when that one outlasts the wait.
 */
export async function claimInit(home: string, command: string): Promise<Claim> {
  const claim = await waitForRunRecord(runRecordPaths(home).init, { command }, { timeoutMs: INIT_WAIT_MS });
  if (claim.claimed) return claim;
  const { holder } = claim;
  throw new HomeBusyError(
    'ERR_HOME_BUSY',
    `another ${holder.command} (pid ${holder.pid}, since ${holder.startedAt}) is creating an issuer in ${home}; ` +
      'nothing was written: wait for it to end, then run this again',
  );
}

/** A rotation (or its abort) in flight in another run, or maintenance, told as such. */
function busyIssuerError(issuerId: string, holder: RunRecord): KeyturnError {
  const who = `${holder.command} (pid ${holder.pid}, since ${holder.startedAt})`;
  if (holder.command.includes('maintain')) {
    return new HomeBusyError(
      'ERR_HOME_BUSY',
      `issuer ${issuerId} is being maintained by ${who}; wait for it to end, then run this again`,
    );
  }
  const resume = `keyturn rotate --local --issuer ${issuerId}`;
  return new RotationInProgressError(
    'ERR_ROTATION_IN_PROGRESS',
    `issuer ${issuerId}: a rotation is in flight: ${who} is running it now (ONE-SIGNER). Wait for it to end. ` +
      `To stop it, press Ctrl-C where it runs (or kill ${holder.pid}); then ${resume} resumes it, ` +
      `or ${resume} --abort ends it safely`,
  );
}
