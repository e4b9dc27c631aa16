import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type PrivateSigningKey, parsePrivateKey, parsePublicKey } from '#shared/keys/index.ts';
import { type KeyVault, UnsafeNameError, VaultError } from '#shared/ports.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { privateSecretsOf } from '#test/shared/adapters/local/local-home.ts';
import { renderError } from '#test/support/error-renderings.ts';

/** One KeyVault under test. */
export interface KeyVaultSubject {
  readonly vault: KeyVault;
  /** A well-formed ref of this vault that names a slot nothing was ever sealed in. */
  readonly unknownRef: string;
  /** Releases what the subject holds (a directory, installed SDK fakes). */
  readonly dispose?: () => Promise<void> | void;
}

/** Refs no vault hands out: empty, one segment, traversal, too many segments, an ARN. */
const MALFORMED_REFS = [
  '',
  'nothing',
  '../escape',
  'keyturn/demo/r1/extra/more',
  'arn:aws:secretsmanager:eu-west-1:111122223333:secret:keyturn/demo/r1',
];

/** Issuer ids and slots that cannot name a key anywhere. */
const UNSAFE_NAMES = ['', '../etc', 'a/b'];

/**
 * The behaviour every KeyVault shares (ports.ts): idempotent generate and seal per (issuer, slot), open,
 * idempotent destroy, VaultError codes, and no private key material in what it hands out or throws.
 */
export function describeKeyVaultContract(
  name: string,
  makeSubject: () => Promise<KeyVaultSubject> | KeyVaultSubject,
): void {
  describe(`KeyVault contract: ${name}`, () => {
    let subject: KeyVaultSubject;
    let fixtureKey: PrivateSigningKey;
    let otherKey: PrivateSigningKey;
    beforeAll(() => {
      fixtureKey = parsePrivateKey(readKeyFixture('rsa2048.private'));
      otherKey = parsePrivateKey(readKeyFixture('other2048.private'));
    });
    beforeEach(async () => {
      subject = await makeSubject();
    });
    afterEach(async () => {
      await subject.dispose?.();
    });

    it('generates a key once per (issuer, slot): a retried generate returns it again (RETRY-SAFE)', async () => {
      // Act
      const first = await subject.vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });
      const again = await subject.vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });
      const opened = await subject.vault.open(first.ref);

      // Assess
      expect(again).toEqual(first);
      expect(first.bits).toBe(2048);
      expect(parsePublicKey(first.publicKeyPem).kid).toBe(first.kid);
      expect(opened.publicKey.kid).toBe(first.kid);
    });

    it('refuses to generate into a slot holding a key of another size with ERR_VAULT_SLOT_TAKEN', async () => {
      // Prepare
      await subject.vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });

      // Act, Assess
      await expect(
        subject.vault.generate({ issuerId: 'demo', slot: 'r1', bits: 3072 }),
      ).rejects.toMatchObject({
        name: 'VaultError',
        code: 'ERR_VAULT_SLOT_TAKEN',
      });
    });

    it('seals a key once per (issuer, slot) and opens the same key (RETRY-SAFE)', async () => {
      // Act
      const sealed = await subject.vault.seal({ issuerId: 'demo', slot: 'adopted', privateKey: fixtureKey });
      const again = await subject.vault.seal({ issuerId: 'demo', slot: 'adopted', privateKey: fixtureKey });
      const opened = await subject.vault.open(sealed.ref);

      // Assess
      expect(again).toEqual(sealed);
      expect(sealed).toMatchObject({ kid: fixtureKey.publicKey.kid, bits: 2048 });
      expect(parsePublicKey(sealed.publicKeyPem).kid).toBe(fixtureKey.publicKey.kid);
      expect(opened.publicKey.kid).toBe(fixtureKey.publicKey.kid);
    });

    it('keeps slots apart: one issuer, two slots, two keys', async () => {
      const first = await subject.vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });
      const second = await subject.vault.seal({ issuerId: 'demo', slot: 'r2', privateKey: otherKey });

      expect(first.ref).not.toBe(second.ref);
      expect((await subject.vault.open(first.ref)).publicKey.kid).toBe(fixtureKey.publicKey.kid);
      expect((await subject.vault.open(second.ref)).publicKey.kid).toBe(otherKey.publicKey.kid);
    });

    it('refuses to seal another key into a taken slot with ERR_VAULT_SLOT_TAKEN, naming kids only (SEALED)', async () => {
      // Prepare
      const sealed = await subject.vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });

      // Act
      const error = await subject.vault
        .seal({ issuerId: 'demo', slot: 'r1', privateKey: otherKey })
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(VaultError);
      expect(error).toMatchObject({ code: 'ERR_VAULT_SLOT_TAKEN' });
      expect((await subject.vault.open(sealed.ref)).publicKey.kid).toBe(fixtureKey.publicKey.kid);
      const text = renderError(error);
      for (const secret of [...privateSecretsOf(fixtureKey), ...privateSecretsOf(otherKey)]) {
        expect(text).not.toContain(secret);
      }
    });

    it('hands out public data only (SEALED)', async () => {
      const sealed = await subject.vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });

      const text = JSON.stringify(sealed);
      expect(text).not.toContain('PRIVATE KEY');
      for (const secret of privateSecretsOf(fixtureKey)) {
        expect(text).not.toContain(secret);
      }
    });

    it('refuses to open a ref it never sealed with ERR_VAULT_NOT_FOUND', async () => {
      await expect(subject.vault.open(subject.unknownRef)).rejects.toMatchObject({
        name: 'VaultError',
        code: 'ERR_VAULT_NOT_FOUND',
      });
    });

    it.each(MALFORMED_REFS)(
      'refuses the malformed ref %j on open and destroy with ERR_VAULT_REF',
      async (ref) => {
        await expect(subject.vault.open(ref)).rejects.toMatchObject({
          name: 'VaultError',
          code: 'ERR_VAULT_REF',
        });
        await expect(subject.vault.destroy(ref)).rejects.toMatchObject({ code: 'ERR_VAULT_REF' });
      },
    );

    it.each(UNSAFE_NAMES)('refuses the issuer id or slot %j with ERR_UNSAFE_NAME', async (unsafe) => {
      const asIssuer = subject.vault.seal({ issuerId: unsafe, slot: 'r1', privateKey: fixtureKey });
      const asSlot = subject.vault.seal({ issuerId: 'demo', slot: unsafe, privateKey: fixtureKey });

      for (const refused of [asIssuer, asSlot]) {
        await expect(refused).rejects.toBeInstanceOf(UnsafeNameError);
        await expect(refused).rejects.toMatchObject({ code: 'ERR_UNSAFE_NAME' });
      }
    });

    it('destroys idempotently, unknown refs too, and a destroyed key no longer opens (RETRY-SAFE)', async () => {
      // Prepare
      const sealed = await subject.vault.seal({ issuerId: 'demo', slot: 'r1', privateKey: fixtureKey });

      // Act
      await subject.vault.destroy(sealed.ref);
      await subject.vault.destroy(sealed.ref);
      await subject.vault.destroy(subject.unknownRef);

      // Assess
      await expect(subject.vault.open(sealed.ref)).rejects.toMatchObject({ code: 'ERR_VAULT_NOT_FOUND' });
    });
  });
}
