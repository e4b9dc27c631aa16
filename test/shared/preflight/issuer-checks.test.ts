import { describe, expect, it } from 'vitest';
import { buildDiscovery, buildKeySet } from '#shared/issuer/index.ts';
import { IssuerFetchError } from '#shared/ports.ts';
import type { Settled } from '#shared/preflight/check-result.ts';
import {
  checkIssuerServed,
  checkLeadTime,
  readServedIssuer,
  type ServedIssuer,
} from '#shared/preflight/issuer-checks.ts';
import { KEYS, keyRecord, keyringWith } from '#test/shared/keyring/keyring-fixture.ts';

const ISSUER = 'https://oidc.example.com/cluster-a';
const keyring = keyringWith([keyRecord('old')]);
const ok = <T>(value: T): Settled<T> => ({ ok: true, value });
const served = (change: Partial<ServedIssuer> = {}): Settled<ServedIssuer> =>
  ok({ keysUrl: `${ISSUER}/keys.json`, kids: [KEYS.old.kid], keySetMaxAge: 300, ...change });
const unreachable: Settled<never> = {
  ok: false,
  error: new IssuerFetchError('ERR_ISSUER_FETCH', `could not reach ${ISSUER}/keys.json: ECONNREFUSED`),
};

/** A fetch serving the issuer's two documents with these keys.json headers. */
function issuerFetch(keySetHeaders: Record<string, string>) {
  return async (url: string) => {
    if (url.endsWith('/.well-known/openid-configuration')) {
      return new Response(buildDiscovery(ISSUER), {
        headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' },
      });
    }
    return new Response(buildKeySet([KEYS.old]), {
      headers: { 'content-type': 'application/json', ...keySetHeaders },
    });
  };
}

describe('readServedIssuer', () => {
  it('reads the discovery document, then its keys.json, with the longest max-age it is cached for', async () => {
    // Act
    const issuer = await readServedIssuer(ISSUER, {
      fetch: issuerFetch({ 'cache-control': 'public, max-age=300, s-maxage=900' }),
    });

    // Assess
    expect(issuer).toEqual({ keysUrl: `${ISSUER}/keys.json`, kids: [KEYS.old.kid], keySetMaxAge: 900 });
  });

  it('refuses a keys.json relying parties must not cache, as maintain and verify-token do', async () => {
    // Act
    const read = readServedIssuer(ISSUER, { fetch: issuerFetch({ 'cache-control': 'no-store' }) });

    // Assess
    await expect(read).rejects.toMatchObject({ code: 'ERR_ISSUER_HEADERS' });
  });
});

describe('checkIssuerServed', () => {
  it('passes when the issuer answers for relying parties with the active key', () => {
    expect(checkIssuerServed(keyring, served())).toMatchObject({
      outcome: 'pass',
      reason: expect.stringContaining('cacheable (max-age 300), with the active key'),
    });
  });

  it('fails when the served keys.json lacks the active key (ALWAYS-VALID)', () => {
    // Act
    const result = checkIssuerServed(keyring, served({ kids: [KEYS.new.kid] }));

    // Assess
    expect(result).toMatchObject({ outcome: 'fail', invariant: 'ALWAYS-VALID' });
    expect(result.reason).toContain(`lacks the active key ${KEYS.old.kid}`);
  });

  it('fails with the reason the issuer could not be read', () => {
    expect(checkIssuerServed(keyring, unreachable).reason).toContain('ECONNREFUSED (ERR_ISSUER_FETCH)');
  });
});

describe('checkLeadTime', () => {
  it('passes when the lead time outlasts the max-age keys.json is served with (PUBLISHED-BEFORE-SIGN)', () => {
    expect(checkLeadTime(keyring, served({ keySetMaxAge: 600 }))).toMatchObject({
      outcome: 'pass',
      invariant: 'PUBLISHED-BEFORE-SIGN',
      reason: 'lead time 10m covers the max-age keys.json is served with, 600 s',
    });
  });

  it('fails when keys.json is served with a max-age longer than the lead time (PUBLISHED-BEFORE-SIGN)', () => {
    // Act
    const result = checkLeadTime(keyring, served({ keySetMaxAge: 3600 }));

    // Assess
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain(
      'lead time 10m is shorter than the max-age keys.json is served with, 3600 s',
    );
    expect(result.reason).toContain('at least 3600 s');
  });

  it('holds the lead time to the max-age keyturn publishes when the issuer cannot be read (PUBLISHED-BEFORE-SIGN)', () => {
    // Act
    const result = checkLeadTime(
      keyringWith([keyRecord('old')], { policy: { ...keyring.policy, leadTimeSeconds: 60 } }),
      unreachable,
    );

    // Assess
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain('shorter than the max-age keyturn publishes keys.json with, 300 s');
  });

  it('fails a lead time longer than one rotation can wait (PUBLISHED-BEFORE-SIGN)', () => {
    // Act
    const result = checkLeadTime(
      keyringWith([keyRecord('old')], { policy: { ...keyring.policy, leadTimeSeconds: 86_400 } }),
      served(),
    );

    // Assess
    expect(result).toMatchObject({
      outcome: 'fail',
      reason: expect.stringContaining('longer than one rotation can wait'),
    });
  });
});
