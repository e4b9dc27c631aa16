import { describe, expect, it } from 'vitest';
import { findInvariantViolations } from '#shared/keyring/invariants.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import { KEYS, keyRecord, keyringWith } from './keyring-fixture.ts';

const now = new Date('2026-01-02T00:00:00.000Z');
const names = (keyring: Keyring, extra: Partial<Parameters<typeof findInvariantViolations>[0]> = {}) =>
  findInvariantViolations({ keyring, now, ...extra }).map((violation) => violation.invariant);

describe('findInvariantViolations', () => {
  it('finds nothing wrong with a rotated keyring', () => {
    const keyring = keyringWith([
      keyRecord('old', {
        state: 'retired',
        activatedAt: '2026-01-01T00:00:00.000Z',
        retiredAt: '2026-01-01T12:00:00.000Z',
        removeAfter: '2026-01-01T13:00:00.000Z',
      }),
      keyRecord('new', {
        state: 'active',
        visibleAt: '2026-01-01T10:00:00.000Z',
        pushNotBefore: '2026-01-01T10:10:00.000Z',
        promotedAt: '2026-01-01T10:10:00.000Z',
        activatedAt: '2026-01-01T12:00:00.000Z',
      }),
    ]);

    expect(findInvariantViolations({ keyring, now, publicKids: [KEYS.old.kid, KEYS.new.kid] })).toEqual([]);
  });

  it('sees two active keys (ONE-SIGNER)', () => {
    expect(names(keyringWith([keyRecord('old'), keyRecord('new')]))).toContain('ONE-SIGNER');
  });

  it('sees a key pushed before its lead time passed (PUBLISHED-BEFORE-SIGN)', () => {
    const keyring = keyringWith([
      keyRecord('old'),
      keyRecord('new', {
        state: 'promoting',
        visibleAt: '2026-01-01T10:00:00.000Z',
        pushNotBefore: '2026-01-01T10:10:00.000Z',
        promotedAt: '2026-01-01T10:05:00.000Z',
      }),
    ]);

    expect(names(keyring)).toEqual(['PUBLISHED-BEFORE-SIGN']);
  });

  it('sees a key pushed without ever being confirmed visible (PUBLISHED-BEFORE-SIGN)', () => {
    const keyring = keyringWith([
      keyRecord('old'),
      keyRecord('new', { state: 'promoting', promotedAt: '2026-01-01T10:05:00.000Z' }),
    ]);

    expect(names(keyring)).toEqual(['PUBLISHED-BEFORE-SIGN']);
  });

  it('sees the cluster signing with a key keyturn never confirmed visible (PUBLISHED-BEFORE-SIGN)', () => {
    const keyring = keyringWith([keyRecord('old'), keyRecord('new', { state: 'published' })]);

    expect(names(keyring, { signedKids: new Map([[KEYS.new.kid, now]]) })).toContain('PUBLISHED-BEFORE-SIGN');
  });

  it('sees a signing key removed before its grace ended (NO-ORPHAN-TOKENS)', () => {
    const keyring = keyringWith([
      keyRecord('old', {
        state: 'removed',
        activatedAt: '2026-01-01T00:00:00.000Z',
        retiredAt: '2026-01-01T12:00:00.000Z',
        removedAt: '2026-01-01T12:30:00.000Z',
      }),
      keyRecord('new'),
    ]);

    expect(names(keyring)).toEqual(['NO-ORPHAN-TOKENS']);
  });

  it('accepts the early removal of a compromised key (the emergency exception)', () => {
    const keyring = keyringWith([
      keyRecord('old', {
        state: 'removed',
        activatedAt: '2026-01-01T00:00:00.000Z',
        retiredAt: '2026-01-01T12:00:00.000Z',
        removedAt: '2026-01-01T12:00:00.000Z',
        compromisedAt: '2026-01-01T12:00:00.000Z',
      }),
      keyRecord('new'),
    ]);

    expect(
      names(keyring, { publicKids: [KEYS.new.kid], signedKids: new Map([[KEYS.old.kid, now]]) }),
    ).toEqual([]);
  });

  it('sees a key that signed a minute ago missing from the public keys.json (NO-ORPHAN-TOKENS)', () => {
    const keyring = keyringWith([keyRecord('old', { state: 'retired' }), keyRecord('new')]);

    expect(
      names(keyring, { publicKids: [KEYS.new.kid], signedKids: new Map([[KEYS.old.kid, now]]) }),
    ).toContain('NO-ORPHAN-TOKENS');
  });

  it('sees a public keys.json without the active key (ALWAYS-VALID)', () => {
    expect(names(keyringWith([keyRecord('old')]), { publicKids: [KEYS.new.kid] })).toContain('ALWAYS-VALID');
  });

  it('sees private key material in the keyring (SEALED)', () => {
    const keyring = keyringWith([keyRecord('old', { failure: '-----BEGIN RSA PRIVATE KEY----- leaked' })]);

    expect(names(keyring)).toContain('SEALED');
  });
});
