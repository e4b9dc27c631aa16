import type { RolloutProgress, RotationPorts } from '../ports.ts';
import { requireNewKey } from './rotation-keys.ts';
import { loadKeyring, requireRotation, type StepInput } from './step-context.ts';

/** Rollout progress towards the new key, and whether the cluster now signs with it everywhere. */
export interface RolloutResult extends RolloutProgress {
  readonly kid: string;
  readonly done: boolean;
}

/** Reads how far the cluster has rolled out the new key. Read-only, so always safe to repeat. */
export async function watchRollout(ports: RotationPorts, input: StepInput): Promise<RolloutResult> {
  const { keyring } = await loadKeyring(ports, input.issuerId);
  const rotation = requireRotation(keyring, input.rotationId);
  const key = requireNewKey(keyring, rotation);
  const progress = await ports.cluster.rolloutProgress(key.kid);
  const done = progress.signingKid === key.kid && progress.nodesUpdated === progress.nodesTotal;
  return { ...progress, kid: key.kid, done };
}
