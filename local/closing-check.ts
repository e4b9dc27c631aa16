import { setTimeout as delay } from 'node:timers/promises';
import { isKeyturnError } from '#shared/errors.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import type { RotationPorts } from '#shared/ports.ts';
import { createTokenVerifier, loadKeySet, type VerifiedToken } from '#shared/tokens/index.ts';

/**
 * The closing check of a local rotation that succeeded: a fresh cluster token verified against keys.json
 * fetched over HTTP. Either it verified, or a transient failure outlasted the retries and the check could
 * not be completed (the rotation itself stands; the problem says what to run instead).
 */
export type ClosingCheck =
  | { readonly verified: VerifiedToken; readonly problem?: undefined }
  | { readonly verified?: undefined; readonly problem: string };

/** How the closing check retries. */
export interface ClosingCheckOptions {
  /** Tries in all. @default 4 */
  readonly attempts?: number;
  /** The wait before the first retry; each next one doubles it. @default 500 */
  readonly backoffMs?: number;
  /** @default a real timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Errors of a probe hiccup, retried as the workflow's Verify retries them: the cluster API failing or busy
 * (a TokenRequest answered 500, a timeout), and keys.json or discovery not fetched (IssuerFetchError).
 */
const TRANSIENT_ERRORS: ReadonlySet<string> = new Set(['ClusterApiCallError', 'IssuerFetchError']);

/**
 * Asks the cluster for a token and verifies it against the issuer's documents read over HTTP, as a third
 * party would (discovery, JWKS, signature, iss, aud). Transient failures are retried with backoff; when
 * they outlast the retries the result names the problem instead of failing a rotation that succeeded. A
 * token that is rejected, or any other error, is thrown as before.
 */
export async function checkAsThirdParty(
  ports: RotationPorts,
  keyring: Keyring,
  options: ClosingCheckOptions = {},
): Promise<ClosingCheck> {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  let wait = options.backoffMs ?? 500;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { verified: await verifyFreshToken(ports, keyring) };
    } catch (error) {
      if (!isKeyturnError(error) || !TRANSIENT_ERRORS.has(error.name)) throw error;
      if (attempt >= attempts) {
        return { problem: `${error.code}: ${error.message} (after ${attempts} tries)` };
      }
    }
    await sleep(wait);
    wait *= 2;
  }
}

async function verifyFreshToken(ports: RotationPorts, keyring: Keyring): Promise<VerifiedToken> {
  const token = await ports.cluster.requestToken(keyring.policy.audience);
  const { keySet, issuer } = await loadKeySet(
    { kind: 'issuer', issuerUrl: keyring.issuerUrl },
    // keyturn's own keys.json: a key it cannot use there is drift or tampering, not a key to skip.
    { skipUnusableKeys: false },
  );
  return createTokenVerifier({ keySet, issuer, audience: keyring.policy.audience }).verify(token);
}

/** The warning a rotation that succeeded prints when its closing check could not be completed. */
export function closingCheckWarning(keyring: Keyring, problem: string): string {
  const { issuerUrl, policy } = keyring;
  return (
    `warning: rotation succeeded; the closing check could not be completed: ${problem}; ` +
    `run keyturn verify-token TOKEN_FILE --issuer ${issuerUrl} --audience ${policy.audience} ` +
    `with a fresh token from the cluster (oc create token SERVICE_ACCOUNT --audience ${policy.audience} > TOKEN_FILE)\n`
  );
}
