import { withKey } from '../keyring/queries.ts';
import type { RotationPorts } from '../ports.ts';
import { publishKeyring } from './publish-documents.ts';
import { requireNewKey } from './rotation-keys.ts';
import { commit, loadKeyring, nowIso, requireRotation, type StepInput } from './step-context.ts';

/** What publish put in keys.json. */
export interface PublishResult {
  /** The new key. */
  readonly kid: string;
  /** Every kid of the published keys.json, oldest first. */
  readonly kids: string[];
}

/**
 * Adds the new key to keys.json beside the keys already published (ALWAYS-VALID) and invalidates caches.
 * The keyring is committed first and the documents built from it; a re-run publishes again (RETRY-SAFE),
 * and a re-run that finds newer documents in place (a later revision published them) leaves them.
 */
export async function publishNewKey(ports: RotationPorts, input: StepInput): Promise<PublishResult> {
  let stored = await loadKeyring(ports, input.issuerId);
  const rotation = requireRotation(stored.keyring, input.rotationId);
  const key = requireNewKey(stored.keyring, rotation);
  if (key.state === 'generated') {
    const next = withKey(stored.keyring, key.kid, { state: 'published', publishedAt: nowIso(ports) });
    stored = await commit(ports, stored, next, {
      rotationId: rotation.id,
      step: 'publish',
      kid: key.kid,
      outcome: 'ok',
    });
  }
  // The keyring as committed: its generation orders this publication against concurrent ones.
  const { kids } = await publishKeyring(ports, stored.keyring);
  return { kid: key.kid, kids };
}
