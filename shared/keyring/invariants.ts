import type { InvariantName } from './errors.ts';
import type { KeyRecord, Keyring } from './keyring.ts';
import { addSeconds } from './policy.ts';
import { activeKey, buildIssuerDocuments, publishedKeys } from './queries.ts';

/** One broken invariant, named as in DESIGN.md §2. */
export interface InvariantViolation {
  readonly invariant: InvariantName;
  readonly message: string;
}

/** What the checker looks at: the keyring, and optionally what the public and the cluster see. */
export interface InvariantWorld {
  readonly keyring: Keyring;
  /** kids in keys.json as served at the public URL now. */
  readonly publicKids?: readonly string[];
  /** kids the cluster has signed tokens with, with the last time each signed. */
  readonly signedKids?: ReadonlyMap<string, Date>;
  readonly now: Date;
}

/**
 * Checks every invariant of DESIGN.md §2 that can be seen from the keyring and, when given, the public
 * keys.json and the cluster's signing history. Returns the violations (empty when all hold). Tests and
 * the property test call it after every step.
 */
export function findInvariantViolations(world: InvariantWorld): InvariantViolation[] {
  return [
    ...checkOneSigner(world.keyring),
    ...checkAlwaysValid(world),
    ...checkPublishedBeforeSign(world),
    ...checkNoOrphanTokens(world),
    ...checkSealed(world.keyring),
  ];
}

function checkOneSigner(keyring: Keyring): InvariantViolation[] {
  const active = keyring.keys.filter((key) => key.state === 'active');
  return active.length > 1
    ? [
        {
          invariant: 'ONE-SIGNER',
          message: `${active.length} active keys: ${active.map((key) => key.kid).join(', ')}`,
        },
      ]
    : [];
}

function checkAlwaysValid({ keyring, publicKids }: InvariantWorld): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  try {
    if (publishedKeys(keyring).length > 0) buildIssuerDocuments(keyring);
  } catch (error) {
    violations.push({ invariant: 'ALWAYS-VALID', message: (error as Error).message });
  }
  if (publicKids !== undefined) {
    const active = activeKey(keyring);
    if (active !== undefined && !publicKids.includes(active.kid)) {
      violations.push({
        invariant: 'ALWAYS-VALID',
        message: `public keys.json lacks the active key ${active.kid}`,
      });
    }
    if (new Set(publicKids).size !== publicKids.length) {
      violations.push({ invariant: 'ALWAYS-VALID', message: 'public keys.json has duplicate kids' });
    }
  }
  return violations;
}

function checkPublishedBeforeSign({ keyring, signedKids }: InvariantWorld): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  for (const key of keyring.keys.filter((record) => record.promotedAt !== undefined)) {
    if (key.pushNotBefore === undefined || key.visibleAt === undefined) {
      violations.push({
        invariant: 'PUBLISHED-BEFORE-SIGN',
        message: `${key.kid} was pushed but never confirmed visible`,
      });
    } else if (Date.parse(key.promotedAt ?? '') < Date.parse(key.pushNotBefore)) {
      violations.push({
        invariant: 'PUBLISHED-BEFORE-SIGN',
        message: `${key.kid} was pushed at ${key.promotedAt}, before ${key.pushNotBefore}`,
      });
    }
  }
  for (const kid of signedKids?.keys() ?? []) {
    const key = keyring.keys.find((record) => record.kid === kid);
    const known =
      key !== undefined &&
      (key.visibleAt !== undefined || key.rotationId === 'initial' || key.origin !== 'generated');
    if (!known) {
      violations.push({
        invariant: 'PUBLISHED-BEFORE-SIGN',
        message: `the cluster signed with ${kid}, never confirmed visible`,
      });
    }
  }
  return violations;
}

function checkSignersPublished(
  keyring: Keyring,
  publicKids: readonly string[],
  signedKids: ReadonlyMap<string, Date>,
  now: Date,
): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  for (const [kid, lastSigned] of signedKids) {
    const key = keyring.keys.find((record) => record.kid === kid);
    const graceEnd = addSeconds(lastSigned.toISOString(), keyring.policy.graceSeconds);
    // Every node rebooted after it last signed: no pod holds one of its tokens any more.
    const refreshed =
      key?.tokensRefreshedAt !== undefined && Date.parse(key.tokensRefreshedAt) > lastSigned.getTime();
    if (
      !publicKids.includes(kid) &&
      key?.compromisedAt === undefined &&
      !refreshed &&
      Date.parse(graceEnd) > now.getTime()
    ) {
      violations.push({
        invariant: 'NO-ORPHAN-TOKENS',
        message: `${kid} signed at ${lastSigned.toISOString()} but is missing from the public keys.json before ${graceEnd}`,
      });
    }
  }
  return violations;
}

function checkNoOrphanTokens({ keyring, publicKids, signedKids, now }: InvariantWorld): InvariantViolation[] {
  const removedEarly = keyring.keys.filter(removedTooEarly(keyring.policy.graceSeconds)).map((key) => ({
    invariant: 'NO-ORPHAN-TOKENS' as const,
    message: `${key.kid} may have signed tokens but was removed at ${key.removedAt}, before its grace ended`,
  }));
  const unpublished =
    publicKids === undefined || signedKids === undefined
      ? []
      : checkSignersPublished(keyring, publicKids, signedKids, now);
  return [...removedEarly, ...unpublished];
}

function removedTooEarly(graceSeconds: number): (key: KeyRecord) => boolean {
  return (key) => {
    const signed = key.activatedAt !== undefined || key.promotedAt !== undefined;
    const stopped = key.retiredAt ?? key.failedAt;
    if (key.state !== 'removed' || !signed || key.compromisedAt !== undefined || stopped === undefined) {
      return false;
    }
    // NO-ORPHAN-TOKENS' second way out: every node rebooted after the key stopped signing.
    if (key.tokensRefreshedAt !== undefined && Date.parse(key.tokensRefreshedAt) >= Date.parse(stopped)) {
      return false;
    }
    return Date.parse(key.removedAt ?? '') < Date.parse(addSeconds(stopped, graceSeconds));
  };
}

function checkSealed(keyring: Keyring): InvariantViolation[] {
  return /PRIVATE KEY|"d":/.test(JSON.stringify(keyring))
    ? [{ invariant: 'SEALED', message: 'the keyring holds private key material' }]
    : [];
}
