import { expect } from 'vitest';
import { InjectedApiFailureError, type InjectedFailureReason } from '#local/openshift-sim/errors.ts';
import { NEXT_SECRET_NAME, OPERATOR_NAMESPACE } from '#local/openshift-sim/objects.ts';
import { readSigningPair } from '#local/openshift-sim/secret-data.ts';
import { InvariantViolationError } from '#shared/keyring/errors.ts';
import type { InvariantViolation } from '#shared/keyring/invariants.ts';
import type { Keyring, RotationMode } from '#shared/keyring/keyring.ts';
import { activeKey, findKey, publishedKeys } from '#shared/keyring/queries.ts';
import type { RotationPorts } from '#shared/ports.ts';
import { AbortFailedError, ClusterUnstableError, NodesNotRebootedError } from '#shared/rotation/errors.ts';
import {
  abortRotation,
  DriftDetectedError,
  maintainIssuer,
  prepareRotation,
  RotationInProgressError,
  RotationRequestError,
  rollbackRotation,
  StepNotReadyError,
  type TaskResults,
  VerificationFailedError,
} from '#shared/rotation/index.ts';
import { ROTATION_TASKS, type RotationTask } from '#shared/workflow-tasks.ts';
import { crashAfterSideEffects, SimulatedCrash } from './crashing-ports.ts';
import { callRotationStep } from './drive-rotation.ts';
import { ISSUER_ID, type World } from './rotation-world.ts';

/** One rotation step after prepare (the interpreter's `start` action runs prepare). */
type StepName = Exclude<RotationTask, 'prepare'>;

/** The workflow's steps after prepare, in order. */
const STEPS = ROTATION_TASKS.filter((task): task is StepName => task !== 'prepare');

/** One thing that happens to the issuer: an operator's command, a crash, time, or cluster trouble. */
export type Action =
  | {
      readonly kind: 'start';
      readonly mode: RotationMode;
      readonly leadTimeSeconds: number;
      readonly join: boolean;
    }
  | { readonly kind: 'advance' }
  | { readonly kind: 'crash'; readonly afterSideEffect: number }
  | { readonly kind: 'retry' }
  | { readonly kind: 'wait'; readonly seconds: number }
  | { readonly kind: 'maintain'; readonly publishDrift: boolean }
  | { readonly kind: 'rollback' }
  | { readonly kind: 'abort' }
  | { readonly kind: 'stick-node' | 'unstick-node'; readonly node: number }
  | { readonly kind: 'fail-api-calls'; readonly count: number; readonly reason: InjectedFailureReason }
  | { readonly kind: 'delete-next-secret' };

/** What the actions of every run achieved, so the property can prove it reached the interesting states. */
export interface Tally {
  activated: number;
  rolledBack: number;
  aborted: number;
  removed: number;
  crashes: number;
  earlyPushesRefused: number;
  adopted: number;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** A step-like call the retry action can repeat, and whether its first run finished its work. */
interface LastCall {
  readonly label: string;
  /** `early`: a push the interpreter expects to be refused (PUBLISHED-BEFORE-SIGN). */
  readonly run: (ports: RotationPorts, early: boolean) => Promise<void>;
  readonly step?: StepName;
  /** Refusals this call may answer with besides the baseline. */
  readonly extra?: readonly ErrorClass[];
  completed: boolean;
}

/**
 * Interprets actions against one world, checking after each that only acceptable errors occurred and
 * that every invariant holds. `keysLeft` tells how many fresh keys the world's pool can still hand out.
 */
export class RotationSession {
  /** The rotation in flight and the next step the interpreter will run for it. */
  private rotation: { id: string; next: number } | undefined;
  private last: LastCall | undefined;
  private started = 0;
  private actionsSinceLast = 0;
  /** Kids of keys the operator made itself (drift): not keyturn's doing until it adopts them. */
  private readonly foreignKids = new Set<string>();

  private readonly world: World;
  private readonly tally: Tally;
  private readonly keysLeft: () => number;

  constructor(world: World, tally: Tally, keysLeft: () => number) {
    this.world = world;
    this.tally = tally;
    this.keysLeft = keysLeft;
  }

  /** True once someone deleted the next secret and the cluster made its own key. */
  get drifted(): boolean {
    return this.foreignKids.size > 0;
  }

  /** Performs one action, then asserts every invariant. */
  async perform(action: Action): Promise<void> {
    this.actionsSinceLast += 1;
    await this.dispatch(action);
    await this.syncRotation();
    expect(await this.violations(), `after ${describeAction(action)}`).toEqual([]);
  }

  /** The invariant violations, less those about a key the operator made and keyturn never published. */
  async violations(): Promise<InvariantViolation[]> {
    const keyring = await this.world.keyring();
    const foreign = [...this.foreignKids].filter((kid) => findKey(keyring, kid) === undefined);
    return (await this.world.violations()).filter(
      (violation) => !foreign.some((kid) => violation.message.includes(kid)),
    );
  }

  /**
   * Heals the cluster (nodes unstuck, pending API failures cleared) and drives the rotation in flight to
   * its end, waiting as the workflow would: until pushNotBefore, then a rollout interval per poll. Without
   * drift it must activate; with drift it is rolled back (which may be refused: see rollback).
   */
  async finish(pollSeconds: number): Promise<void> {
    const { model } = this.world;
    for (const node of model.describeNodes()) model.unstickNode(node.name);
    model.faults.clear();
    for (let round = 0; this.rotation !== undefined && round < 60; round += 1) {
      if (this.drifted) {
        await this.perform({ kind: 'rollback' });
        return;
      }
      await this.perform({ kind: 'advance' });
      if (this.rotation !== undefined)
        await this.perform({ kind: 'wait', seconds: await this.pause(pollSeconds) });
    }
    expect(this.rotation, 'a rotation on a healthy cluster runs to its end').toBeUndefined();
  }

  /** How long the finishing workflow waits before its next attempt. */
  private async pause(pollSeconds: number): Promise<number> {
    const keyring = await this.world.keyring();
    const notBefore = findKey(keyring, keyring.rotation?.newKid)?.pushNotBefore;
    const untilPush = notBefore === undefined ? 0 : Date.parse(notBefore) - this.world.clock.now().getTime();
    // The stability and reboot polls of the workflow wait 30 s between attempts.
    const next = this.rotation === undefined ? undefined : STEPS[this.rotation.next];
    const poll = next === 'await-stability' || next === 'refresh-tokens' ? 30 : pollSeconds;
    return Math.max(poll, Math.ceil(untilPush / 1000));
  }

  private async dispatch(action: Action): Promise<void> {
    const { model, clock } = this.world;
    switch (action.kind) {
      case 'start':
        return this.start(action);
      case 'advance':
        return this.advance(this.world.ports);
      case 'crash':
        return this.advance(crashAfterSideEffects(this.world.ports, action.afterSideEffect));
      case 'retry':
        return this.retry();
      case 'wait':
        return clock.advance(action.seconds * 1000);
      case 'maintain':
        return this.call(`maintain${action.publishDrift ? ' --publish-drift' : ''}`, (ports) =>
          this.maintain(ports, action.publishDrift),
        );
      case 'rollback':
        return this.rollback();
      case 'abort':
        return this.abort();
      case 'stick-node':
        return model.stickNode(nodeName(this.world, action.node));
      case 'unstick-node':
        return model.unstickNode(nodeName(this.world, action.node));
      case 'fail-api-calls':
        return model.faults.failNextCalls(action.count, action.reason);
      case 'delete-next-secret':
        return this.deleteNextSecret();
    }
  }

  private async start(action: Extract<Action, { kind: 'start' }>): Promise<void> {
    const keyring = await this.world.keyring();
    const joining = action.join && keyring.rotation !== undefined;
    if (!joining && this.keysLeft() < 3) return; // keep the pool's keys distinct within one world
    const rotationId = joining ? (keyring.rotation?.id ?? '') : `r${++this.started}`;
    const { mode } = action;
    const compromisedKid = mode === 'emergency' ? activeKey(keyring)?.kid : undefined;
    const extra: ErrorClass[] = [];
    if (keyring.rotation !== undefined && !joining) extra.push(RotationInProgressError);
    if (this.unpublishedSigners(keyring).length > 0) extra.push(DriftDetectedError);
    // The stability gate: a rollout in progress (or a stuck node) refuses a scheduled or manual rotation.
    if (mode !== 'emergency') extra.push(ClusterUnstableError);
    await this.call(
      `prepare ${rotationId}`,
      async (ports) => {
        const before = await this.world.keyring();
        const prepared = await prepareRotation(ports, {
          issuerId: ISSUER_ID,
          rotationId,
          mode,
          leadTimeSeconds: action.leadTimeSeconds,
          ...(compromisedKid === undefined ? {} : { compromisedKid }),
        });
        const joins = before.rotation?.id === rotationId;
        expect(prepared.joined, 'the same rotation id joins, never restarts (ONE-SIGNER)').toBe(joins);
        if (joins) expect(await this.world.keyring()).toEqual(before);
      },
      extra,
    );
    if (keyring.rotation !== undefined && !joining) {
      expect((await this.world.keyring()).rotation?.id, 'ONE-SIGNER').toBe(keyring.rotation.id);
    }
  }

  /** Runs the next step of the rotation in flight with `ports`. */
  private async advance(ports: RotationPorts): Promise<void> {
    const step = this.rotation === undefined ? undefined : STEPS[this.rotation.next];
    if (this.rotation === undefined || step === undefined) return;
    await this.runStep(this.rotation.id, step, ports);
  }

  private async runStep(rotationId: string, step: StepName, ports: RotationPorts): Promise<void> {
    const input = { issuerId: ISSUER_ID, rotationId };
    const last: LastCall = {
      label: `${step} ${rotationId}`,
      step,
      completed: false,
      run: async (stepPorts, early) => {
        const current = this.rotation?.id === rotationId ? this.rotation : undefined;
        const done = await runRotationStep(step, stepPorts, input);
        expect(early, 'a push before pushNotBefore must be refused (PUBLISHED-BEFORE-SIGN)').toBe(false);
        last.completed ||= done;
        if (done && current !== undefined && STEPS[current.next] === step) current.next += 1;
        if (done && current !== undefined && step === 'activate') this.tally.activated += 1;
      },
    };
    await this.runCall(last, ports);
  }

  /** Re-runs the last step-like call on clean ports; one that had finished must change nothing. */
  private async retry(): Promise<void> {
    const last = this.last;
    if (last === undefined) return;
    const immediate = this.actionsSinceLast === 1;
    const before = JSON.stringify(await this.world.keyring());
    const generated = this.world.vault.generatedCount();
    const completed = last.completed;
    const succeeded = await this.runCall(last, this.world.ports, 'retry ');
    // maintain may legitimately find more to do once time has passed; every rotation step may not.
    if (succeeded && completed && (last.step !== undefined || immediate)) {
      expect(JSON.stringify(await this.world.keyring()), `retry ${last.label} (RETRY-SAFE)`).toBe(before);
      expect(this.world.vault.generatedCount(), `retry ${last.label} generated a key`).toBe(generated);
    }
  }

  private async rollback(): Promise<void> {
    const keyring = await this.world.keyring();
    const rotation = keyring.rotation;
    if (rotation === undefined) return;
    const previous = findKey(keyring, rotation.previousKid);
    // A previous key adopted from drift has no private key to push back; an activated rotation (in its
    // token refresh phase) cannot be rolled back.
    const activated = findKey(keyring, rotation.newKid)?.state === 'active';
    const extra = previous?.vaultRef === undefined || activated ? [RotationRequestError] : [];
    await this.call(
      `rollback ${rotation.id}`,
      async (ports) => {
        const inFlight = (await this.world.keyring()).rotation !== undefined;
        await rollbackRotation(ports, { issuerId: ISSUER_ID, rotationId: rotation.id, reason: 'operator' });
        if (inFlight) this.tally.rolledBack += 1;
      },
      extra,
    );
  }

  /**
   * `rotate --abort` for the rotation in flight: before the push the new key is dropped, from keys.json
   * and from the vault (it never signed); after it the previous key is pushed back.
   */
  private async abort(): Promise<void> {
    const keyring = await this.world.keyring();
    const rotation = keyring.rotation;
    if (rotation === undefined) return;
    const previous = findKey(keyring, rotation.previousKid);
    // A previous key adopted from drift has no private key to push back; a push back meets API failures.
    const extra: ErrorClass[] = previous?.vaultRef === undefined ? [RotationRequestError] : [];
    if (this.world.model.faults.pendingFailures > 0 || this.drifted) extra.push(AbortFailedError);
    await this.call(
      `abort ${rotation.id}`,
      async (ports) => {
        const result = await abortRotation(ports, { issuerId: ISSUER_ID, rotationId: rotation.id });
        const dropped =
          result.newKey === 'dropped' ? findKey(await this.world.keyring(), result.newKid) : undefined;
        if (dropped?.vaultRef !== undefined) {
          expect(this.world.vault.refs(), 'a dropped key never signed: it leaves the vault').not.toContain(
            dropped.vaultRef,
          );
        }
        this.tally.aborted += 1;
      },
      extra,
    );
  }

  private async maintain(ports: RotationPorts, publishDrift: boolean): Promise<void> {
    const result = await maintainIssuer(ports, { issuerId: ISSUER_ID, publishDrift });
    this.tally.removed += result.removed.length;
    if (result.adoptedKid !== undefined) this.tally.adopted += 1;
  }

  private async deleteNextSecret(): Promise<void> {
    if (this.keysLeft() < 3) return;
    const { model } = this.world;
    await model.deleteSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
    const kid = readSigningPair(model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME))?.publicKey.kid;
    if (kid !== undefined) this.foreignKids.add(kid);
  }

  /** Runs a step-like call (prepare, rollback, maintain) on clean ports, remembering it for retry. */
  private async call(
    label: string,
    run: (ports: RotationPorts) => Promise<void>,
    extra: readonly ErrorClass[] = [],
  ): Promise<void> {
    const last: LastCall = {
      label,
      extra,
      completed: false,
      run: async (ports) => {
        await run(ports);
        last.completed = true;
      },
    };
    await this.runCall(last, this.world.ports);
  }

  /**
   * Runs a call and remembers it for retry; returns true when it succeeded, false when it failed
   * acceptably (a simulated crash, an injected API failure, a refusal it may answer with), and fails the
   * property otherwise.
   */
  private async runCall(last: LastCall, ports: RotationPorts, prefix = ''): Promise<boolean> {
    const acceptable = [...this.baseline(), ...(last.extra ?? [])];
    if (last.step === 'verify') acceptable.push(StepNotReadyError);
    // A stuck node keeps the cluster unstable, and its deadline passes when time is moved far enough.
    if (last.step === 'await-stability') acceptable.push(ClusterUnstableError);
    if (last.step === 'refresh-tokens') acceptable.push(NodesNotRebootedError);
    const early = last.step === 'push' && this.pushIsEarly(await this.world.keyring());
    this.last = last;
    this.actionsSinceLast = 0;
    try {
      await last.run(ports, early);
      return true;
    } catch (error) {
      if (error instanceof SimulatedCrash) {
        this.tally.crashes += 1;
        return false;
      }
      if (error instanceof InvariantViolationError && error.invariant === 'PUBLISHED-BEFORE-SIGN' && early) {
        this.tally.earlyPushesRefused += 1;
        return false;
      }
      if (acceptable.some((type) => error instanceof type)) return false;
      throw new Error(
        `${prefix}${last.label}: unexpected ${(error as Error).name}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Errors any action may meet: injected API failures while some are pending, and drift's fallout. */
  private baseline(): ErrorClass[] {
    const acceptable: ErrorClass[] = [];
    if (this.world.model.faults.pendingFailures > 0) acceptable.push(InjectedApiFailureError);
    if (this.drifted) acceptable.push(DriftDetectedError, VerificationFailedError, StepNotReadyError);
    return acceptable;
  }

  /** Follows the keyring: a rotation ended by activate or rollback, or started by prepare. */
  private async syncRotation(): Promise<void> {
    const id = (await this.world.keyring()).rotation?.id;
    if (id === undefined) this.rotation = undefined;
    else if (this.rotation?.id !== id) this.rotation = { id, next: 0 };
  }

  private pushIsEarly(keyring: Keyring): boolean {
    const notBefore = findKey(keyring, keyring.rotation?.newKid)?.pushNotBefore;
    return notBefore === undefined || Date.parse(notBefore) > this.world.clock.now().getTime();
  }

  private unpublishedSigners(keyring: Keyring): string[] {
    const published = new Set(publishedKeys(keyring).map((key) => key.kid));
    return this.world.model
      .describeNodes()
      .map((node) => node.signingKid)
      .filter((kid) => !published.has(kid));
  }
}

/** The steps a workflow polls, and when their result says they finished their work. */
const FINISHED: { readonly [T in StepName]?: (result: TaskResults[T]) => boolean } = {
  'confirm-visible': (result) => result.visible,
  'watch-rollout': (result) => result.done,
  'await-stability': (result) => result.stable,
  'refresh-tokens': (result) => result.done,
};

/** Runs one step; true when it finished its work (confirm-visible saw the key, the rollout is done). */
async function runRotationStep<T extends StepName>(
  step: T,
  ports: RotationPorts,
  input: { issuerId: string; rotationId: string },
): Promise<boolean> {
  const result = await callRotationStep(step, ports, input);
  return FINISHED[step]?.(result) ?? true;
}

function nodeName(world: World, index: number): string {
  const nodes = world.model.describeNodes();
  return nodes[index % nodes.length]?.name ?? '';
}

/** A short, readable form of an action for assertion messages. */
function describeAction(action: Action): string {
  const { kind, ...rest } = action;
  return Object.keys(rest).length === 0 ? kind : `${kind} ${JSON.stringify(rest)}`;
}
