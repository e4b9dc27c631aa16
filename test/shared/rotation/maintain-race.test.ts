/**
 * Maintenance racing a rotation (issue 16, item 1): the hourly maintenance may run while a rotation, or an
 * emergency rotation, takes its steps. Every port call of a maintenance run is a point where another
 * process can get in, so the test starts maintenance before each rotation step in turn, pauses it before
 * each of its port calls, runs that rotation step in the gap, lets maintenance go on, and checks that
 * keys.json is exactly what the latest keyring revision publishes and that every invariant holds. Each
 * (pause point × step) pair is one interleaving; so is each (pause point × that step and every step after
 * it), for a maintenance slow enough to span the rest of the rotation (the workflow runs an emergency's
 * last steps and its Maintain back to back: that is how a compromised key came back). The steps are the
 * rotation driver's (drive-rotation.ts): a polled task is one step.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyringConflictError } from '#shared/keyring/errors.ts';
import { activeKey, buildIssuerDocuments } from '#shared/keyring/queries.ts';
import { maintainIssuer } from '#shared/rotation/index.ts';
import type { RotationRequest } from './drive-rotation.ts';
import { type BeforeStep, driveSteps, pausingPorts } from './rotation-race.ts';
import {
  createKeyPool,
  createWorld,
  ISSUER_ID,
  ISSUER_URL,
  type KeyPool,
  type World,
} from './rotation-world.ts';

let pool: KeyPool;
beforeAll(async () => {
  pool = await createKeyPool(6);
});

type Mode = 'manual' | 'emergency';

/** The port calls every maintenance makes, whatever it finds: it reads the keyring and the public copy. */
const READS = ['store.read', 'publisher.readPublic'];

/** A new world and the request of its rotation (an emergency names the active key as compromised). */
async function startRace(mode: Mode): Promise<{ world: World; request: RotationRequest }> {
  const world = await createWorld({ pool });
  const compromisedKid = activeKey(await world.keyring())?.kid ?? '';
  const request: RotationRequest = { issuerId: ISSUER_ID, rotationId: 'race', mode };
  return { world, request: mode === 'emergency' ? { ...request, compromisedKid } : request };
}

/** What is wrong with keys.json and the invariants now; empty when all is well. */
async function problems(world: World): Promise<string[]> {
  const expected = buildIssuerDocuments(await world.keyring()).keySet;
  const published = world.publisher.origin(ISSUER_URL)?.keySet;
  const differs =
    published === expected
      ? []
      : [
          `keys.json ${kidsOf(published)} is not what the latest keyring revision publishes ${kidsOf(expected)}`,
        ];
  const violations = await world.violations();
  return [...differs, ...violations.map((violation) => `${violation.invariant}: ${violation.message}`)];
}

function kidsOf(keySet: string | undefined): string {
  if (keySet === undefined) return '(none)';
  const kids = (JSON.parse(keySet) as { keys: { kid: string }[] }).keys.map((key) => key.kid.slice(0, 8));
  return `[${kids.join(', ')}]`;
}

/** Ends a drive early, once what the test wanted from it is known. */
class StopDrive extends Error {}

/** The steps of an undisturbed rotation, and the port calls a maintenance makes before each of them. */
async function measure(mode: Mode): Promise<{ steps: string[]; calls: string[][] }> {
  const { world, request } = await startRace(mode);
  const steps = await driveSteps(world, request, async () => undefined);
  const calls: string[][] = [];
  for (const [first] of steps.entries()) {
    const race = await startRace(mode);
    await driveSteps(race.world, race.request, async (index) => {
      if (index !== first) return;
      const counting = pausingPorts(race.world.ports, 0, async () => undefined);
      await maintainIssuer(counting.ports, { issuerId: ISSUER_ID });
      calls.push(counting.calls);
      throw new StopDrive();
    }).catch((error: unknown) => {
      if (!(error instanceof StopDrive)) throw error;
    });
  }
  return { steps, calls };
}

/** One interleaving: the steps `first..last` run while maintenance waits before its `pauseBefore`-th call. */
interface Interleaving {
  readonly first: number;
  readonly last: number;
  readonly pauseBefore: number;
}

/** Runs one interleaving and the rest of the rotation; every problem seen, named after the interleaving. */
async function raceOnce(mode: Mode, steps: readonly string[], race: Interleaving, callName: string) {
  const { world, request } = await startRace(mode);
  const where = `${mode}: ${steps.slice(race.first, race.last + 1).join('+')} while maintenance waits before call ${race.pauseBefore} (${callName})`;
  const found: string[] = [];
  let resume: () => void = () => undefined;
  const resumed = new Promise<void>((resolve) => {
    resume = resolve;
  });
  let maintenance: Promise<void> = Promise.resolve();
  const finishMaintenance = async () => {
    resume();
    // A maintenance whose compare-and-swap lost to the rotation fails; the next run starts afresh.
    await maintenance.catch((error: unknown) => {
      if (!(error instanceof KeyringConflictError)) throw error;
    });
  };
  const beforeStep: BeforeStep = async (index) => {
    if (index === race.first) {
      let paused: () => void = () => undefined;
      const pausing = new Promise<void>((resolve) => {
        paused = resolve;
      });
      const pausable = pausingPorts(world.ports, race.pauseBefore, async () => {
        paused();
        await resumed;
      });
      maintenance = maintainIssuer(pausable.ports, { issuerId: ISSUER_ID }).then(() => undefined);
      const reached = await Promise.race([pausing.then(() => true), maintenance.then(() => false)]);
      if (!reached) found.push(`${where}: maintenance ended without making call ${race.pauseBefore}`);
    } else if (index === race.last + 1) {
      await finishMaintenance();
      found.push(...(await problems(world)).map((problem) => `${where}: ${problem}`));
      // From here on it is a rotation without a race (rotation.test.ts covers it).
      throw new StopDrive();
    }
  };
  await driveSteps(world, request, beforeStep).catch(async (error: unknown) => {
    if (error instanceof StopDrive) return;
    await finishMaintenance();
    found.push(`${where}: the rotation failed: ${(error as Error).message}`);
  });
  return found;
}

/** Every interleaving of one maintenance with the steps of the rotation; the counts and the problems. */
async function raceEveryStep(mode: Mode) {
  const { steps, calls } = await measure(mode);
  let interleavings = 0;
  const found: string[] = [];
  for (const [first, pauses] of calls.entries()) {
    for (const last of new Set([first, steps.length - 1])) {
      for (const [call, callName] of pauses.entries()) {
        interleavings += 1;
        found.push(...(await raceOnce(mode, steps, { first, last, pauseBefore: call + 1 }, callName)));
      }
    }
  }
  const pausesPerStep = steps.map((step, first) => `${step} ${calls[first]?.length}`).join(', ');
  console.log(
    `${mode} rotation × maintenance: ${interleavings} interleavings (pause points before each step: ${pausesPerStep})`,
  );
  return { steps, calls, interleavings, found };
}

/** Σ over the steps of its pause points × 2 (that step alone, or it and the rest), × 1 for the last step. */
function expectedInterleavings(steps: readonly string[], calls: readonly string[][]): number {
  return calls.reduce((sum, pauses, first) => sum + pauses.length * (first < steps.length - 1 ? 2 : 1), 0);
}

describe('maintainIssuer racing a rotation', () => {
  it('keeps keys.json what the latest keyring revision publishes at every interleaving with a manual rotation (ALWAYS-VALID, NO-ORPHAN-TOKENS)', async () => {
    // Prepare, Act
    const { steps, calls, interleavings, found } = await raceEveryStep('manual');

    // Assess
    expect(found).toEqual([]);
    expect(steps.slice(0, 3)).toEqual(['prepare', 'generate', 'publish']);
    expect(steps).toContain('confirm-visible');
    expect(steps.at(-1)).toBe('activate');
    for (const pauses of calls) expect(pauses).toEqual(expect.arrayContaining(READS));
    expect(calls).toHaveLength(steps.length);
    expect(interleavings).toBe(expectedInterleavings(steps, calls));
  });

  it('never puts a compromised key back nor drops a new one at any interleaving with an emergency rotation (ALWAYS-VALID, NO-ORPHAN-TOKENS)', async () => {
    // Prepare, Act
    const { steps, calls, interleavings, found } = await raceEveryStep('emergency');

    // Assess
    expect(found).toEqual([]);
    expect(steps.slice(0, 3)).toEqual(['prepare', 'generate', 'publish']);
    expect(steps.at(-1)).toBe('maintain');
    for (const pauses of calls) expect(pauses).toEqual(expect.arrayContaining(READS));
    expect(calls).toHaveLength(steps.length);
    expect(interleavings).toBe(expectedInterleavings(steps, calls));
  });
});
