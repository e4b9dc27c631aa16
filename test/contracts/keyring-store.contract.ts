import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Keyring } from '#shared/keyring/keyring.ts';
import {
  IssuerExistsError,
  IssuerNotFoundError,
  KeyringConflictError,
  KeyringFormatError,
  type KeyringStore,
} from '#shared/ports.ts';
import { makeKeyring } from '#test/shared/adapters/local/local-home.ts';

/** One KeyringStore under test, and how to reach behind it. */
export interface KeyringStoreSubject {
  readonly store: KeyringStore;
  /**
   * Replaces the stored state of an issuer with `text`, as a damaged file or a hand-edited object would;
   * absent for stores that keep no state a person can edit.
   */
  readonly corrupt?: (issuerId: string, text: string) => Promise<void>;
  /** Releases what the subject holds (a directory, installed SDK fakes). */
  readonly dispose?: () => Promise<void> | void;
}

/** A keyring whose stored form differs from `makeKeyring(issuerId)`'s. */
function withAudience(audience: string, issuerId = 'demo'): Keyring {
  const keyring = makeKeyring(issuerId);
  return { ...keyring, policy: { ...keyring.policy, audience } };
}

/**
 * The behaviour every KeyringStore shares (ports.ts): create, read, compare-and-swap update, list, and
 * (for stores whose subject can `corrupt` it) refusing a damaged state. Call at the top of a test file
 * with a factory that builds a fresh, empty store per test.
 */
export function describeKeyringStoreContract(
  name: string,
  makeSubject: () => Promise<KeyringStoreSubject> | KeyringStoreSubject,
  options: { readonly editableState: boolean },
): void {
  describe(`KeyringStore contract: ${name}`, () => {
    let subject: KeyringStoreSubject;
    beforeEach(async () => {
      subject = await makeSubject();
    });
    afterEach(async () => {
      await subject.dispose?.();
    });

    it('reads undefined for an issuer it has never seen', async () => {
      await expect(subject.store.read('demo')).resolves.toBeUndefined();
    });

    it('creates a keyring and reads it back with the same revision', async () => {
      // Act
      const created = await subject.store.create(makeKeyring());
      const read = await subject.store.read('demo');

      // Assess
      expect(created.keyring).toEqual(makeKeyring());
      expect(typeof created.revision).toBe('string');
      expect(read).toEqual(created);
    });

    it('refuses to create an issuer twice with ERR_ISSUER_EXISTS and keeps the first keyring', async () => {
      // Prepare
      const first = await subject.store.create(makeKeyring());

      // Act
      const second = subject.store.create(withAudience('other'));

      // Assess
      await expect(second).rejects.toBeInstanceOf(IssuerExistsError);
      await expect(second).rejects.toMatchObject({ code: 'ERR_ISSUER_EXISTS' });
      await expect(subject.store.read('demo')).resolves.toEqual(first);
    });

    it('updates from the current revision and hands out a new revision', async () => {
      // Prepare
      const created = await subject.store.create(makeKeyring());

      // Act
      const updated = await subject.store.update(withAudience('keyturn.example.com'), created.revision);

      // Assess
      expect(updated.revision).not.toBe(created.revision);
      expect(updated.keyring.policy.audience).toBe('keyturn.example.com');
      await expect(subject.store.read('demo')).resolves.toEqual(updated);
    });

    it('refuses an update from a stale revision with ERR_KEYRING_CONFLICT and changes nothing (RETRY-SAFE)', async () => {
      // Prepare
      const created = await subject.store.create(makeKeyring());
      const winner = await subject.store.update(withAudience('first'), created.revision);

      // Act
      const stale = subject.store.update(withAudience('second'), created.revision);

      // Assess
      await expect(stale).rejects.toBeInstanceOf(KeyringConflictError);
      await expect(stale).rejects.toMatchObject({ code: 'ERR_KEYRING_CONFLICT' });
      await expect(subject.store.read('demo')).resolves.toEqual(winner);
    });

    it('lets exactly one of two updates from one revision win (ONE-SIGNER)', async () => {
      // Prepare
      const created = await subject.store.create(makeKeyring());

      // Act
      const outcomes = await Promise.allSettled([
        subject.store.update(withAudience('a'), created.revision),
        subject.store.update(withAudience('b'), created.revision),
      ]);

      // Assess
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((outcome) => (outcome.reason as { code?: string }).code)).toEqual([
        'ERR_KEYRING_CONFLICT',
      ]);
      await expect(subject.store.read('demo')).resolves.toEqual(won[0]?.value);
    });

    it('refuses to update an issuer that has no keyring with ERR_ISSUER_NOT_FOUND', async () => {
      const updating = subject.store.update(makeKeyring('ghost'), 'any-revision');

      await expect(updating).rejects.toBeInstanceOf(IssuerNotFoundError);
      await expect(updating).rejects.toMatchObject({ code: 'ERR_ISSUER_NOT_FOUND' });
      await expect(subject.store.read('ghost')).resolves.toBeUndefined();
    });

    it('refuses to store a keyring that breaks the schema with ERR_KEYRING_FORMAT', async () => {
      // Prepare
      const broken = { ...makeKeyring(), schemaVersion: 99 } as unknown as Keyring;

      // Act, Assess
      await expect(subject.store.create(broken)).rejects.toBeInstanceOf(KeyringFormatError);
      await expect(subject.store.read('demo')).resolves.toBeUndefined();
    });

    it('lists every issuer, sorted', async () => {
      // Prepare
      for (const issuerId of ['zeta', 'alpha', 'mid-1', 'beta']) {
        await subject.store.create(makeKeyring(issuerId));
      }

      // Act, Assess
      await expect(subject.store.list()).resolves.toEqual(['alpha', 'beta', 'mid-1', 'zeta']);
    });

    it('lists nothing when empty', async () => {
      await expect(subject.store.list()).resolves.toEqual([]);
    });

    // A store with nothing to corrupt (memory) declares no such cases: none is skipped.
    if (options.editableState) {
      it.each([
        ['text that is not JSON', '{"schemaVersion": 1, "issuerId": "de'],
        ['another schema version', JSON.stringify({ ...makeKeyring(), schemaVersion: 2 })],
        ['an unknown field', JSON.stringify({ ...makeKeyring(), owner: 'someone' })],
        ['the keyring of another issuer', JSON.stringify(makeKeyring('other'))],
      ])('rejects a stored state holding %s with ERR_KEYRING_FORMAT', async (_variant, text) => {
        // Prepare
        await subject.store.create(makeKeyring());
        await subject.corrupt?.('demo', text);

        // Act, Assess
        const reading = subject.store.read('demo');
        await expect(reading).rejects.toBeInstanceOf(KeyringFormatError);
        await expect(reading).rejects.toMatchObject({ code: 'ERR_KEYRING_FORMAT' });
      });
    }
  });
}
