import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type ClusterModel, createClusterModel } from '#local/openshift-sim/cluster-model.ts';
import { createSimulatedClusterSigner } from '#local/openshift-sim/simulated-cluster-signer.ts';
import {
  createManualClock,
  createMemoryAuditLog,
  createMemoryKeyringStore,
  createMemoryPublisher,
  createMemoryVault,
  type ManualClock,
} from '#shared/adapters/memory/index.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import { generateSigningKeyPair, type PrivateSigningKey, type RsaBits } from '#shared/keys/index.ts';
import type { AuditLog, KeyringStore, RotationPorts } from '#shared/ports.ts';
import { INITIAL_SLOT, initIssuer } from '#shared/rotation/index.ts';
import { ROTATION_TASKS, type RotationTask } from '#shared/workflow-tasks.ts';
import { callRotationStep, driveRotationTasks } from '#test/shared/rotation/drive-rotation.ts';
import { median, timeAsync } from './measure.ts';
import { type BenchRow, type BenchSection, type Formatter, formatMs, progress } from './report.ts';

/**
 * The simulated cluster: 3 control-plane nodes that roll to a new revision in 0 simulated seconds, so
 * watch-rollout and verify succeed on their first poll: the figures are the floor, and every further
 * poll a slower rollout needs costs about one watch-rollout call more.
 */
const NODES = 3;
const NODE_ROLLOUT_SECONDS = 0;
/** Simulated time between two polls of a polling step (the manual clock moves; nothing waits). */
const POLL_INTERVAL_MS = 1000;
/** A rotation that needs more polls than this is broken, not slow. */
const MAX_POLLS = 100;

/**
 * Per key size: keys generated one at a time (timed: the cost the engine figures exclude; the keys then
 * form the pool the vault hands out), and rotations run untimed first, then timed.
 */
const PER_KEY_SIZE: ReadonlyArray<{
  readonly bits: RsaBits;
  readonly keys: number;
  readonly warmup: number;
  readonly samples: number;
}> = [
  { bits: 2048, keys: 15, warmup: 10, samples: 60 },
  { bits: 4096, keys: 4, warmup: 3, samples: 25 },
];

/** Issuers rotated in one process, sequentially and `FLEET_CONCURRENCY` at a time, with RSA 2048 keys. */
const ISSUER_COUNTS = [1, 10, 100, 1000] as const;
const FLEET_CONCURRENCY = 10;
const FLEET_BITS: RsaBits = 2048;

/** The timed steps: the rotation workflow's tasks, in its order. */
const STEPS = ROTATION_TASKS;
type StepName = RotationTask;

const PORTS = ['store', 'publisher', 'cluster', 'vault', 'audit'] as const;
type PortName = (typeof PORTS)[number];

const PORT_LABELS: Readonly<Record<PortName, string>> = {
  store: 'KeyringStore (memory)',
  publisher: 'IssuerPublisher (memory)',
  cluster: 'ClusterSigner (simulated OpenShift)',
  vault: 'KeyVault (memory, pooled keys)',
  audit: 'AuditLog (memory)',
};

/** Pre-generated keys of one size; the vault takes them instead of generating. */
interface KeyPool {
  readonly bits: RsaBits;
  readonly keys: readonly PrivateSigningKey[];
}

/** Time spent inside each port's calls, accumulated while a rotation runs. */
interface PortMeter {
  readonly ms: Record<PortName, number>;
  readonly calls: Record<PortName, number>;
}

/** One issuer: its ports over in-memory adapters and its own simulated cluster and clock. */
interface World {
  readonly issuerId: string;
  readonly ports: RotationPorts;
  readonly clock: ManualClock;
  readonly model: ClusterModel;
  /** The store itself, not metered: for the checks after a rotation. */
  readonly store: KeyringStore;
}

interface StepTiming {
  ms: number;
  /** Of `ms`, the time spent inside port calls. */
  portMs: number;
  calls: number;
}

/** How one rotation went. */
interface RotationTiming {
  readonly kid: string;
  readonly totalMs: number;
  readonly steps: Readonly<Record<StepName, StepTiming>>;
}

/** One timed rotation of a one-issuer world, with the time inside each port. */
interface RotationSample extends RotationTiming {
  readonly portMs: Readonly<Record<PortName, number>>;
  readonly portCalls: Readonly<Record<PortName, number>>;
}

/**
 * What one key rotation costs the engine itself, with fakes for everything outside it, and how that
 * grows with the number of issuers one process rotates.
 */
export async function run(): Promise<BenchSection[]> {
  const pools = new Map<RsaBits, KeyPool>();
  const generation = new Map<RsaBits, number[]>();
  const rotations = new Map<RsaBits, RotationSample[]>();
  for (const size of PER_KEY_SIZE) {
    progress(`rotation engine: generating ${size.keys} RSA ${size.bits} keys one at a time (the key pool)`);
    const { pool, samples } = await generatePool(size.bits, size.keys);
    pools.set(size.bits, pool);
    generation.set(size.bits, samples);
    progress(`rotation engine: ${size.warmup} + ${size.samples} rotations with RSA ${size.bits} keys`);
    rotations.set(size.bits, await sampleRotations(pool, size.warmup, size.samples));
  }
  const fleetPool = pools.get(FLEET_BITS);
  if (fleetPool === undefined) throw new Error(`no RSA ${FLEET_BITS} key pool`);
  const fleet = await measureFleet(fleetPool);
  return [stepSection(rotations, generation), portSection(rotations), fleet];
}

// --- Setup -------------------------------------------------------------------------------------------

async function generatePool(bits: RsaBits, count: number): Promise<{ pool: KeyPool; samples: number[] }> {
  const keys: PrivateSigningKey[] = [];
  const samples: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const { result, ms } = await timeAsync(() => generateSigningKeyPair(bits));
    keys.push(result);
    samples.push(ms);
  }
  return { pool: { bits, keys }, samples };
}

/**
 * Issuer `index` takes pool keys from `index` on, so its first key and its next key always differ; the
 * pool's keys are shared between issuers, which never see each other's keys.
 */
function takeKeys(pool: KeyPool, index: number): () => Promise<PrivateSigningKey> {
  let next = index;
  return async () => {
    const key = pool.keys[next % pool.keys.length];
    next += 1;
    if (key === undefined) throw new Error('empty key pool');
    return key;
  };
}

/**
 * Creates issuer `issuer-<index>` in `store` with its first key active and published, and a simulated
 * cluster installed with that key. With a meter, the returned ports time every call into it.
 */
async function createWorld(options: {
  readonly index: number;
  readonly pool: KeyPool;
  readonly store: KeyringStore;
  readonly audit: AuditLog;
  readonly meter?: PortMeter;
}): Promise<World> {
  const { index, pool, store, audit, meter } = options;
  const clock = createManualClock(new Date('2026-03-01T00:00:00.000Z'));
  const vault = createMemoryVault({ generate: takeKeys(pool, index) });
  const publisher = createMemoryPublisher({ clock });
  const base = { vault, store, publisher, clock, audit, actor: 'bench' };
  const issuerUrl = `https://oidc.bench.example/issuer-${index}`;
  // A 60 s stable period (as the tests' world has) keeps AwaitStability's polls within MAX_POLLS: the
  // clock moves one POLL_INTERVAL_MS per poll; the default 300 s would need more polls than the rollout.
  const { issuerId } = await initIssuer(base, {
    issuerUrl,
    policy: { keyBits: pool.bits, stablePeriodSeconds: 60 },
  });
  clock.advance(1000);
  const model = createClusterModel({
    issuerUrl,
    initialKey: await vault.open(`${issuerId}/${INITIAL_SLOT}`),
    nodes: NODES,
    nodeRolloutSeconds: NODE_ROLLOUT_SECONDS,
    clock,
    generateKey: async () => {
      throw new Error('the simulated operator generated a key of its own: the next secret was lost');
    },
    sleep: async () => undefined,
  });
  const cluster = createSimulatedClusterSigner(model);
  const ports: RotationPorts =
    meter === undefined
      ? { ...base, cluster }
      : {
          vault: metered(vault, 'vault', meter),
          store: metered(store, 'store', meter),
          publisher: metered(publisher, 'publisher', meter),
          cluster: metered(cluster, 'cluster', meter),
          clock,
          audit: metered(audit, 'audit', meter),
          actor: 'bench',
        };
  return { issuerId, ports, clock, model, store };
}

function createMeter(): PortMeter {
  const zero = () => ({ store: 0, publisher: 0, cluster: 0, vault: 0, audit: 0 });
  return { ms: zero(), calls: zero() };
}

function meteredMs(meter: PortMeter | undefined): number {
  return meter === undefined ? 0 : PORTS.reduce((sum, port) => sum + meter.ms[port], 0);
}

/** The same object with every method timed into `meter` (the adapters are closures, so no `this`). */
function metered<T extends object>(target: T, port: PortName, meter: PortMeter): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      wrapped[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => unknown;
    wrapped[name] = async (...args: unknown[]) => {
      const start = performance.now();
      try {
        return await method(...args);
      } finally {
        meter.ms[port] += performance.now() - start;
        meter.calls[port] += 1;
      }
    };
  }
  return wrapped as T;
}

// --- One rotation ------------------------------------------------------------------------------------

/**
 * Runs one whole rotation through the real steps, as the workflow does (the tests' driveRotationTasks):
 * prepare, generate, publish, poll confirm-visible, jump the clock over the lead time, push, poll the
 * rollout, verify, activate. Polling advances the manual clock by {@link POLL_INTERVAL_MS}; nothing
 * waits for real time.
 */
async function rotate(world: World, rotationId: string, meter?: PortMeter): Promise<RotationTiming> {
  const { ports, clock } = world;
  const steps = Object.fromEntries(STEPS.map((step) => [step, { ms: 0, portMs: 0, calls: 0 }])) as Record<
    StepName,
    StepTiming
  >;
  const timed = async <T>(step: StepName, call: () => Promise<T>): Promise<T> => {
    const portsBefore = meteredMs(meter);
    const start = performance.now();
    try {
      return await call();
    } finally {
      const timing = steps[step];
      timing.ms += performance.now() - start;
      timing.portMs += meteredMs(meter) - portsBefore;
      timing.calls += 1;
    }
  };
  const request = { issuerId: world.issuerId, rotationId, mode: 'scheduled' } as const;
  const start = performance.now();
  const results = await driveRotationTasks({
    run: (task) => timed(task, () => callRotationStep(task, ports, request)),
    clock,
    maxPolls: MAX_POLLS,
    pollIntervalMs: POLL_INTERVAL_MS,
  });
  const totalMs = performance.now() - start;
  const kid = results.generate?.kid;
  if (kid === undefined) throw new Error(`${world.issuerId}: rotation ${rotationId} generated no key`);
  return { kid, totalMs, steps };
}

/** Throws unless the rotation ended with `kid` active in the keyring and signing on every node. */
async function assertActivated(world: World, rotationId: string, kid: string): Promise<void> {
  const keyring = (await world.store.read(world.issuerId))?.keyring;
  const last = keyring?.lastRotation;
  const fail = (why: string): never => {
    throw new Error(`${world.issuerId}, rotation ${rotationId}: new key ${kid} not activated: ${why}`);
  };
  if (keyring === undefined) return fail('no keyring');
  if (keyring.rotation !== undefined) fail(`rotation ${keyring.rotation.id} still in flight`);
  if (last?.id !== rotationId || last.outcome !== 'succeeded' || last.newKid !== kid) {
    fail(`last rotation is ${JSON.stringify(last)}`);
  }
  const active = activeKey(keyring)?.kid;
  if (active !== kid) fail(`the active key is ${active}`);
  const nodes = world.model.describeNodes().filter((node) => node.signingKid !== kid);
  if (nodes.length > 0) fail(`${nodes.map((node) => node.name).join(', ')} still sign with another key`);
}

// --- Per rotation ------------------------------------------------------------------------------------

/** Rotates `warmup + samples` fresh one-issuer worlds (set up untimed) and keeps the last `samples`. */
async function sampleRotations(pool: KeyPool, warmup: number, samples: number): Promise<RotationSample[]> {
  const kept: RotationSample[] = [];
  for (let index = 0; index < warmup + samples; index += 1) {
    const meter = createMeter();
    const world = await createWorld({
      index,
      pool,
      store: createMemoryKeyringStore(),
      audit: createMemoryAuditLog(),
      meter,
    });
    const rotationId = `rotation-${index}`;
    const timing = await rotate(world, rotationId, meter);
    await assertActivated(world, rotationId, timing.kid);
    if (index >= warmup) kept.push({ ...timing, portMs: { ...meter.ms }, portCalls: { ...meter.calls } });
  }
  return kept;
}

function stepSection(
  rotations: ReadonlyMap<RsaBits, readonly RotationSample[]>,
  generation: ReadonlyMap<RsaBits, readonly number[]>,
): BenchSection {
  const sizes = PER_KEY_SIZE.map((size) => size.bits);
  const first = rotations.get(sizes[0] ?? FLEET_BITS) ?? [];
  const perSize = (pick: (sample: RotationSample) => number) =>
    Object.fromEntries(
      sizes.flatMap((bits) => {
        const values = (rotations.get(bits) ?? []).map(pick);
        return [
          [`rsa${bits}MedianMs`, median(values)],
          [`rsa${bits}P95Ms`, percentile(values, 0.95)],
        ];
      }),
    );
  const engineShare = (step: StepName | undefined) =>
    Object.fromEntries(
      sizes.map((bits) => {
        const samples = rotations.get(bits) ?? [];
        const part = (sample: RotationSample) =>
          step === undefined
            ? sample.totalMs - PORTS.reduce((sum, port) => sum + sample.portMs[port], 0)
            : sample.steps[step].ms - sample.steps[step].portMs;
        return [`rsa${bits}OutsidePortsMedianMs`, median(samples.map(part))];
      }),
    );
  const rows: BenchRow[] = [
    ...STEPS.map((step) => ({
      step,
      calls: median(first.map((sample) => sample.steps[step].calls)),
      ...perSize((sample) => sample.steps[step].ms),
      ...engineShare(step),
    })),
    {
      step: 'whole rotation',
      calls: median(first.map((sample) => STEPS.reduce((sum, step) => sum + sample.steps[step].calls, 0))),
      ...perSize((sample) => sample.totalMs),
      ...engineShare(undefined),
    },
  ];
  const figures = Object.fromEntries(
    PER_KEY_SIZE.flatMap((size) => {
      const samples = generation.get(size.bits) ?? [];
      return [
        [
          `keyGeneration${size.bits}MedianMs`,
          {
            label: `not in the figures above: RSA ${size.bits} key generation, median of ${samples.length} (min ${formatMs(Math.min(...samples))}, max ${formatMs(Math.max(...samples))})`,
            value: median(samples),
            format: formatMs,
          },
        ],
      ];
    }),
  );
  const pollCost = sizes
    .map((bits) => {
      const samples = rotations.get(bits) ?? [];
      const perCall = samples.map(
        (sample) => sample.steps['watch-rollout'].ms / sample.steps['watch-rollout'].calls,
      );
      return `${formatMs(median(perCall))} at RSA ${bits}`;
    })
    .join(', ');
  return {
    id: 'steps',
    title: `Rotation engine overhead per rotation (real steps, in-memory adapters, simulated ${NODES}-node OpenShift)`,
    columns: [
      { key: 'step', label: 'step' },
      { key: 'calls', label: 'calls' },
      ...sizes.flatMap((bits) => [
        { key: `rsa${bits}MedianMs`, label: `${bits} median`, format: formatMs },
        { key: `rsa${bits}P95Ms`, label: `${bits} p95`, format: formatMs },
        { key: `rsa${bits}OutsidePortsMedianMs`, label: `${bits} outside ports`, format: formatMs },
      ]),
    ],
    rows,
    figures,
    notes: [
      `timed: ${PER_KEY_SIZE.map((size) => `${size.samples} rotations at RSA ${size.bits}`).join(', ')}, after ${PER_KEY_SIZE.map((size) => size.warmup).join(' and ')} untimed;`,
      '  each rotation on a fresh issuer with one active key (set up untimed)',
      `nodes roll in ${NODE_ROLLOUT_SECONDS} simulated s, so watch-rollout and verify succeed at their first call; each`,
      `  further poll of a slower rollout adds about one watch-rollout call (${pollCost})`,
      'the lead time is jumped over on the manual clock; the simulated API sleep is a no-op',
      "calls: step calls per rotation; per-step medians do not add up to the whole rotation's median",
      "outside ports: a step's time minus its time inside port calls, i.e. the engine's own code (keyring",
      '  queries, buildKeySet, parseKeySet, the jose signature check in verify)',
      'the vault hands out keys from a pool generated first, one at a time: those runs are the key generation figures',
    ],
  };
}

function portSection(rotations: ReadonlyMap<RsaBits, readonly RotationSample[]>): BenchSection {
  const sizes = PER_KEY_SIZE.map((size) => size.bits);
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const meanTotal = new Map(
    sizes.map((bits) => [bits, mean((rotations.get(bits) ?? []).map((s) => s.totalMs))]),
  );
  const part = (
    label: string,
    calls: number | string,
    pick: (sample: RotationSample) => number,
  ): BenchRow => ({
    part: label,
    calls,
    ...Object.fromEntries(
      sizes.flatMap((bits) => {
        const value = mean((rotations.get(bits) ?? []).map(pick));
        return [
          [`rsa${bits}MeanMs`, value],
          [`rsa${bits}Share`, value / (meanTotal.get(bits) ?? Number.NaN)],
        ];
      }),
    ),
  });
  const first = rotations.get(sizes[0] ?? FLEET_BITS) ?? [];
  const portRows = PORTS.map((port) =>
    part(
      PORT_LABELS[port],
      median(first.map((sample) => sample.portCalls[port])),
      (sample) => sample.portMs[port],
    ),
  );
  const engineRow = part(
    "engine's own code (the rest)",
    '',
    (sample) => sample.totalMs - PORTS.reduce((sum, port) => sum + sample.portMs[port], 0),
  );
  const rows = [...portRows, engineRow];
  const ranked = (bits: RsaBits) =>
    [...rows]
      .sort((a, b) => Number(b[`rsa${bits}MeanMs`]) - Number(a[`rsa${bits}MeanMs`]))
      .slice(0, 2)
      .map((row) => `${row.part} ${formatShare(Number(row[`rsa${bits}Share`]))}`)
      .join(', then ');
  return {
    id: 'ports',
    title: 'Where a rotation spends its time (mean per rotation, summed over calls, same runs as above)',
    columns: [
      { key: 'part', label: 'part' },
      { key: 'calls', label: 'calls' },
      ...sizes.flatMap((bits) => [
        { key: `rsa${bits}MeanMs`, label: `${bits} mean`, format: formatMs },
        { key: `rsa${bits}Share`, label: `${bits} share`, format: formatShare },
      ]),
    ],
    rows,
    notes: [
      ...sizes.map((bits) => `largest at RSA ${bits}: ${ranked(bits)}`),
      'ClusterSigner: the simulator: TokenRequest signing (a probe token in prepare and in each watch-rollout',
      '  poll, the verify token), PEM parsing of its secrets and configmaps, operator revisions; a real cluster',
      '  costs network round trips instead',
      'KeyringStore: each read parses the JSON and validates the zod schema; each update validates, serializes,',
      '  parses again (as the file and S3 stores do). IssuerPublisher: parseKeySet on publish and public reads',
      "engine's own code: buildKeySet on publish, parseKeySet in confirm-visible, push and verify, jose's check",
      'what dominates (node --cpu-prof of the RSA 2048 rotations, see bench/README.md): importing keys, about half',
      "  of the CPU time: the simulator re-parses its secrets' private key PEMs on push and on every operator pass",
      "  and its configmap's public PEMs on every read; parseKeySet imports every entry and recomputes its kid",
      '  (SPKI export + SHA-256). Then RSA signing of cluster tokens (~12 %; about 0.6 ms a token at 2048, 3 ms',
      "  at 4096), the simulator's object store (~8 %), the zod keyring schema (~7 %), gc (~6 %); jose's",
      '  signature check in verify is ~1 %',
    ],
  };
}

// --- Many issuers ------------------------------------------------------------------------------------

async function measureFleet(pool: KeyPool): Promise<BenchSection> {
  const gc = findGc();
  const rows: BenchRow[] = [];
  for (const issuers of ISSUER_COUNTS) {
    for (const concurrency of issuers === 1 ? [1] : [1, FLEET_CONCURRENCY]) {
      progress(
        `rotation engine: ${issuers} issuers, ${concurrency === 1 ? 'sequentially' : `${concurrency} at a time`}`,
      );
      rows.push(await rotateFleet(pool, issuers, concurrency, gc?.collect));
    }
  }
  return {
    id: 'issuers',
    title: `Rotating many issuers in one process (one rotation each, RSA ${pool.bits}, one shared keyring store)`,
    columns: [
      { key: 'issuers', label: 'issuers' },
      { key: 'mode', label: 'mode' },
      { key: 'setupMs', label: 'setup (untimed)', format: formatMs },
      { key: 'totalMs', label: 'rotations total', format: formatMs },
      { key: 'perRotationMs', label: 'per rotation', format: formatMs },
      { key: 'heapUsedBytes', label: 'heap used after', format: formatMegabytes },
      { key: 'heapPerIssuerBytes', label: 'heap per issuer', format: formatKilobytes },
    ],
    rows,
    notes: [
      'each issuer: its own keyring in ONE shared memory store, one shared audit log; its own vault, publisher,',
      `  manual clock and simulated ${NODES}-node cluster; setup (init issuer, install cluster) is not in the total`,
      `per rotation = total / issuers; ${FLEET_CONCURRENCY} at a time = ${FLEET_CONCURRENCY} rotations in flight on one event loop`,
      gc === undefined
        ? 'heap: process.memoryUsage().heapUsed with NO garbage collection first (gc not available): includes garbage'
        : `heap: process.memoryUsage().heapUsed after a full gc, every world still held; gc: ${gc.how}`,
      '  per issuer = (heap after - heap before setup) / issuers; at 1 and 10 issuers mostly noise',
      'every rotation is checked afterwards: its key active in the keyring and signing on every node',
    ],
  };
}

async function rotateFleet(
  pool: KeyPool,
  issuers: number,
  concurrency: number,
  collect: (() => void) | undefined,
): Promise<BenchRow> {
  collect?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const store = createMemoryKeyringStore();
  const audit = createMemoryAuditLog();
  const setupStart = performance.now();
  const worlds: World[] = [];
  for (let index = 0; index < issuers; index += 1) {
    worlds.push(await createWorld({ index, pool, store, audit }));
  }
  const setupMs = performance.now() - setupStart;
  const kids: string[] = [];
  const start = performance.now();
  await forEachBounded(worlds, concurrency, async (world, index) => {
    kids[index] = (await rotate(world, `rotation-${index}`)).kid;
  });
  const totalMs = performance.now() - start;
  for (const [index, world] of worlds.entries()) {
    await assertActivated(world, `rotation-${index}`, kids[index] ?? '');
  }
  if ((await store.list()).length !== issuers) throw new Error(`the store lost issuers`);
  collect?.();
  const heapUsedBytes = process.memoryUsage().heapUsed;
  // Keep every world reachable until the heap was measured.
  if (worlds.length !== issuers) throw new Error('lost worlds');
  return {
    issuers,
    mode: concurrency === 1 ? 'sequential' : `${concurrency} at a time`,
    setupMs,
    totalMs,
    perRotationMs: totalMs / issuers,
    heapUsedBytes,
    heapPerIssuerBytes: (heapUsedBytes - heapBefore) / issuers,
  };
}

/** Calls `work` for every item, at most `limit` at once, in item order. */
async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * A full garbage collection: `global.gc` when node runs with --expose-gc, otherwise enabled at run time
 * (v8.setFlagsFromString, then `gc` from a fresh vm context, as Jest's --detectLeaks does).
 */
function findGc(): { collect: () => void; how: string } | undefined {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') {
    return { collect: () => exposed(), how: 'global.gc (node --expose-gc)' };
  }
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    if (typeof gc === 'function') {
      return { collect: () => gc(), how: 'enabled at run time (v8.setFlagsFromString)' };
    }
  } catch {
    // Not available in this runtime: heap figures then say so.
  }
  return undefined;
}

// --- Formatting --------------------------------------------------------------------------------------

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN
  );
}

const formatShare: Formatter = (value) => (Number.isNaN(value) ? '' : `${(value * 100).toFixed(1)} %`);
const formatMegabytes: Formatter = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const formatKilobytes: Formatter = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
