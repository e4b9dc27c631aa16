import { describe, expect, it } from 'vitest';
import { createFileKeyringStore, keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import { createLocalKeyringMacKey } from '#shared/adapters/local/keyring-mac-key.ts';
import type { KeyringMacKey } from '#shared/keyring/keyring-mac.ts';
import { makeKeyring, useTemporaryHome } from './local-home.ts';

const home = useTemporaryHome();

/** A keyring changed in a way that changes its file (and so its revision). */
function withAudience(audience: string) {
  const keyring = makeKeyring();
  return { ...keyring, policy: { ...keyring.policy, audience } };
}

/**
 * The home's MAC key, paused at its first MAC until `resume`: a writer using it stops inside `update`,
 * holding the lock, after its revision check and before its write, as a process stopped by the scheduler
 * or a debugger would.
 */
function pausingMacKey(real: KeyringMacKey) {
  let resume: () => void = () => undefined;
  let reached: () => void = () => undefined;
  const paused = new Promise<void>((resolve) => {
    resume = resolve;
  });
  const inside = new Promise<'paused'>((resolve) => {
    reached = () => resolve('paused');
  });
  const key: KeyringMacKey = {
    async generate(data) {
      reached();
      await paused;
      return real.generate(data);
    },
    verify: (data, mac) => real.verify(data, mac),
  };
  return { key, inside, resume: () => resume() };
}

describe('file keyring store: fencing', () => {
  it('ONE-SIGNER: a writer paused past the stale time loses with ERR_KEYRING_CONFLICT instead of overwriting', async () => {
    // Prepare: one writer pauses inside update; the second sees its lock 31 s old (an injected clock).
    const created = await createFileKeyringStore({ home: home.path }).create(makeKeyring());
    const pause = pausingMacKey(createLocalKeyringMacKey(keyturnHomeLayout(home.path)));
    const paused = createFileKeyringStore({ home: home.path, macKey: pause.key });
    const later = createFileKeyringStore({
      home: home.path,
      lock: { attempts: 3, retryDelayMs: 1, now: () => Date.now() + 31_000 },
    });
    const first = paused.update(withAudience('paused'), created.revision).catch((error: unknown) => error);
    expect(await Promise.race([pause.inside, first])).toBe('paused');

    // Act: the second writer breaks the stale lock and rotates; then the first wakes up.
    const second = await later.update(withAudience('later'), created.revision);
    pause.resume();
    const outcome = await first;

    // Assess: the first fails with the conflict error; the second's rotation stands.
    expect(outcome).toMatchObject({ code: 'ERR_KEYRING_CONFLICT' });
    expect((outcome as Error).message).toContain('re-read it and retry');
    const stored = await createFileKeyringStore({ home: home.path }).read('demo');
    expect(stored).toEqual(second);
    expect(stored?.keyring.policy.audience).toBe('later');
  });

  it('ONE-SIGNER: a paused writer whose lock nobody broke still writes when it wakes up', async () => {
    // Prepare
    const created = await createFileKeyringStore({ home: home.path }).create(makeKeyring());
    const pause = pausingMacKey(createLocalKeyringMacKey(keyturnHomeLayout(home.path)));
    const paused = createFileKeyringStore({ home: home.path, macKey: pause.key });
    const first = paused.update(withAudience('paused'), created.revision);
    await pause.inside;

    // Act
    pause.resume();
    const written = await first;

    // Assess
    expect(written.keyring.policy.audience).toBe('paused');
    expect(await createFileKeyringStore({ home: home.path }).read('demo')).toEqual(written);
  });
});
