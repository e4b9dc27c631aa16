/**
 * A second process for the ONE-SIGNER test: reads the keyring, says `ready`, waits for `go` on stdin,
 * then updates from the revision it read and prints `{"ok":true}` or `{"code":...}`.
 * Usage: node update-keyring-child.ts HOME ISSUER_ID AUDIENCE
 */
import { once } from 'node:events';
import { createFileKeyringStore } from '#shared/adapters/local/index.ts';

const [home = '', issuerId = '', audience = ''] = process.argv.slice(2);
const store = createFileKeyringStore({ home });
const stored = await store.read(issuerId);
if (stored === undefined) {
  throw new Error(`no keyring for ${issuerId}`);
}
process.stdout.write('ready\n');
await once(process.stdin, 'data');
try {
  const keyring = { ...stored.keyring, policy: { ...stored.keyring.policy, audience } };
  await store.update(keyring, stored.revision);
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ code: (error as { code?: string }).code ?? String(error) })}\n`);
}
process.stdin.destroy();
