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
  /** False with `--no-reboot`: the key leaves keys.json at once instead of after the nodes rebooted. @default true */
  readonly reboot?: boolean;
}

/** The outage `--no-reboot` causes, in the CLI's words (docs/openshift.md explains the 80 % rule). */
export function noRebootOutage(kid: string): string {
  return `every pod holding a token signed by ${kid} is refused by STS until kubelet refreshes it: up to 80 % of the token's lifetime or 24 h`;
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
  const { kid } = request;
  const reboot = request.reboot !== false;
  if (!reboot) io.err(`keyturn: --no-reboot: ${noRebootOutage(kid)}\n`);
  if (request.yes) return;
  const issuer = request.issuerId === undefined ? '' : ` of issuer ${request.issuerId}`;
  if (io.ask === undefined) {
    command.error(
      `error: --emergency ${kid} removes that key from keys.json once the new key is active, and every token it signed stops working; ` +
        'there is no terminal to confirm this on: add --yes to rotate anyway',
      { exitCode: 2 },
    );
  }
  const removal = reboot
    ? '  A new key is published, pushed to the cluster and verified. Then every node is rebooted\n' +
      '  (oc adm reboot-machine-config-pool mcp/worker mcp/master), so every pod gets a token from the new\n' +
      `  key, and once the cluster is stable again ${kid} leaves keys.json, without the grace period.\n` +
      '  Every pod restarts on the way; no workload is cut off from AWS STS.\n'
    : '  A new key is published, pushed to the cluster and verified. Then, with --no-reboot, once the new\n' +
      `  key is active, ${kid} leaves keys.json at once: ${noRebootOutage(kid)}.\n`;
  const answer = await io.ask(
    `Emergency rotation${issuer}: key ${kid} is treated as compromised.\n${removal}` +
      `Rotate and remove ${kid}? Type yes to go on (--yes skips this question): `,
  );
  if (!/^\s*y(es)?\s*$/i.test(answer)) {
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `emergency rotation not confirmed; nothing was changed (${kid} is still the active key)`,
    );
  }
}
