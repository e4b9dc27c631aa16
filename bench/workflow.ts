import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLocalRotation } from '#local/local-rotation.ts';
import {
  createLocalWorkflowRunner,
  type TaskHandler,
  type WorkflowEvent,
} from '#local/workflow/local-workflow-runner.ts';
import { createLocalPorts } from '#shared/adapters/local/index.ts';
import { initIssuer, type PrepareResult } from '#shared/rotation/index.ts';
import { taskResource } from '#shared/workflow-tasks.ts';
import { median } from './measure.ts';
import { type BenchRow, type BenchSection, formatMs, progress } from './report.ts';

/** The local rotation measured: a 1 s lead time and the simulator's 3 nodes rolling 1 s each. */
const LEAD_TIME_SECONDS = 1;
const NODES = 3;
const NODE_ROLLOUT_SECONDS = 1;
/** The simulator rolls the nodes out twice: the new key trusted everywhere, then signing everywhere. */
const ROLLOUTS = 2;
const FLOOR_MS = (LEAD_TIME_SECONDS + ROLLOUTS * NODES * NODE_ROLLOUT_SECONDS) * 1000;
/** keyturn's own share above the floor may be at most this fraction of it (issue 6). */
const BUDGET = 0.1;
/** Rotations per poll-wait scale; each takes the floor plus a few hundred ms. */
const RUNS_PER_SCALE = 3;
/** runLocalRotation's default (10 s poll waits → 0.5 s), and a tighter one for comparison. */
const WAIT_SCALES = [0.02, 0.05, 0.01] as const;

/** Workflow steps shown: the Task states and the lead-time wait, as `keyturn rotate --local` shows them. */
const STEPS = [
  'Prepare',
  'Generate',
  'Publish',
  'ConfirmVisible',
  'WaitForLeadTime',
  'Push',
  'WatchRollout',
  'Verify',
  'Activate',
] as const;

/** Synthetic workflows timing the library alone: a chain of this many states, run this often. */
const CHAIN_LENGTH = 400;
const CHAIN_WARMUP = 3;
const CHAIN_SAMPLES = 10;

/** One step of one rotation: its wall time, split into handler time and poll waits. */
interface StepSample {
  ms: number;
  handlerMs: number;
  waitMs: number;
  calls: number;
}

/** One rotation, trigger to verified. */
interface RotationSample {
  readonly totalMs: number;
  readonly workflowMs: number;
  readonly transitions: number;
  readonly steps: Readonly<Record<string, StepSample>>;
}

/**
 * Local rotations end to end (the ASL file in aws-local-stepfunctions, the Lambda handlers, the local
 * backends, the simulated OpenShift over HTTP), what the workflow library costs per state transition, and
 * how far a rotation stays above its floor.
 */
export async function run(): Promise<BenchSection[]> {
  const byScale = new Map<number, RotationSample[]>();
  for (const scale of WAIT_SCALES) {
    progress(`workflow: ${RUNS_PER_SCALE} local rotations with poll waits scaled by ${scale}`);
    const samples: RotationSample[] = [];
    for (let index = 0; index < RUNS_PER_SCALE; index += 1) {
      samples.push(await rotateOnce(scale));
    }
    byScale.set(scale, samples);
  }
  progress(`workflow: ${CHAIN_SAMPLES} runs of ${CHAIN_LENGTH}-state synthetic workflows`);
  const overhead = await measureTransitions();
  const defaultScale = WAIT_SCALES[0];
  return [
    stepSection(byScale.get(defaultScale) ?? [], defaultScale),
    overheadSection(overhead, byScale.get(defaultScale) ?? []),
    floorSection(byScale),
  ];
}

// --- Local rotations ---------------------------------------------------------------------------------

async function rotateOnce(waitScale: number): Promise<RotationSample> {
  const home = await mkdtemp(join(tmpdir(), 'keyturn-bench-workflow-'));
  try {
    const issuerUrl = `http://127.0.0.1:${await freePort()}/bench`;
    const base = createLocalPorts({ home, cluster: undefined as never, actor: 'bench' });
    await initIssuer(base, { issuerUrl, policy: { keyBits: 2048, leadTimeSeconds: LEAD_TIME_SECONDS } });
    const events: WorkflowEvent[] = [];
    const result = await runLocalRotation({
      home,
      nodeRolloutSeconds: NODE_ROLLOUT_SECONDS,
      waitScale,
      onEvent: (event) => events.push(event),
    });
    if (result.verified === undefined || result.verified.kid === result.previousKid) {
      throw new Error('the rotation did not verify a token signed with the new key');
    }
    return {
      totalMs: result.elapsedMs,
      workflowMs: events.find((event) => event.type === 'execution-succeeded')?.elapsedMs ?? Number.NaN,
      transitions: events.filter((event) => event.type === 'state-entered').length,
      steps: splitBySteps(events),
    };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * Each state's time goes to the step last entered: the Choice, Pass and poll Wait states after a Task
 * are that step's polling, as the progress display folds them.
 */
function splitBySteps(events: readonly WorkflowEvent[]): Record<string, StepSample> {
  const steps: Record<string, StepSample> = Object.fromEntries(
    STEPS.map((step) => [step, { ms: 0, handlerMs: 0, waitMs: 0, calls: 0 }]),
  );
  let current: StepSample | undefined;
  for (const event of events) {
    if (event.type === 'state-entered' && event.state !== undefined && event.state in steps) {
      current = steps[event.state];
    }
    if (event.type !== 'state-exited' || current === undefined) continue;
    const ms = event.stateElapsedMs ?? 0;
    current.ms += ms;
    if (event.state !== undefined && event.state in steps) {
      current.calls += 1;
      if (event.stateType === 'Task') current.handlerMs += ms;
    } else if (event.stateType === 'Wait') {
      current.waitMs += ms;
    }
  }
  return steps;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function stepSection(samples: readonly RotationSample[], scale: number): BenchSection {
  const row = (step: string, pick: (sample: RotationSample) => StepSample): BenchRow => ({
    step,
    calls: median(samples.map((sample) => pick(sample).calls)),
    wallMedianMs: median(samples.map((sample) => pick(sample).ms)),
    handlerMedianMs: median(samples.map((sample) => pick(sample).handlerMs)),
    pollWaitMedianMs: median(samples.map((sample) => pick(sample).waitMs)),
  });
  const zero = { ms: 0, handlerMs: 0, waitMs: 0, calls: 0 };
  return {
    id: 'steps',
    title: `Local rotation wall time by step (median of ${samples.length}; lead time ${LEAD_TIME_SECONDS} s, ${NODES} simulated nodes × ${NODE_ROLLOUT_SECONDS} s, poll waits × ${scale})`,
    columns: [
      { key: 'step', label: 'step' },
      { key: 'calls', label: 'calls' },
      { key: 'wallMedianMs', label: 'wall', format: formatMs },
      { key: 'handlerMedianMs', label: 'in the handler', format: formatMs },
      { key: 'pollWaitMedianMs', label: 'poll waits', format: formatMs },
    ],
    rows: [
      ...STEPS.map((step) => row(step, (sample) => sample.steps[step] ?? zero)),
      {
        step: 'whole workflow',
        calls: median(samples.map((sample) => sample.transitions)),
        wallMedianMs: median(samples.map((sample) => sample.workflowMs)),
        handlerMedianMs: median(
          samples.map((sample) => STEPS.reduce((sum, step) => sum + (sample.steps[step]?.handlerMs ?? 0), 0)),
        ),
        pollWaitMedianMs: median(
          samples.map((sample) => STEPS.reduce((sum, step) => sum + (sample.steps[step]?.waitMs ?? 0), 0)),
        ),
      },
      {
        step: 'trigger → verified',
        calls: 1,
        wallMedianMs: median(samples.map((sample) => sample.totalMs)),
        handlerMedianMs: '–',
        pollWaitMedianMs: '–',
      },
    ],
    notes: [
      'runLocalRotation on a fresh home per run (RSA 2048), the issuer served over HTTP on a free port, the simulated OpenShift over HTTP',
      'a step is its Task state plus the Choice/Pass/Wait states of its polling; "calls" of the whole workflow counts state transitions',
      'WaitForLeadTime is a real timer until pushNotBefore; WatchRollout holds both simulated rollouts and their poll waits',
      'trigger → verified adds serving the issuer, starting the simulator, and verifying a fresh token against keys.json over HTTP',
    ],
  };
}

// --- The workflow library alone ----------------------------------------------------------------------

interface TransitionCost {
  readonly passUs: number;
  readonly passObservedUs: number;
  readonly taskUs: number;
}

/** A chain of `length` states of one type; Task states all call `prepare`, bound to a no-op. */
function chain(type: 'Pass' | 'Task', length: number): object {
  const states: Record<string, object> = {};
  for (let index = 0; index < length; index += 1) {
    const next = index + 1 < length ? { Next: `S${index + 1}` } : { End: true };
    states[`S${index}`] =
      type === 'Pass'
        ? { Type: 'Pass', ...next }
        : { Type: 'Task', Resource: taskResource('prepare'), ...next };
  }
  return { StartAt: 'S0', States: states };
}

async function perTransitionUs(definition: object, observed: boolean): Promise<number> {
  // The chain hands its input from state to state: a stand-in for prepare, not a prepare result.
  const noop: TaskHandler<'prepare'> = async (event) => event as PrepareResult;
  const runner = createLocalWorkflowRunner({
    definition,
    handlers: { prepare: noop },
    ...(observed ? { onEvent: () => undefined } : {}),
  });
  const samples: number[] = [];
  for (let index = 0; index < CHAIN_WARMUP + CHAIN_SAMPLES; index += 1) {
    const start = performance.now();
    await runner.run({ issuerId: 'bench' });
    if (index >= CHAIN_WARMUP) samples.push(((performance.now() - start) * 1000) / CHAIN_LENGTH);
  }
  return median(samples);
}

async function measureTransitions(): Promise<TransitionCost> {
  return {
    passUs: await perTransitionUs(chain('Pass', CHAIN_LENGTH), false),
    passObservedUs: await perTransitionUs(chain('Pass', CHAIN_LENGTH), true),
    taskUs: await perTransitionUs(chain('Task', CHAIN_LENGTH), true),
  };
}

function overheadSection(cost: TransitionCost, rotations: readonly RotationSample[]): BenchSection {
  const transitions = median(rotations.map((sample) => sample.transitions));
  const us = (value: number) => `${value.toFixed(1)} µs`;
  return {
    id: 'overhead',
    title: `Workflow overhead per state transition (aws-local-stepfunctions alone, ${CHAIN_LENGTH}-state chains, median of ${CHAIN_SAMPLES})`,
    columns: [
      { key: 'workflow', label: 'synthetic workflow' },
      { key: 'perTransitionUs', label: 'per transition', format: us },
      { key: 'perRotationMs', label: `× ${transitions} transitions of a rotation`, format: formatMs },
    ],
    rows: [
      ['Pass states, no event listener', cost.passUs],
      ['Pass states, events followed (as runLocalRotation does)', cost.passObservedUs],
      ['Task states, no-op handler, events followed', cost.taskUs],
    ].map(([workflow, perTransitionUs]) => ({
      workflow: String(workflow),
      perTransitionUs: Number(perTransitionUs),
      perRotationMs: (Number(perTransitionUs) * transitions) / 1000,
    })),
    notes: [
      'each run is one execution of the chain through createLocalWorkflowRunner (the runner local rotations use); per transition = run time / states',
      'Task states bind to a handler returning its input: the cost of the runner and the library, not of keyturn steps',
    ],
  };
}

// --- Against the floor -------------------------------------------------------------------------------

function floorSection(byScale: ReadonlyMap<number, readonly RotationSample[]>): BenchSection {
  const rows = [...byScale].map(([scale, samples]): BenchRow => {
    const total = median(samples.map((sample) => sample.totalMs));
    const watch = median(samples.map((sample) => sample.steps.WatchRollout?.waitMs ?? 0));
    const above = total - FLOOR_MS;
    return {
      pollWait: `${(10 * scale).toFixed(2)} s (× ${scale})`,
      triggerToVerifiedMs: total,
      floorMs: FLOOR_MS,
      aboveFloorMs: above,
      aboveFloorPercent: (100 * above) / FLOOR_MS,
      rolloutPollWaitMs: watch,
      withinBudget: above <= BUDGET * FLOOR_MS ? 'yes' : 'NO',
    };
  });
  return {
    id: 'floor',
    title: `Trigger to verified rotation against its floor (lead time ${LEAD_TIME_SECONDS} s + ${ROLLOUTS} rollouts × ${NODES} nodes × ${NODE_ROLLOUT_SECONDS} s = ${FLOOR_MS / 1000} s; budget ${BUDGET * 100} %)`,
    columns: [
      { key: 'pollWait', label: 'rollout poll wait' },
      { key: 'triggerToVerifiedMs', label: 'trigger → verified', format: formatMs },
      { key: 'floorMs', label: 'floor', format: formatMs },
      { key: 'aboveFloorMs', label: "keyturn's share", format: formatMs },
      { key: 'aboveFloorPercent', label: '% of floor', format: (value) => `${value.toFixed(1)} %` },
      { key: 'rolloutPollWaitMs', label: 'of which rollout poll waits', format: formatMs },
      { key: 'withinBudget', label: `≤ ${BUDGET * 100} %` },
    ],
    rows,
    notes: [
      `median of ${RUNS_PER_SCALE} runs per row; the first row is runLocalRotation's default poll-wait scale`,
      "keyturn's share = trigger → verified − floor: the steps, the workflow, serving, the simulator's start, the final check, and polling slack (the rollout ends between two polls)",
      'the rollout poll waits include the time the simulated rollouts take; only the part after the last node finished is slack',
    ],
  };
}
