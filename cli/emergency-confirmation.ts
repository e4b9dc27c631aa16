import type { Command } from 'commander';
import { RotationRequestError } from '#shared/rotation/errors.ts';
import type { CliIo } from './io.ts';

/** What an emergency rotation is about to do, for the person who confirms it. */
export interface EmergencyRequest {
  /** The compromised kid (`--emergency KID`). */
  readonly kid: string;
  /** The issuer, when the command line names it. */
  readonly issuerId?: string;
  /** `--yes`: confirmed on the command line. */
  readonly yes: boolean;
}

/**
 * `rotate --emergency KID` removes KID from keys.json as soon as the new key is active, so every token KID
 * signed stops verifying at once (the NO-ORPHAN-TOKENS exception the operator has to ask for). On a terminal
 * the command asks first; `--yes` skips the question; without a terminal and without `--yes` it refuses
 * (exit 2) rather than act unconfirmed. Declining changes nothing (ERR_ROTATION_REQUEST, exit 1).
 */
export async function confirmEmergency(
  io: CliIo,
  command: Command,
  request: EmergencyRequest,
): Promise<void> {
  if (request.yes) return;
  const { kid } = request;
  const issuer = request.issuerId === undefined ? '' : ` of issuer ${request.issuerId}`;
  if (io.ask === undefined) {
    command.error(
      `error: --emergency ${kid} removes that key from keys.json once the new key is active, and every token it signed stops working; ` +
        'there is no terminal to confirm this on: add --yes to rotate anyway',
      { exitCode: 2 },
    );
  }
  const answer = await io.ask(
    `Emergency rotation${issuer}: key ${kid} is treated as compromised.\n` +
      '  A new key is published, pushed to the cluster and verified. Then, once the new key is active,\n' +
      `  ${kid} leaves keys.json at once, without the grace period: every token it signed stops working\n` +
      '  at the relying parties (AWS STS rejects it), and workloads that still hold one fail until they get\n' +
      '  a token from the new key.\n' +
      `Rotate and remove ${kid}? Type yes to go on (--yes skips this question): `,
  );
  if (!/^\s*y(es)?\s*$/i.test(answer)) {
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `emergency rotation not confirmed; nothing was changed (${kid} is still the active key)`,
    );
  }
}
