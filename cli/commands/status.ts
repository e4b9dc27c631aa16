import type { Command } from 'commander';
import { createFileKeyringStore } from '#shared/adapters/local/index.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import { formatDuration } from '../durations.ts';
import { HOME_OPTION, homeFrom } from '../home.ts';
import type { CliIo } from '../io.ts';
import { formatTable } from '../table.ts';

/** `keyturn status [--home DIR] [--issuer ID]` */
export function registerStatus(program: Command, io: CliIo): void {
  program
    .command('status')
    .description('show each issuer keyring: kid, state, age, when retired keys leave keys.json')
    .option(...HOME_OPTION)
    .option('--issuer <id>', 'only this issuer')
    .action(async (options: { home?: string; issuer?: string }) => {
      const home = homeFrom(io, options.home);
      const store = createFileKeyringStore({ home });
      const ids = options.issuer === undefined ? await store.list() : [options.issuer];
      if (ids.length === 0) {
        io.out(`No issuer under ${home}. Create one with: keyturn init --local --issuer URL\n`);
        return;
      }
      const now = new Date();
      for (const id of ids) {
        const stored = await store.read(id);
        io.out(
          stored === undefined
            ? `issuer ${id}: not found under ${home}\n`
            : describeKeyring(stored.keyring, now),
        );
      }
    });
}

/** The status text of one keyring. */
export function describeKeyring(keyring: Keyring, now: Date): string {
  const { policy } = keyring;
  const rows = keyring.keys.map((key) => [
    key.kid,
    key.state,
    formatDuration((now.getTime() - Date.parse(key.generatedAt)) / 1000),
    key.state === 'removed' ? `removed ${key.removedAt ?? ''}` : (key.removeAfter ?? '-'),
  ]);
  const lines = [
    `issuer ${keyring.issuerId}  ${keyring.issuerUrl}`,
    `policy: lead time ${formatDuration(policy.leadTimeSeconds)}, grace ${formatDuration(policy.graceSeconds)}, ` +
      `RSA ${policy.keyBits}, rotate every ${policy.rotationIntervalDays} days, audience ${policy.audience}`,
    '',
    formatTable(['KID', 'STATE', 'AGE', 'REMOVES AT'], rows),
    '',
  ];
  const { rotation, lastRotation } = keyring;
  if (rotation !== undefined) {
    lines.push(`rotation in flight: ${rotation.id} (${rotation.mode}) since ${rotation.startedAt}`);
  }
  if (lastRotation !== undefined) {
    const reason = lastRotation.reason === undefined ? '' : `: ${lastRotation.reason}`;
    lines.push(
      `last rotation: ${lastRotation.id} (${lastRotation.mode}) ${lastRotation.outcome} at ${lastRotation.finishedAt}${reason}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
