import { beforeAll, describe, expect, it } from 'vitest';
import { parseKeySet } from '#shared/issuer/index.ts';
import type { PoolName } from '#shared/ports.ts';
import { maintainIssuer, rollbackRotation } from '#shared/rotation/index.ts';
import { createTokenVerifier } from '#shared/tokens/index.ts';
import { crashAfterSideEffects, SimulatedCrash } from './crashing-ports.ts';
import {
  createKeyPool,
  createWorld,
  type DriveOptions,
  driveRotation,
  ISSUER_ID,
  ISSUER_URL,
  type KeyPool,
  type StepRunner,
  type World,
} from './rotation-world.ts';

/**
 * The proof of issue 13: every workload pod's projected STS token, sampled after every step and every
 * move of the clock, against keys.json as the public URL serves it. STS rejects a token whose kid the
 * published keys.json lacks (or whose signature it cannot verify): the count must be 0 in every scenario,
 * and the emergency that drops the compromised key without the refresh phase shows the outage it prevents.
 */

/** Token lifetime of the workload pods: kubelet refreshes at 80 % (48 min). */
const TOKEN_TTL_SECONDS = 3600;
/** Grace ≥ the token lifetime, as the stability gate's token-lifetime check demands. */
const GRACE_SECONDS = 2 * 3600;
const CLUSTER = { workloads: 6, workerNodes: 2, tokenTtlSeconds: TOKEN_TTL_SECONDS, nodeRebootSeconds: 5 };

let pool: KeyPool;

beforeAll(async () => {
  pool = await createKeyPool(8);
});

/** Samples every workload token against the public keys.json; counts those STS would reject. */
interface TokenSampler {
  sample(): Promise<void>;
  readonly samples: number;
  readonly rejected: number;
  /** A few rejected tokens, for the report: `workload-1 on worker-0: kid K (not in keys.json) at T`. */
  readonly examples: string[];
  /** The last sample of every pod, for the report: `workload-0 on worker-0: kid K, expires T`. */
  readonly last: string[];
  /** One line for the scenario's report. */
  report(scenario: string): string;
}

function createTokenSampler(world: World): TokenSampler {
  const examples: string[] = [];
  const last: string[] = [];
  const sampler = {
    samples: 0,
    rejected: 0,
    examples,
    last,
    async sample() {
      const view = await world.publisher.readPublic(ISSUER_URL);
      const verifier = createTokenVerifier({ keySet: parseKeySet(view.keySet), issuer: ISSUER_URL });
      const now = world.clock.now();
      last.length = 0;
      for (const workload of await world.model.workloadTokens()) {
        last.push(
          `${workload.pod} on ${workload.nodeName}: kid ${workload.kid}, expires ${workload.expiresAt.toISOString()}`,
        );
        sampler.samples += 1;
        const accepted = await verifier.verify(workload.token, now).then(
          () => true,
          () => false,
        );
        if (accepted) continue;
        sampler.rejected += 1;
        if (examples.length < 3) {
          const why = view.kids.includes(workload.kid) ? 'does not verify' : 'not in keys.json';
          examples.push(
            `${workload.pod} on ${workload.nodeName}: kid ${workload.kid} (${why}) at ${now.toISOString()}`,
          );
        }
      }
    },
    report(scenario: string) {
      const shown = examples.length === 0 ? '' : `; e.g. ${examples.join('; ')}`;
      const samples = last.slice(0, 2).join('; ');
      return `${scenario}: ${sampler.samples} workload token samples, rejected by STS: ${sampler.rejected}${shown} (last samples: ${samples})`;
    },
  };
  return sampler;
}

/** After the rotation: time goes on past the grace, maintenance runs every 10 min, tokens sampled each minute. */
async function runOutGrace(world: World, sampler: TokenSampler): Promise<void> {
  for (let minute = 0; minute <= (GRACE_SECONDS + 3600) / 60; minute += 1) {
    world.clock.advance(60_000);
    if (minute % 10 === 0) await maintainIssuer(world.ports, { issuerId: ISSUER_ID });
    await world.check();
    await sampler.sample();
  }
}

async function createSampledWorld(tokenRefresh: 'wait' | 'reboot') {
  const world = await createWorld({
    pool,
    policy: { graceSeconds: GRACE_SECONDS, tokenRefresh },
    cluster: CLUSTER,
  });
  const sampler = createTokenSampler(world);
  await sampler.sample();
  return { world, sampler };
}

async function rotateSampled(world: World, sampler: TokenSampler, options: DriveOptions): Promise<void> {
  await driveRotation(world, { ...options, onProgress: () => sampler.sample() });
}

async function poolNumbers(world: World): Promise<Record<PoolName, number>> {
  const number = async (pool: PoolName) => (await world.ports.cluster.readPoolReboot(pool)).rebootNumber;
  return { worker: await number('worker'), master: await number('master') };
}

async function initialKid(world: World): Promise<string> {
  return (await world.keyring()).keys[0]?.kid ?? '';
}

describe('workload tokens throughout a rotation (NO-ORPHAN-TOKENS)', () => {
  it.each(['reboot', 'wait'] as const)(
    'rejects no workload token during a scheduled rotation with tokenRefresh %s (NO-ORPHAN-TOKENS)',
    async (tokenRefresh) => {
      // Prepare
      const { world, sampler } = await createSampledWorld(tokenRefresh);

      // Act
      await rotateSampled(world, sampler, { rotationId: 's1', mode: 'scheduled' });
      await runOutGrace(world, sampler);

      // Assess
      console.log(sampler.report(`scheduled, tokenRefresh ${tokenRefresh}`));
      expect(sampler.samples).toBeGreaterThan(100);
      expect(sampler.rejected).toBe(0);
      expect((await world.keyring()).keys.filter((key) => key.state === 'removed')).toHaveLength(1);
    },
  );

  it('rejects no workload token during an emergency rotation, which reboots before the compromised key goes (NO-ORPHAN-TOKENS)', async () => {
    // Prepare
    const { world, sampler } = await createSampledWorld('wait');
    const compromisedKid = await initialKid(world);
    const before = await poolNumbers(world);

    // Act
    await rotateSampled(world, sampler, { rotationId: 'e1', mode: 'emergency', compromisedKid });

    // Assess: gone at once after the refresh phase, and no pod was cut off on the way.
    console.log(sampler.report('emergency (reboot)'));
    const keyring = await world.keyring();
    expect(keyring.keys.find((key) => key.kid === compromisedKid)).toMatchObject({
      state: 'removed',
      tokensRefreshedAt: expect.any(String),
    });
    expect((await world.publisher.readPublic(ISSUER_URL)).kids).not.toContain(compromisedKid);
    expect(await poolNumbers(world)).toEqual({ worker: before.worker + 1, master: before.master + 1 });
    expect(world.audit).toContainEqual(
      expect.objectContaining({
        step: 'retire',
        kid: compromisedKid,
        detail: expect.stringContaining('removed after every node rebooted'),
      }),
    );
    expect(sampler.rejected).toBe(0);
  });

  it('shows the outage the refresh phase prevents: an emergency with --no-reboot cuts pods off STS (NO-ORPHAN-TOKENS exception)', async () => {
    // Prepare
    const { world, sampler } = await createSampledWorld('wait');
    const compromisedKid = await initialKid(world);

    // Act: tokenRefresh wait is what `keyturn rotate --emergency KID --no-reboot` asks for.
    await rotateSampled(world, sampler, {
      rotationId: 'e1',
      mode: 'emergency',
      compromisedKid,
      tokenRefresh: 'wait',
    });
    for (let minute = 0; minute < 60; minute += 1) {
      world.clock.advance(60_000);
      await sampler.sample();
    }

    // Assess
    console.log(sampler.report('emergency --no-reboot'));
    expect(sampler.rejected).toBeGreaterThan(0);
    expect(sampler.examples[0]).toContain(`kid ${compromisedKid} (not in keys.json)`);
  });

  it('rejects no workload token when a rotation is rolled back after its push (NO-ORPHAN-TOKENS)', async () => {
    // Prepare: the rotation stops after the rollout, as a failed verification would leave it.
    const { world, sampler } = await createSampledWorld('reboot');
    await rotateSampled(world, sampler, { rotationId: 'r1', stopBefore: 'verify' });

    // Act
    await rollbackRotation(world.ports, {
      issuerId: ISSUER_ID,
      rotationId: 'r1',
      reason: 'verification failed',
    });
    await runOutGrace(world, sampler);

    // Assess
    console.log(sampler.report('rolled back, tokenRefresh reboot'));
    expect((await world.keyring()).lastRotation).toMatchObject({ id: 'r1', outcome: 'rolled-back' });
    expect(sampler.rejected).toBe(0);
  });

  it('rejects no workload token and reboots every pool once when the refresh phase crashes and the rotation is resumed (RETRY-SAFE, RECOVERABLE)', async () => {
    // Prepare: learn which side effect requests the first reboot, then crash right after it.
    const counting = await createSampledWorld('reboot');
    const counter = crashAfterSideEffects(counting.world.ports, 0);
    await driveRotation(counting.world, { rotationId: 'c0', run: (step) => step(counter) });
    const crashAt = counter.performed.indexOf('cluster.requestPoolReboot') + 1;
    expect(crashAt).toBeGreaterThan(0);
    const { world, sampler } = await createSampledWorld('reboot');
    const before = await poolNumbers(world);
    const crashing = crashAfterSideEffects(world.ports, crashAt);
    let crashed = false;
    const run: StepRunner = async (step) => {
      try {
        return await step(crashed ? world.ports : crashing);
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
        crashed = true;
        throw error;
      }
    };

    // Act: the run dies right after asking for the worker reboot; the same command is run again.
    await expect(rotateSampled(world, sampler, { rotationId: 'c1', run })).rejects.toThrow(SimulatedCrash);
    expect((await world.keyring()).rotation).toMatchObject({ id: 'c1', rebootTargets: expect.any(Object) });
    await rotateSampled(world, sampler, { rotationId: 'c1' });
    await runOutGrace(world, sampler);

    // Assess
    console.log(sampler.report('interrupted in the refresh phase, resumed'));
    expect(crashed).toBe(true);
    expect(await poolNumbers(world)).toEqual({ worker: before.worker + 1, master: before.master + 1 });
    expect((await world.keyring()).lastRotation).toMatchObject({ id: 'c1', outcome: 'succeeded' });
    expect(sampler.rejected).toBe(0);
  });
});
