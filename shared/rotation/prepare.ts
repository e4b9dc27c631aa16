import type { Keyring, RotationMode, TokenRefresh } from '../keyring/keyring.ts';
import { tokenRefreshOf } from '../keyring/policy.ts';
import { activeKey } from '../keyring/queries.ts';
import type { RotationPorts } from '../ports.ts';
import { assertGraceCoversTokens, assertGuardFree, passStabilityGate } from './cluster-gate.ts';
import { checkClusterDrift } from './drift.ts';
import { startUnderDrift } from './emergency-drift.ts';
import { RotationInProgressError, RotationRequestError } from './errors.ts';
import { releaseGuardIfOurs } from './guard.ts';
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
  /**
   * How workload tokens are refreshed after activation (`keyturn rotate --emergency --no-reboot`: `wait`).
   * @default 'reboot' for an emergency, else policy.tokenRefresh
   */
  readonly tokenRefresh?: TokenRefresh;
}

/** The rotation as prepared. */
export interface PrepareResult {
  readonly rotationId: string;
  readonly previousKid: string;
  readonly leadTimeSeconds: number;
  /** True when this rotation was already in flight and the call joined it. */
  readonly joined: boolean;
  /** How this rotation refreshes workload tokens after activation. */
  readonly tokenRefresh: TokenRefresh;
  /** True when the joined rotation is already activated: the workflow goes on with its token refresh phase. */
  readonly refreshing: boolean;
  /** An emergency started on an unstable cluster: what is unstable (also in the audit trail). */
  readonly warning?: string;
}

/**
 * Locks the issuer for one rotation (ONE-SIGNER): a second rotation id fails fast, the same id joins.
 * A scheduled or manual rotation refuses to start while the cluster signs with a key keys.json lacks
 * (drift); an emergency is never blocked by drift: it publishes that key and records the drift in the
 * audit trail (emergency-drift.ts). Before anything is written it passes the OpenShift procedure's gate:
 * the cluster's signer-rotation guard free, a grace at least the cluster's longest token lifetime, a
 * stable cluster (an emergency goes on with a warning: cluster-gate.ts). A joined rotation skips the gate.
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
      tokenRefresh: inFlight.tokenRefresh ?? 'wait',
      refreshing: inFlight.activatedAt !== undefined,
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
  assertLeadTimeFits(keyring.issuerId, leadTimeSeconds, input.mode, ports.shortLeadTime);
  // The OpenShift procedure's preconditions, read-only and before anything is written: one rotator at a
  // time, a grace that covers the cluster's longest tokens, a stable cluster (cluster-gate.ts).
  // A guard the issuer's last rotation could not give back (a cluster down at its end) is given back now.
  if (keyring.lastRotation !== undefined) {
    await releaseGuardIfOurs(ports, { issuerId: keyring.issuerId, rotationId: keyring.lastRotation.id });
  }
  await assertGuardFree(ports, { issuerId: keyring.issuerId, rotationId: input.rotationId });
  await assertGraceCoversTokens(ports, keyring);
  const gate = await passStabilityGate(ports, keyring, input.mode);
  const tokenRefresh = tokenRefreshOf(keyring.policy, input.mode, input.tokenRefresh);
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
    tokenRefresh,
    ...(gate.tolerated.length === 0 ? {} : { toleratedInstability: [...gate.tolerated] }),
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
      detail: `${input.mode} rotation, lead time ${leadTimeSeconds} s, token refresh ${tokenRefresh}${start.note}${gate.warning === undefined ? '' : `; ${gate.warning}`}`,
    },
  );
  if (start.adopted) await publishKeyring(ports, written.keyring);
  return {
    rotationId: input.rotationId,
    previousKid: start.previousKid,
    leadTimeSeconds,
    joined: false,
    tokenRefresh,
    refreshing: false,
    ...(gate.warning === undefined ? {} : { warning: gate.warning }),
  };
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
