import type { Keyring, RotationMode } from '../keyring/keyring.ts';
import { activeKey } from '../keyring/queries.ts';
import type { RotationPorts } from '../ports.ts';
import { checkClusterDrift } from './drift.ts';
import { startUnderDrift } from './emergency-drift.ts';
import { RotationInProgressError, RotationRequestError } from './errors.ts';
import { assertLeadTimeFits } from './lead-time-bound.ts';
import { publishKeyring } from './publish-documents.ts';
import { parseRotationId } from './rotation-id.ts';
import { commit, loadKeyring, nowIso, type StepInput } from './step-context.ts';

/** What starts a rotation. */
export interface PrepareInput extends StepInput {
  readonly mode: RotationMode;
  /** For emergency rotations: the kid of the compromised key (the active one). */
  readonly compromisedKid?: string;
  /** Overrides the policy's lead time (emergency rotations, local runs). @default policy.leadTimeSeconds */
  readonly leadTimeSeconds?: number;
}

/** The rotation as prepared. */
export interface PrepareResult {
  readonly rotationId: string;
  readonly previousKid: string;
  readonly leadTimeSeconds: number;
  /** True when this rotation was already in flight and the call joined it. */
  readonly joined: boolean;
}

/**
 * Locks the issuer for one rotation (ONE-SIGNER): a second rotation id fails fast, the same id joins.
 * A scheduled or manual rotation refuses to start while the cluster signs with a key keys.json lacks
 * (drift); an emergency is never blocked by drift: it publishes that key and records the drift in the
 * audit trail (emergency-drift.ts).
 */
export async function prepareRotation(ports: RotationPorts, input: PrepareInput): Promise<PrepareResult> {
  parseRotationId(input.rotationId);
  const stored = await loadKeyring(ports, input.issuerId);
  const { keyring } = stored;
  const inFlight = keyring.rotation;
  if (inFlight !== undefined) {
    if (inFlight.id !== input.rotationId) {
      throw new RotationInProgressError(
        'ERR_ROTATION_IN_PROGRESS',
        `issuer ${keyring.issuerId}: rotation ${inFlight.id} (${inFlight.mode}) is in flight since ${inFlight.startedAt}; resume it (run the rotation again without a rotation id) or end it (keyturn rotate --abort)`,
      );
    }
    return {
      rotationId: inFlight.id,
      previousKid: inFlight.previousKid ?? '',
      leadTimeSeconds: inFlight.leadTimeSeconds,
      joined: true,
    };
  }
  const active = activeKey(keyring);
  if (active === undefined) {
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `issuer ${keyring.issuerId} has no active key to rotate`,
    );
  }
  assertCompromisedKid(input, active.kid);
  const leadTimeSeconds = input.leadTimeSeconds ?? keyring.policy.leadTimeSeconds;
  assertLeadTimeFits(keyring.issuerId, leadTimeSeconds);
  const start = startUnderDrift(
    keyring,
    active,
    await checkClusterDrift(ports, keyring, input.mode),
    nowIso(ports),
  );
  const rotation = {
    id: input.rotationId,
    mode: input.mode,
    startedAt: nowIso(ports),
    leadTimeSeconds,
    previousKid: start.previousKid,
    ...(input.compromisedKid === undefined ? {} : { compromisedKid: input.compromisedKid }),
  };
  const written = await commit(
    ports,
    stored,
    { ...start.keyring, rotation },
    {
      rotationId: input.rotationId,
      step: 'prepare',
      kid: start.previousKid,
      outcome: 'ok',
      detail: `${input.mode} rotation, lead time ${leadTimeSeconds} s${start.note}`,
    },
  );
  if (start.adopted) await publishKeyring(ports, written.keyring);
  return { rotationId: input.rotationId, previousKid: start.previousKid, leadTimeSeconds, joined: false };
}

/**
 * Refuses `--emergency KID` before anything is asked or started when KID is not the key an emergency can
 * replace: the active key, or the compromised key of the emergency rotation in flight (which is resumed).
 */
export function assertEmergencyTarget(keyring: Keyring, kid: string): void {
  if (keyring.rotation !== undefined) return; // resuming: planRotation names any conflict
  const active = activeKey(keyring);
  if (active === undefined) {
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `issuer ${keyring.issuerId} has no active key to rotate`,
    );
  }
  assertCompromisedKid({ mode: 'emergency', compromisedKid: kid }, active.kid);
}

/** An emergency rotation names the active key as compromised; no other rotation names one. */
function assertCompromisedKid(input: Pick<PrepareInput, 'mode' | 'compromisedKid'>, activeKid: string): void {
  if (input.mode !== 'emergency') {
    if (input.compromisedKid !== undefined) {
      throw new RotationRequestError(
        'ERR_ROTATION_REQUEST',
        'only an emergency rotation names a compromised key',
      );
    }
    return;
  }
  if (input.compromisedKid !== activeKid) {
    const given =
      input.compromisedKid === undefined ? 'no key was named' : `${input.compromisedKid} was named`;
    throw new RotationRequestError(
      'ERR_ROTATION_REQUEST',
      `an emergency rotation replaces the compromised active key ${activeKid}, but ${given}`,
    );
  }
}
