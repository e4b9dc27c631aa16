import { isKeyturnError } from '../errors.ts';
import type { AuditStep, GuardOperation, RotationPorts } from '../ports.ts';
import { recordAudit } from './step-context.ts';

/**
 * Gives the cluster's signer-rotation guard back when this rotation holds it; leaves it alone when
 * nobody or another operation does (a rollback or an abort before the push never took it). Idempotent:
 * a re-run after a crash finds it released and does nothing (RETRY-SAFE).
 */
export async function releaseGuardIfOurs(ports: RotationPorts, operation: GuardOperation): Promise<void> {
  const holder = await ports.cluster.readRotationGuard(operation);
  if (holder.heldBy === 'us') await ports.cluster.releaseRotationGuard(operation);
}

/**
 * {@link releaseGuardIfOurs} for steps that have already ended the rotation (rollback, abort): a cluster
 * that refuses is audited instead of failing them, and the guard is given back later, by a re-run of the
 * step or by the next rotation's prepare, which releases a guard its issuer's last rotation still holds.
 */
export async function releaseGuardAfterEnd(
  ports: RotationPorts,
  operation: GuardOperation,
  step: AuditStep,
): Promise<void> {
  try {
    await releaseGuardIfOurs(ports, operation);
  } catch (error) {
    if (!isKeyturnError(error)) throw error;
    await recordAudit(ports, operation.issuerId, {
      rotationId: operation.rotationId,
      step,
      outcome: 'failed',
      detail: `the cluster's signer-rotation guard could not be given back yet (${error.code}); the next rotation gives it back`,
    });
  }
}
