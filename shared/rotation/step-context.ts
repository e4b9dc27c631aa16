import { IssuerNotFoundError } from '../keyring/errors.ts';
import type { Keyring, Rotation } from '../keyring/keyring.ts';
import { keyringGeneration } from '../keyring/queries.ts';
import type { AuditEntry, RotationPorts, StoredKeyring } from '../ports.ts';
import { RotationNotInFlightError } from './errors.ts';

/** What every rotation step receives besides the ports: ids only, never keys (RETRY-SAFE, SEALED). */
export interface StepInput {
  readonly issuerId: string;
  readonly rotationId: string;
}

/** The parts of an audit entry a step chooses; time, issuer and actor are filled in. */
export type StepAudit = Omit<AuditEntry, 'time' | 'issuerId' | 'actor'>;

/** Reads the keyring of an issuer, or explains that there is none. */
export async function loadKeyring(
  ports: Pick<RotationPorts, 'store'>,
  issuerId: string,
): Promise<StoredKeyring> {
  const stored = await ports.store.read(issuerId);
  if (stored === undefined) {
    throw new IssuerNotFoundError(
      'ERR_ISSUER_NOT_FOUND',
      `no issuer ${issuerId}: create it with keyturn init`,
    );
  }
  return stored;
}

/** The rotation in flight, which must be `rotationId`. */
export function requireRotation(keyring: Keyring, rotationId: string): Rotation {
  const rotation = keyring.rotation;
  if (rotation?.id !== rotationId) {
    const current = rotation === undefined ? 'none is in flight' : `rotation ${rotation.id} is`;
    throw new RotationNotInFlightError(
      'ERR_ROTATION_NOT_IN_FLIGHT',
      `issuer ${keyring.issuerId}: rotation ${rotationId} is not in flight (${current})`,
    );
  }
  return rotation;
}

/**
 * Writes the next keyring with compare-and-swap, one generation above the revision it replaces when it
 * changes anything (so publications can be ordered: publish-documents.ts; a retry that writes the same
 * keyring again writes the same bytes), then records the transition in the audit trail.
 */
export async function commit(
  ports: Pick<RotationPorts, 'store' | 'audit' | 'clock' | 'actor'>,
  stored: StoredKeyring,
  next: Keyring,
  entry: StepAudit,
): Promise<StoredKeyring> {
  const current = keyringGeneration(stored.keyring);
  const generation = sameKeyring(next, stored.keyring) ? current : current + 1;
  const written = await ports.store.update({ ...next, generation }, stored.revision);
  await recordAudit(ports, next.issuerId, entry);
  return written;
}

/** True when two keyrings hold the same state, whatever their generations. */
function sameKeyring(a: Keyring, b: Keyring): boolean {
  const { generation: _a, ...stateA } = a;
  const { generation: _b, ...stateB } = b;
  return JSON.stringify(stateA) === JSON.stringify(stateB);
}

/** Appends one audit line for this issuer. */
export async function recordAudit(
  ports: Pick<RotationPorts, 'audit' | 'clock' | 'actor'>,
  issuerId: string,
  entry: StepAudit,
): Promise<void> {
  await ports.audit.append({ time: ports.clock.now().toISOString(), issuerId, actor: ports.actor, ...entry });
}

/** The current time as stored in keyrings. */
export function nowIso(ports: Pick<RotationPorts, 'clock'>): string {
  return ports.clock.now().toISOString();
}
