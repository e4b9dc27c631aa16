/**
 * A preload (`node --import`) for the interruption matrix: holds a real `keyturn` process at a chosen
 * point inside a rotation step that touches only the keyturn home, like a disk that stalls there, so a test
 * can land SIGINT or SIGKILL inside the step instead of between steps. Steps that call the cluster are held
 * by the simulator instead (test/cli/interruption-matrix.test.ts).
 *
 * `KEYTURN_TEST_HOLD` names the point; unset, the preload changes nothing:
 * - `audit:<step>`: before the audit line of `<step>` is written (its keyring commit stands);
 * - `commit-after:<step>`: before the first keyring commit after `<step>`'s audit line, i.e. the next
 *   step's commit, not yet made (the lock not yet taken);
 * - `lock-after:<step>`: as `commit-after`, but once that commit has taken the keyring lock.
 *
 * On reaching the point it writes {@link HOLD_MARKER} and the point to standard error and waits: for SIGINT
 * (it then goes on, as a stalled disk would answer, so the step finishes as Ctrl-C promises), or for
 * SIGKILL. It holds once per process.
 */

import fsPromises, { type FileHandle } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

/** What the preload writes to standard error when it holds. */
export const HOLD_MARKER = 'keyturn-test-hold:';

const point = /^(audit|commit-after|lock-after):([a-z-]+)$/.exec(process.env.KEYTURN_TEST_HOLD ?? '');

if (point !== null) {
  const [, kind, step] = point;
  let held = false;
  let stepAudited = false;

  /** Holds once: says so on standard error, then waits for Ctrl-C (SIGINT) to go on. */
  const hold = async (): Promise<void> => {
    if (held) return;
    held = true;
    process.stderr.write(`${HOLD_MARKER} ${kind}:${step}\n`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  };

  const originalOpen = fsPromises.open;
  fsPromises.open = (async (...args: Parameters<typeof originalOpen>) => {
    const handle: FileHandle = await originalOpen(...args);
    if (!/[/\\]audit[/\\][^/\\]+\.jsonl$/.test(String(args[0])) || args[1] !== 'a') return handle;
    const write = handle.write.bind(handle) as (line: string) => Promise<unknown>;
    Object.assign(handle, {
      write: async (line: string) => {
        const isStep = (JSON.parse(line) as { step?: string }).step === step;
        if (isStep && kind === 'audit') await hold();
        const written = await write(line);
        if (isStep) stepAudited = true;
        return written;
      },
    });
    return handle;
  }) as typeof originalOpen;

  const originalWriteFile = fsPromises.writeFile;
  fsPromises.writeFile = (async (...args: Parameters<typeof originalWriteFile>) => {
    const isKeyringLock = stepAudited && String(args[0]).endsWith('.json.lock');
    if (isKeyringLock && kind === 'commit-after') await hold();
    await originalWriteFile(...args);
    if (isKeyringLock && kind === 'lock-after') await hold();
  }) as typeof originalWriteFile;

  // The product imports these functions by name: make its bindings see the wrapped ones.
  syncBuiltinESMExports();
}
