import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, type TestContext, vi } from 'vitest';
import type { ClusterModel } from '#local/openshift-sim/cluster-model.ts';
import { type OpenShiftSimulator, startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { createLocalHomePorts, createLocalVault, readAuditLog } from '#shared/adapters/local/index.ts';
import { findInvariantViolations } from '#shared/keyring/invariants.ts';
import { type Keyring, parseKeyring, type Rotation } from '#shared/keyring/keyring.ts';
import { activeKey, findKey } from '#shared/keyring/queries.ts';
import { type RotationStage, rotationStage } from '#shared/rotation/in-flight.ts';
import { initIssuer } from '#shared/rotation/index.ts';
import { HOLD_MARKER } from './interruption-hold.ts';
import { freePort, runKeyturn } from './run-keyturn.ts';

/**
 * The interruption matrix (issue 12, the Proof; DESIGN.md §2, RECOVERABLE): the real `keyturn rotate
 * --local` process, run against an OpenShift simulator served over HTTPS by the test (reached through
 * `--kubeconfig`, so the cluster outlives each process as a real one would), is stopped inside every step
 * of the rotation, by SIGINT and by SIGKILL. Then, separately, the same command is run again (resume) or
 * `--abort` is run with the same flags. After the interruption, after the follow-up and after one further
 * rotation, every invariant holds, judged from the keyring in the home, the published keys.json, the audit
 * trail, every byte the processes printed, and the kids the simulated cluster signed and signs with.
 *
 * To land a signal inside a step, the run is held there while the signal is sent: steps that call the
 * cluster by the simulator (a request held before it is served, or a write held after it took effect but
 * before its answer), steps that only touch the home by a preload that stalls one file operation
 * (interruption-hold.ts), and the lead-time wait by its own progress line. A held step goes on after
 * SIGINT, which lets the running step finish; SIGKILL gives it no chance.
 *
 * The interrupted run is always a process of its own. The follow-up and the further rotation run the same
 * command line in this process (runKeyturn): they read nothing but the home and the cluster the killed
 * process left, and a process of their own costs each case a few seconds of CPU on a small machine
 * (MATRIX_FOLLOW_UP_SPAWN=1 spawns the follow-up too).
 */

const BIN = join(import.meta.dirname, '..', '..', 'cli', 'keyturn.js');
const PRELOAD = join(import.meta.dirname, 'interruption-hold.ts');
const TARGET = ['--home', '.keyturn', '--kubeconfig', 'cluster.kubeconfig'] as const;
const ROTATE = ['rotate', '--local', ...TARGET] as const;
const RESUME_COMMAND = 'keyturn rotate --local --home .keyturn --kubeconfig cluster.kubeconfig';
const ABORT_COMMAND = `${RESUME_COMMAND} --abort`;

/** V8's compile cache for the spawned processes (NODE_COMPILE_CACHE): each loads keyturn a little faster. */
let compileCache = '';
beforeAll(async () => {
  compileCache = await mkdtemp(join(tmpdir(), 'keyturn-matrix-cache-'));
});
afterAll(async () => {
  await rm(compileCache, { recursive: true, force: true });
});

// Cases wait for lead times and child processes; more of them at once keep the file short.
vi.setConfig({ maxConcurrency: 12 });

/** How a run is held inside its step: by the simulator (a cluster call) or the preload (a file operation). */
type Hold =
  | {
      readonly by: 'simulator';
      /** `METHOD /path` of a call, or the model's write method (`patchSecret`) after it took effect. */
      readonly call: RegExp;
      readonly phase: 'before' | 'after-write';
      /** Only calls after the run's first secret write (the push) count. */
      readonly afterWrite: boolean;
      /** Matching calls to let through first. @default 0 */
      readonly skip?: number;
    }
  | { readonly by: 'preload'; readonly point: string }
  | { readonly by: 'progress-line'; readonly line: string };

/** One point inside one step, and where the rotation stands after each signal (undefined: none in flight). */
interface Point {
  readonly step: string;
  readonly where: string;
  readonly hold: Hold;
  readonly leadTimeSeconds: number;
  readonly afterSigint: RotationStage | undefined;
  readonly afterSigkill: RotationStage | undefined;
}

const POINTS: readonly Point[] = [
  {
    step: 'Prepare',
    where: 'its drift check held in the cluster',
    hold: {
      by: 'simulator',
      call: /^GET .*\/configmaps\/bound-sa-token-signing-certs$/,
      phase: 'before',
      afterWrite: false,
    },
    leadTimeSeconds: 1,
    afterSigint: 'prepared',
    afterSigkill: undefined,
  },
  {
    step: 'Generate',
    where: 'key sealed, not yet in the keyring',
    hold: { by: 'preload', point: 'commit-after:prepare' },
    leadTimeSeconds: 1,
    afterSigint: 'generated',
    afterSigkill: 'prepared',
  },
  {
    step: 'Publish',
    where: 'keyring published, keys.json not yet',
    hold: { by: 'preload', point: 'audit:publish' },
    leadTimeSeconds: 1,
    afterSigint: 'published',
    afterSigkill: 'published',
  },
  {
    step: 'ConfirmVisible',
    where: 'key seen at its URL, not yet recorded',
    hold: { by: 'preload', point: 'commit-after:publish' },
    leadTimeSeconds: 1,
    afterSigint: 'published',
    afterSigkill: 'published',
  },
  // A process killed while it holds the keyring lock leaves the lock file behind.
  {
    step: 'ConfirmVisible',
    where: 'holding the keyring lock to record it',
    hold: { by: 'preload', point: 'lock-after:publish' },
    leadTimeSeconds: 1,
    afterSigint: 'published',
    afterSigkill: 'published',
  },
  {
    step: 'WaitForLeadTime',
    where: 'waiting out the lead time',
    hold: { by: 'progress-line', line: '… WaitForLeadTime' },
    leadTimeSeconds: 3,
    afterSigint: 'published',
    afterSigkill: 'published',
  },
  {
    step: 'Push',
    where: 'key written to the cluster, unanswered',
    hold: {
      by: 'simulator',
      call: /^(create|replace|patch)Secret$/,
      phase: 'after-write',
      afterWrite: false,
    },
    leadTimeSeconds: 1,
    afterSigint: 'pushed',
    afterSigkill: 'pushed',
  },
  {
    step: 'WatchRollout',
    where: 'rollout status held in the cluster',
    hold: { by: 'simulator', call: /^GET .*\/kubeapiservers\/cluster$/, phase: 'before', afterWrite: true },
    leadTimeSeconds: 1,
    afterSigint: 'pushed',
    afterSigkill: 'pushed',
  },
  {
    step: 'Verify',
    where: 'token request held in the cluster',
    // WatchRollout asks for one token to see which key signs; Verify's is the next one.
    hold: {
      by: 'simulator',
      call: /^POST .*\/serviceaccounts\/[^/]+\/token$/,
      phase: 'before',
      afterWrite: true,
      skip: 1,
    },
    leadTimeSeconds: 1,
    afterSigint: 'verified',
    afterSigkill: 'pushed',
  },
  {
    step: 'Activate',
    where: 'key verified, not yet activated',
    hold: { by: 'preload', point: 'commit-after:verify' },
    leadTimeSeconds: 1,
    // Ctrl-C lets Activate finish: the rotation has ended when the process stops.
    afterSigint: undefined,
    afterSigkill: 'verified',
  },
];

const SIGNALS = ['SIGINT', 'SIGKILL'] as const;
const FOLLOW_UP_IN_PROCESS = process.env.MATRIX_FOLLOW_UP_SPAWN === undefined;
const FOLLOW_UPS = ['resume', 'abort'] as const;

const CASES = POINTS.flatMap((point) =>
  SIGNALS.flatMap((signal) =>
    FOLLOW_UPS.map((followUp) => ({
      ...point,
      signal,
      followUp,
      stage: signal === 'SIGINT' ? point.afterSigint : point.afterSigkill,
    })),
  ),
);

/** What one `keyturn` process printed and how it ended. */
interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

/** How to run one `keyturn` process. */
interface RunOptions {
  /** Preload interruption-hold.ts with this `KEYTURN_TEST_HOLD` point. */
  readonly point?: string;
  /** Told of the process as soon as it is spawned. */
  readonly onSpawn?: (child: ChildProcess) => void;
  /** Sees standard error so far, each time more arrives. */
  readonly onErr?: (err: string, child: ChildProcess) => void;
  /**
   * Run the command line in this process (runKeyturn) instead of spawning one: the same command, without
   * the second or so a process spends loading keyturn, for runs nobody signals.
   */
  readonly inProcess?: boolean;
}

/** One issuer in a fresh home, its cluster (a simulator of the test's own), and what the cluster signed. */
interface Site {
  readonly directory: string;
  readonly home: string;
  readonly cluster: OpenShiftSimulator;
  readonly initialKid: string;
  /** kid → the last time the cluster signed a token with it or a node was seen signing with it. */
  readonly signedKids: Map<string, Date>;
  /** Every process run against the site, for the SEALED check of what they printed. */
  readonly runs: Run[];
  keyring(): Promise<Keyring>;
  /** Holds the next cluster call `hold` matches; resolves once one is held, with the function that frees it. */
  holdCluster(hold: Extract<Hold, { by: 'simulator' }>): Promise<() => void>;
  /** Runs `keyturn` (with the preload and `KEYTURN_TEST_HOLD` when `point` is given). */
  keyturn(args: readonly string[], options?: RunOptions): Promise<Run>;
}

async function createSite(
  leadTimeSeconds: number,
  { onTestFinished }: Pick<TestContext, 'onTestFinished'>,
): Promise<Site> {
  const directory = await mkdtemp(join(tmpdir(), 'keyturn-matrix-'));
  const home = join(directory, '.keyturn');
  const issuerUrl = `http://127.0.0.1:${await freePort()}/demo`;
  const ports = createLocalHomePorts({ home, actor: 'test' });
  const init = await initIssuer(ports, {
    issuerUrl,
    // A kubeconfig cluster's polls are not scaled: no stable period to wait out.
    policy: { keyBits: 2048, leadTimeSeconds, graceSeconds: 3600, stablePeriodSeconds: 0 },
  });
  // Rollouts take no simulated time, so WatchRollout sees each one done at its first poll.
  const cluster = await startOpenShiftSimulator({
    issuerUrl,
    initialKey: await ports.vault.open(`${init.issuerId}/initial`),
    nodes: 2,
    nodeRolloutSeconds: 0,
  });
  await writeFile(join(directory, 'cluster.kubeconfig'), cluster.kubeconfig());
  const signedKids = new Map<string, Date>();
  const observe = () => {
    for (const node of cluster.model.describeNodes()) signedKids.set(node.signingKid, new Date());
  };
  const pending: {
    hold: Extract<Hold, { by: 'simulator' }>;
    skipped: number;
    reached: (free: () => void) => void;
  }[] = [];
  let wrote = false;
  const maybeHold = async (phase: 'before' | 'after-write', call: string) => {
    const index = pending.findIndex(
      (entry) =>
        entry.hold.phase === phase &&
        entry.hold.call.test(call) &&
        (!entry.hold.afterWrite || wrote) &&
        entry.skipped++ >= (entry.hold.skip ?? 0),
    );
    if (phase === 'after-write') wrote = true;
    const found = index < 0 ? undefined : pending.splice(index, 1)[0];
    if (found !== undefined) await new Promise<void>((free) => found.reached(free));
  };
  interceptCluster(cluster.model, {
    beforeCall: async (call) => {
      observe();
      await maybeHold('before', call);
    },
    afterWrite: async (method) => {
      observe();
      await maybeHold('after-write', method);
    },
    onToken: (kid) => signedKids.set(kid, new Date()),
  });
  const children = new Set<ChildProcess>();
  const runs: Run[] = [];
  onTestFinished(async () => {
    for (const child of children) child.kill('SIGKILL');
    await cluster.close();
    await rm(directory, { recursive: true, force: true });
  });
  return {
    directory,
    home,
    cluster,
    initialKid: init.kid,
    signedKids,
    runs,
    keyring: async () => {
      observe();
      return parseKeyring(await readFile(join(home, 'keyrings', 'demo.json'), 'utf8'), 'keyring');
    },
    holdCluster: (hold) => new Promise((reached) => pending.push({ hold, skipped: 0, reached })),
    keyturn: async (args, options = {}) => {
      if (options.inProcess === true) {
        const run = { ...(await runKeyturn(args, { cwd: directory })), signal: null };
        runs.push(run);
        return run;
      }
      return new Promise((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [...(options.point === undefined ? [] : ['--import', PRELOAD]), BIN, ...args],
          {
            cwd: directory,
            env: { ...process.env, KEYTURN_TEST_HOLD: options.point ?? '', NODE_COMPILE_CACHE: compileCache },
          },
        );
        children.add(child);
        options.onSpawn?.(child);
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
        });
        child.stderr.on('data', (chunk: Buffer) => {
          err += chunk.toString();
          options.onErr?.(err, child);
        });
        child.on('error', reject);
        child.on('close', (code, signal) => {
          children.delete(child);
          const run = { code, signal, out, err };
          runs.push(run);
          resolve(run);
        });
      });
    },
  };
}

/** Wraps the simulated cluster's admission, secret writes and TokenRequest to watch and hold them. */
function interceptCluster(
  model: ClusterModel,
  watch: {
    beforeCall: (call: string) => Promise<void>;
    afterWrite: (method: string) => Promise<void>;
    onToken: (kid: string) => void;
  },
): void {
  const admit = model.faults.admitApiCall.bind(model.faults);
  model.faults.admitApiCall = async (call) => {
    await watch.beforeCall(call);
    await admit(call);
  };
  const { createSecret, replaceSecret, patchSecret, issueToken } = model;
  model.createSecret = async (...args) => {
    const secret = await createSecret(...args);
    await watch.afterWrite('createSecret');
    return secret;
  };
  model.replaceSecret = async (...args) => {
    const secret = await replaceSecret(...args);
    await watch.afterWrite('replaceSecret');
    return secret;
  };
  model.patchSecret = async (...args) => {
    const secret = await patchSecret(...args);
    await watch.afterWrite('patchSecret');
    return secret;
  };
  model.issueToken = async (request) => {
    const issued = await issueToken(request);
    watch.onToken(issued.kid);
    return issued;
  };
}

/** Runs the rotation, holds it at `point`, sends `signal` there, and resolves with how the process ended. */
async function interruptAt(site: Site, point: Point, signal: NodeJS.Signals): Promise<Run> {
  const { hold } = point;
  if (hold.by === 'simulator') {
    let child: ChildProcess | undefined;
    const held = site.holdCluster(hold);
    const run = site.keyturn(ROTATE, {
      onSpawn: (spawned) => {
        child = spawned;
      },
    });
    const free = await Promise.race([
      held,
      run.then((ended): never => {
        throw new Error(`the run ended before it reached ${point.step} (exit ${ended.code}): ${ended.err}`);
      }),
    ]);
    child?.kill(signal);
    // SIGINT: answer the held call once the signal is in, so the step finishes as Ctrl-C promises.
    await (signal === 'SIGKILL' ? run : sleep(100));
    free();
    return run;
  }
  const marker = hold.by === 'preload' ? HOLD_MARKER : hold.line;
  let sent = false;
  return site.keyturn(ROTATE, {
    ...(hold.by === 'preload' ? { point: hold.point } : {}),
    onErr: (err, child) => {
      if (!sent && err.includes(marker)) {
        sent = true;
        child.kill(signal);
      }
    },
  });
}

/** The keys.json the home publishes, checked as a relying party would parse it (ALWAYS-VALID). */
async function publishedKids(site: Site): Promise<string[]> {
  const text = await readFile(join(site.home, 'public', 'demo', 'keys.json'), 'utf8');
  const { keys } = JSON.parse(text) as { keys: Record<string, unknown>[] };
  for (const key of keys) {
    expect(key, 'ALWAYS-VALID').toMatchObject({ use: 'sig', kty: 'RSA', alg: 'RS256', e: 'AQAB' });
    expect(
      Buffer.from(String(key.n), 'base64url').length * 8,
      'ALWAYS-VALID: RSA ≥ 2048',
    ).toBeGreaterThanOrEqual(2048);
  }
  return keys.map((key) => String(key.kid));
}

/**
 * Every invariant of DESIGN.md §2 that the state left behind shows: findInvariantViolations over the
 * keyring, the published keys.json and what the cluster signed (ONE-SIGNER, ALWAYS-VALID,
 * PUBLISHED-BEFORE-SIGN, NO-ORPHAN-TOKENS, SEALED), no key material in anything printed, audited or
 * published (SEALED), at most one rotation in flight (ONE-SIGNER), and nothing a person would have to
 * edit or delete by hand: no keyring lock left behind, an audit trail that parses (RECOVERABLE). RETRY-SAFE
 * and the rest of RECOVERABLE are what the follow-up commands prove.
 */
async function expectInvariants(site: Site, when: string, { afterKill = false } = {}): Promise<Keyring> {
  const keyring = await site.keyring();
  const publicKids = await publishedKids(site);
  expect(
    findInvariantViolations({ keyring, publicKids, signedKids: site.signedKids, now: new Date() }),
    `invariants ${when}`,
  ).toEqual([]);
  expect(new Set(publicKids).size, `ALWAYS-VALID ${when}: no duplicate kids`).toBe(publicKids.length);
  const activeKids = keyring.keys.filter((key) => key.state === 'active').map((key) => key.kid);
  expect(activeKids, `ONE-SIGNER ${when}`).toHaveLength(1);
  expect(publicKids, `ALWAYS-VALID ${when}: keys.json carries the active key`).toContain(activeKids[0]);
  for (const node of site.cluster.model.describeNodes()) {
    expect(publicKids, `NO-ORPHAN-TOKENS ${when}: ${node.name} signs with a published key`).toContain(
      node.signingKid,
    );
  }
  const audit = await readAuditLog(site.home, 'demo');
  const files = [
    await readFile(join(site.home, 'keyrings', 'demo.json'), 'utf8'),
    JSON.stringify(audit),
    await readFile(join(site.home, 'public', 'demo', 'keys.json'), 'utf8'),
    ...site.runs.flatMap((run) => [run.out, run.err]),
  ];
  for (const text of files) expect(text, `SEALED ${when}`).not.toMatch(/PRIVATE KEY|"d":/);
  const leftovers = (await readdir(join(site.home, 'keyrings'))).filter((name) => name.endsWith('.lock'));
  // A process killed while it held the lock leaves it behind; the commands that go on must cope with it.
  if (!afterKill) expect(leftovers, `RECOVERABLE ${when}: no lock to delete by hand`).toEqual([]);
  return keyring;
}

type Case = (typeof CASES)[number];

/** How the interrupted process ended: killed, or 130 with where it stopped and the commands that go on. */
function expectInterruption(testCase: Case, interrupted: Run): void {
  if (testCase.signal === 'SIGKILL') {
    expect(interrupted.signal, interrupted.err).toBe('SIGKILL');
    return;
  }
  expect(interrupted.code, interrupted.err).toBe(130);
  if (testCase.stage === undefined) {
    // The step that was running was the last one: the rotation ended before the process stopped.
    expect(interrupted.err).toMatch(
      new RegExp(
        `keyturn: interrupted in ${testCase.step}; issuer demo has no rotation in flight \\(rotation \\S+ succeeded at`,
      ),
    );
    return;
  }
  expect(interrupted.err).toMatch(
    new RegExp(`keyturn: interrupted: rotation \\S+ of issuer demo stopped in ${testCase.step}\\.\\n`),
  );
  expect(interrupted.err).toContain(
    `  ${RESUME_COMMAND}          resume it where it stopped (same rotation id)`,
  );
  expect(interrupted.err).toContain(`  ${ABORT_COMMAND}  end it safely`);
}

/**
 * The same command again resumed the rotation in flight to the end (RETRY-SAFE: the same rotation, with the
 * one key its Generate sealed, even when the process was killed before the keyring recorded it), or, with
 * none in flight, ran a new one.
 */
async function expectResumed(
  site: Site,
  stopped: Rotation | undefined,
  resumed: Run,
  after: Keyring,
): Promise<void> {
  expect(findKey(after, site.initialKid)?.state).toBe('retired');
  if (stopped === undefined) {
    expect(resumed.err).not.toContain('Resuming rotation');
    return;
  }
  expect(resumed.err).toContain(`Resuming rotation ${stopped.id} (started `);
  expect(resumed.out).toContain(`(rotation ${stopped.id})`);
  expect(after.lastRotation).toMatchObject({ id: stopped.id, outcome: 'succeeded' });
  const sealed = await createLocalVault({ home: site.home }).open(`demo/${stopped.id}`);
  expect(activeKey(after)?.kid).toBe(sealed.publicKey.kid);
  expect(after.keys.filter((key) => key.rotationId === stopped.id)).toHaveLength(1);
}

/**
 * `--abort` ended the rotation safely: the previous key active and signing again; a new key never pushed
 * removed from keys.json, a pushed one kept there as failed (NO-ORPHAN-TOKENS). With none in flight it
 * said there was nothing to abort.
 */
function expectAborted(site: Site, before: Keyring, aborted: Run, after: Keyring): void {
  const rotation = before.rotation;
  if (rotation === undefined) {
    expect(aborted.err).toContain('no rotation is in flight, so there is nothing to abort');
    return;
  }
  const stage = rotationStage(before, rotation);
  expect(aborted.out).toMatch(
    new RegExp(`^Aborted rotation ${rotation.id} of issuer demo \\(stopped at: ${stage}\\)`),
  );
  expect(after.lastRotation).toMatchObject({ id: rotation.id, outcome: 'aborted' });
  expect(activeKey(after)?.kid).toBe(site.initialKid);
  if (rotation.newKid !== undefined) {
    const pushed = stage === 'pushed' || stage === 'verified';
    expect(findKey(after, rotation.newKid)?.state).toBe(pushed ? 'failed' : 'removed');
  }
  for (const node of site.cluster.model.describeNodes()) expect(node.signingKid).toBe(site.initialKid);
}

describe('keyturn rotate --local stopped inside every step, against the HTTPS simulator (RECOVERABLE)', () => {
  it.concurrent.for(CASES)(
    '$signal in $step ($where), then $followUp: RECOVERABLE, RETRY-SAFE, ONE-SIGNER, SEALED, ALWAYS-VALID, PUBLISHED-BEFORE-SIGN and NO-ORPHAN-TOKENS hold, and the issuer rotates again',
    { timeout: 180_000 },
    async (testCase, context) => {
      // Prepare
      const site = await createSite(testCase.leadTimeSeconds, context);

      // Act: the real process, stopped inside the step.
      const interrupted = await interruptAt(site, testCase, testCase.signal);

      // Assess: how it ended, where the rotation stands, and every invariant.
      expectInterruption(testCase, interrupted);
      const stopped = await expectInvariants(site, `after ${testCase.signal} in ${testCase.step}`, {
        afterKill: testCase.signal === 'SIGKILL',
      });
      const rotation = stopped.rotation;
      expect(rotation === undefined ? undefined : rotationStage(stopped, rotation)).toBe(testCase.stage);

      // Act: the command that goes on, with the same flags.
      const followUp = await site.keyturn(testCase.followUp === 'resume' ? ROTATE : [...ROTATE, '--abort'], {
        inProcess: FOLLOW_UP_IN_PROCESS,
      });

      // Assess: it ends the rotation (an abort with nothing in flight says so and exits 1).
      const ended = testCase.followUp === 'resume' || rotation !== undefined ? 0 : 1;
      expect(followUp.code, `${followUp.err}${followUp.out}`).toBe(ended);
      const after = await expectInvariants(site, `after ${testCase.followUp}`);
      expect(after.rotation, `${testCase.followUp} ends the rotation`).toBeUndefined();
      if (testCase.followUp === 'resume') await expectResumed(site, rotation, followUp, after);
      else expectAborted(site, stopped, followUp, after);

      // Act: RECOVERABLE, the issuer rotates again.
      const again = await site.keyturn(ROTATE, { inProcess: true });

      // Assess
      expect(again.code, again.err).toBe(0);
      expect(again.err).not.toContain('Resuming rotation');
      const final = await expectInvariants(site, 'after rotating again');
      expect(final.rotation).toBeUndefined();
      expect(final.lastRotation?.outcome).toBe('succeeded');
      for (const node of site.cluster.model.describeNodes()) {
        expect(node.signingKid).toBe(activeKey(final)?.kid);
      }
    },
  );
});
