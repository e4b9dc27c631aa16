import { DISCOVERY_PATH, parseDiscovery } from '../issuer/discovery.ts';
import { assertFetchableUrl, issuerDocumentUrl, normalizeIssuerUrl } from '../issuer/issuer-url.ts';
import { parseKeySet } from '../issuer/key-set.ts';
import { type Fetch, fetchServedDocument } from '../issuer/read-public-issuer.ts';
import { assertServedForRelyingParties } from '../issuer/served-headers.ts';
import type { Keyring } from '../keyring/keyring.ts';
import { activeKey } from '../keyring/queries.ts';
import { KEY_SET_MAX_AGE_SECONDS, MAX_LEAD_TIME_SECONDS } from '../rotation/lead-time-bound.ts';
import { type CheckResult, checkOf, formatSeconds, reasonOf, type Settled } from './check-result.ts';

/** The issuer as a relying party found it: the kids of its keys.json and how long it may be cached. */
export interface ServedIssuer {
  readonly keysUrl: string;
  readonly kids: readonly string[];
  /** The longest of keys.json's `max-age` and `s-maxage`, in seconds; undefined when it states neither. */
  readonly keySetMaxAge?: number;
}

/**
 * Reads the issuer as STS does: the discovery document, then the keys.json it names; each a plain 200,
 * `application/json`, cacheable (the checks `keyturn maintain` and the publishers' readPublic make), the
 * discovery naming this issuer, keys.json a valid JWKS (ALWAYS-VALID).
 */
export async function readServedIssuer(
  issuerUrl: string,
  options: { readonly fetch?: Fetch; readonly timeoutMs?: number } = {},
): Promise<ServedIssuer> {
  const issuer = normalizeIssuerUrl(issuerUrl);
  const discoveryUrl = issuerDocumentUrl(issuer, DISCOVERY_PATH);
  const discovery = await fetchServedDocument(discoveryUrl, options);
  assertServedForRelyingParties(discoveryUrl, discovery.headers);
  const keysUrl = assertFetchableUrl(parseDiscovery(discovery.text, issuer).jwks_uri);
  const keySet = await fetchServedDocument(keysUrl, options);
  assertServedForRelyingParties(keysUrl, keySet.headers);
  const maxAge = cacheMaxAge(keySet.headers.get('cache-control') ?? '');
  return {
    keysUrl,
    kids: parseKeySet(keySet.text).keys.map((key) => key.kid),
    ...(maxAge === undefined ? {} : { keySetMaxAge: maxAge }),
  };
}

/** The longest of `max-age` and `s-maxage` (what CloudFront and a verifier honour), in seconds. */
function cacheMaxAge(cacheControl: string): number | undefined {
  const ages = [...cacheControl.matchAll(/(?:^|,)\s*(?:max-age|s-maxage)\s*=\s*"?(\d+)"?/gi)].map((match) =>
    Number(match[1]),
  );
  return ages.length === 0 ? undefined : Math.max(...ages);
}

/** (5) The issuer answers as relying parties need, and its keys.json carries the active key. */
export function checkIssuerServed(keyring: Keyring, served: Settled<ServedIssuer>): CheckResult {
  const base = { ...checkOf('issuer-served') } as const;
  if (!served.ok) return { ...base, outcome: 'fail', reason: reasonOf(served.error) };
  const active = activeKey(keyring)?.kid;
  const { keysUrl, kids, keySetMaxAge } = served.value;
  if (active !== undefined && !kids.includes(active)) {
    return {
      ...base,
      invariant: 'ALWAYS-VALID',
      outcome: 'fail',
      reason: `${keysUrl} lacks the active key ${active}: publish keys.json again (keyturn maintain, --local or --aws)`,
    };
  }
  const cache = keySetMaxAge === undefined ? 'no max-age stated' : `max-age ${keySetMaxAge}`;
  return {
    ...base,
    outcome: 'pass',
    reason: `discovery and ${keysUrl} answer 200, application/json, cacheable (${cache}), with the active key`,
  };
}

/**
 * (6) The lead time outlasts every cache of keys.json: the max-age it is served with (or, when the issuer
 * could not be read or states none, the one keyturn publishes), and fits in one rotation.
 */
export function checkLeadTime(keyring: Keyring, served: Settled<ServedIssuer>): CheckResult {
  const base = { ...checkOf('lead-time'), invariant: 'PUBLISHED-BEFORE-SIGN' } as const;
  const lead = keyring.policy.leadTimeSeconds;
  const servedAge = served.ok ? served.value.keySetMaxAge : undefined;
  const maxAge = Math.max(servedAge ?? 0, KEY_SET_MAX_AGE_SECONDS);
  const source =
    servedAge === undefined
      ? `the max-age keyturn publishes keys.json with`
      : `the max-age keys.json is served with${servedAge < KEY_SET_MAX_AGE_SECONDS ? ` (${servedAge} s), or keyturn's own` : ''}`;
  if (lead > MAX_LEAD_TIME_SECONDS) {
    return {
      ...base,
      outcome: 'fail',
      reason: `lead time ${formatSeconds(lead)} is longer than one rotation can wait (${formatSeconds(MAX_LEAD_TIME_SECONDS)}): lower the issuer's lead time`,
    };
  }
  if (lead < maxAge) {
    return {
      ...base,
      outcome: 'fail',
      reason: `lead time ${formatSeconds(lead)} is shorter than ${source}, ${maxAge} s: a cached keys.json could lack the new key when the cluster signs with it; raise the issuer's lead time to at least ${maxAge} s`,
    };
  }
  return {
    ...base,
    outcome: 'pass',
    reason: `lead time ${formatSeconds(lead)} covers ${source}, ${maxAge} s`,
  };
}
