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
 * The keyring is committed first and the documents built from it; a re-run publishes again (RETRY-SAFE).
 */
export async function publishNewKey(ports: RotationPorts, input: StepInput): Promise<PublishResult> {
  const stored = await loadKeyring(ports, input.issuerId);
  let { keyring } = stored;
  const rotation = requireRotation(keyring, input.rotationId);
  const key = requireNewKey(keyring, rotation);
  if (key.state === 'generated') {
    keyring = withKey(keyring, key.kid, { state: 'published', publishedAt: nowIso(ports) });
    await commit(ports, stored, keyring, {
      rotationId: rotation.id,
      step: 'publish',
      kid: key.kid,
      outcome: 'ok',
    });
  }
  const kids = await publishKeyring(ports, keyring);
  return { kid: key.kid, kids };
}
