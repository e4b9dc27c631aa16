import type { Rotation } from '../keyring/keyring.ts';
import type { AuditStep, RotationPorts, StoredKeyring } from '../ports.ts';
import { commit, nowIso } from './step-context.ts';

/**
 * Starts a wait of the workflow (stability, reboots) the first time it is not over yet: records
 * `waitStartedAt`, from which its deadline counts in the ports' clock (never from the number of polls,
 * whose interval the local runner scales). A wait that ends ({@link endWait}) or stops
 * ({@link markStopped}) clears it, so the next wait, or a resumed one, starts afresh. A retry writes nothing.
 */
export async function startWait(
  ports: RotationPorts,
  stored: StoredKeyring,
  rotation: Rotation,
  step: AuditStep,
): Promise<StoredKeyring> {
  if (rotation.waitStartedAt !== undefined) return stored;
  return commit(
    ports,
    stored,
    { ...stored.keyring, rotation: { ...rotation, waitStartedAt: nowIso(ports) } },
    { rotationId: rotation.id, step, outcome: 'ok', detail: 'waiting' },
  );
}

/** Ends the current wait (and clears a stop an earlier run recorded); writes nothing when there is none. */
export async function endWait(
  ports: RotationPorts,
  stored: StoredKeyring,
  rotation: Rotation,
  step: AuditStep,
  detail: string,
): Promise<StoredKeyring> {
  const current = stored.keyring.rotation ?? rotation;
  if (current.waitStartedAt === undefined && current.stoppedAt === undefined) return stored;
  const { waitStartedAt: _started, stoppedAt: _stopped, stopReason: _reason, ...rest } = current;
  return commit(
    ports,
    stored,
    { ...stored.keyring, rotation: rest },
    {
      rotationId: rotation.id,
      step,
      outcome: 'ok',
      detail,
    },
  );
}

/** Seconds since the current wait started. */
export function waitedSeconds(rotation: Rotation, now: Date): number {
  const since = rotation.waitStartedAt === undefined ? now.getTime() : Date.parse(rotation.waitStartedAt);
  return Math.max(0, Math.floor((now.getTime() - since) / 1000));
}

/** Records on the rotation, and in the audit trail, that a wait passed its deadline and why. */
export async function markStopped(
  ports: RotationPorts,
  stored: StoredKeyring,
  rotation: Rotation,
  step: AuditStep,
  reason: string,
): Promise<void> {
  const { waitStartedAt: _started, ...current } = stored.keyring.rotation ?? rotation;
  await commit(
    ports,
    stored,
    { ...stored.keyring, rotation: { ...current, stoppedAt: nowIso(ports), stopReason: reason } },
    { rotationId: rotation.id, step, outcome: 'failed', detail: reason },
  );
}
