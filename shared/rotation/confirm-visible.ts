import { addSeconds } from '../keyring/policy.ts';
import { withKey } from '../keyring/queries.ts';
import type { RotationPorts } from '../ports.ts';
import { StepNotReadyError } from './errors.ts';
import { readPublicKids } from './publish-documents.ts';
import { requireNewKey } from './rotation-keys.ts';
import { commit, loadKeyring, nowIso, requireRotation, type StepInput } from './step-context.ts';

/** Whether relying parties can see the new key yet, and when it may be pushed. */
export interface VisibilityResult {
  readonly kid: string;
  readonly visible: boolean;
  /** kids the public keys.json still lacks. */
  readonly missing: readonly string[];
  /** When first seen at the public URL. */
  readonly visibleAt?: string;
  /** visibleAt + lead time: the earliest moment the push step accepts (PUBLISHED-BEFORE-SIGN). */
  readonly pushNotBefore?: string;
}

/**
 * Reads keys.json at the public issuer URL, as a third party would, and records when the new key (and
 * every other published key) first appeared there. Polling is the caller's: not visible yet is a result.
 */
export async function confirmVisible(ports: RotationPorts, input: StepInput): Promise<VisibilityResult> {
  const stored = await loadKeyring(ports, input.issuerId);
  const { keyring } = stored;
  const rotation = requireRotation(keyring, input.rotationId);
  const key = requireNewKey(keyring, rotation);
  if (key.state === 'generated') {
    throw new StepNotReadyError(
      'ERR_STEP_NOT_READY',
      `key ${key.kid} is not published yet: run publish first`,
    );
  }
  const { missing } = await readPublicKids(ports, keyring);
  if (missing.length > 0) {
    return { kid: key.kid, visible: false, missing };
  }
  if (key.visibleAt !== undefined && key.pushNotBefore !== undefined) {
    return {
      kid: key.kid,
      visible: true,
      missing,
      visibleAt: key.visibleAt,
      pushNotBefore: key.pushNotBefore,
    };
  }
  const visibleAt = nowIso(ports);
  const pushNotBefore = addSeconds(visibleAt, rotation.leadTimeSeconds);
  await commit(ports, stored, withKey(keyring, key.kid, { visibleAt, pushNotBefore }), {
    rotationId: rotation.id,
    step: 'confirm-visible',
    kid: key.kid,
    outcome: 'ok',
    detail: `push not before ${pushNotBefore}`,
  });
  return { kid: key.kid, visible: true, missing, visibleAt, pushNotBefore };
}
