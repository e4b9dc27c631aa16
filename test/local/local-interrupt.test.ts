import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { abortLocalRotation } from '#local/local-abort.ts';
import { LocalRotationInterruptedError } from '#local/local-resume.ts';
import { type LocalRotationOptions, runLocalRotation } from '#local/local-rotation.ts';
import { type OpenShiftSimulator, startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { createSimulatedClusterSigner } from '#local/openshift-sim/simulated-cluster-signer.ts';
import type { WorkflowEvent } from '#local/workflow/local-workflow-runner.ts';
import { createFileKeyringStore, createLocalHomePorts } from '#shared/adapters/local/index.ts';
import { findInvariantViolations } from '#shared/keyring/invariants.ts';
import type { Keyring } from '#shared/keyring/keyring.ts';
import { activeKey, findKey } from '#shared/keyring/queries.ts';
import { initIssuer } from '#shared/rotation/index.ts';
import { freePort } from '#test/cli/run-keyturn.ts';

/**
 * The interruption suite (issue 12, RECOVERABLE): a local rotation — the ASL workflow, the Lambda
 * handlers, the file home, the issuer over HTTP and the OpenShift simulator over HTTPS, reached through a
 * kubeconfig so the cluster outlives each run as a real one would — is stopped by its AbortSignal (what
 * Ctrl-C aborts) at several steps, then resumed by running it again, or separately aborted. After each,
 * every invariant holds and the issuer rotates again.
 */

/** Where to stop: the workflow event at which "Ctrl-C" is pressed. */
const STOPS = [
  { name: 'after Publish', at: (event: WorkflowEvent) => exited(event, 'Publish'), pushed: false },
  {
    name: 'during WaitForLeadTime',
    at: (event: WorkflowEvent) => entered(event, 'WaitForLeadTime'),
    pushed: false,
  },
  { name: 'after Push', at: (event: WorkflowEvent) => exited(event, 'Push'), pushed: true },
  { name: 'during WatchRollout', at: (event: WorkflowEvent) => exited(event, 'WatchRollout'), pushed: true },
] as const;

function entered(event: WorkflowEvent, state: string): boolean {
  return event.type === 'state-entered' && event.state === state;
}
function exited(event: WorkflowEvent, state: string): boolean {
  return event.type === 'state-exited' && event.state === state;
}

/**
 * One issuer in a fresh home, its cluster (a simulator on its own), and the signing history seen. Each
 * test has its own site (own ports, own home), so the cases run concurrently: they mostly wait on the
 * lead time and the rollout.
 */
interface Site {
  readonly home: string;
  readonly issuerUrl: string;
  readonly cluster: OpenShiftSimulator;
  readonly kubeconfig: string;
  /** kid → the last time a node signed with it, observed after every workflow state. */
  readonly signedKids: Map<string, Date>;
  keyring(): Promise<Keyring>;
  /** Every invariant DESIGN.md §2 states, against the keyring, the published keys.json and the cluster. */
  violations(): Promise<unknown[]>;
  /** Options of one local rotation of this site: fast polls, the persistent cluster. */
  options(extra?: Partial<LocalRotationOptions>): LocalRotationOptions;
}

/** Waits until every ClusterOperator of the site's cluster is stable again (a push back rolls out). */
async function untilStable(site: Site): Promise<void> {
  const cluster = createSimulatedClusterSigner(site.cluster.model);
  while ((await cluster.readStability()).stableSince === undefined) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function createSite({ onTestFinished }: Pick<TestContext, 'onTestFinished'>): Promise<Site> {
  const home = await mkdtemp(join(tmpdir(), 'keyturn-interrupt-'));
  const issuerUrl = `http://127.0.0.1:${await freePort()}/demo`;
  const ports = createLocalHomePorts({ home, actor: 'test' });
  const init = await initIssuer(ports, {
    issuerUrl,
    policy: { keyBits: 2048, leadTimeSeconds: 1, graceSeconds: 3600 },
  });
  const cluster = await startOpenShiftSimulator({
    issuerUrl,
    initialKey: await ports.vault.open(`${init.issuerId}/initial`),
    nodes: 2,
    nodeRolloutSeconds: 1,
  });
  const kubeconfig = join(home, 'cluster.kubeconfig');
  await writeFile(kubeconfig, cluster.kubeconfig());
  const signedKids = new Map<string, Date>();
  const observe = () => {
    for (const node of cluster.model.describeNodes()) signedKids.set(node.signingKid, new Date());
  };
  const keyring = async () => {
    const stored = await createFileKeyringStore({ home }).read(init.issuerId);
    if (stored === undefined) throw new Error('no keyring');
    return stored.keyring;
  };
  const site: Site = {
    home,
    issuerUrl,
    cluster,
    kubeconfig,
    signedKids,
    keyring,
    violations: async () => {
      observe();
      const published = JSON.parse(await readFile(join(home, 'public', 'demo', 'keys.json'), 'utf8')) as {
        keys: { kid: string }[];
      };
      return findInvariantViolations({
        keyring: await keyring(),
        publicKids: published.keys.map((key) => key.kid),
        signedKids,
        now: new Date(),
      });
    },
    options: (extra = {}) => ({
      home,
      kubeconfig,
      waitScale: 0.005,
      ...extra,
      onEvent: (event) => {
        if (event.type === 'state-exited') observe();
        extra.onEvent?.(event);
      },
    }),
  };
  onTestFinished(async () => {
    await cluster.close();
    await rm(home, { recursive: true, force: true });
  });
  return site;
}

/** Runs a rotation of `site` and presses "Ctrl-C" when `at` matches; resolves with the interruption. */
async function interruptRotation(
  site: Site,
  at: (event: WorkflowEvent) => boolean,
): Promise<LocalRotationInterruptedError> {
  const ctrlC = new AbortController();
  const stopped = await runLocalRotation(
    site.options({
      signal: ctrlC.signal,
      onEvent: (event) => {
        if (at(event)) ctrlC.abort(new Error('interrupted'));
      },
    }),
  ).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(stopped).toBeInstanceOf(LocalRotationInterruptedError);
  return stopped as LocalRotationInterruptedError;
}

describe('a local rotation interrupted at a step (RECOVERABLE)', () => {
  it.concurrent.for(STOPS)(
    'stops $name, says where and how to go on, and resumes with the same rotation id to the end (RECOVERABLE, RETRY-SAFE)',
    async ({ at, pushed }, context) => {
      // Prepare
      const site = await createSite(context);
      const initialKid = activeKey(await site.keyring())?.kid;

      // Act: Ctrl-C at the step.
      const interruption = await interruptRotation(site, at);

      // Assess: stopped cleanly, between steps, with the state of the keys and both commands.
      expect(interruption.code).toBe('ERR_ROTATION_INTERRUPTED');
      expect(interruption.message).toMatch(
        pushed ? /new key \S+: pushed, rolling out/ : /new key \S+: published.*not pushed/,
      );
      expect(interruption.message).toMatch(/keyturn rotate --local {10}resume it where it stopped/);
      expect(interruption.message).toContain('keyturn rotate --local --abort  end it safely');
      const stopped = await site.keyring();
      const rotationId = stopped.rotation?.id;
      expect(rotationId).toBeDefined();
      expect(await site.violations()).toEqual([]);

      // Act: the same command again.
      let resumed: boolean | undefined;
      const result = await runLocalRotation(site.options({ onStart: (start) => (resumed = start.resumed) }));

      // Assess: the same rotation, completed; one new key, now active; the old one retired.
      expect(resumed).toBe(true);
      expect(result).toMatchObject({ rotationId, resumed: true, previousKid: initialKid });
      const after = await site.keyring();
      expect(after.rotation).toBeUndefined();
      expect(after.lastRotation).toMatchObject({ id: rotationId, outcome: 'succeeded' });
      expect(after.keys.map((key) => key.state)).toEqual(['retired', 'active']);
      expect(result.verified?.kid).toBe(activeKey(after)?.kid);
      expect(await site.violations()).toEqual([]);

      // Assess RECOVERABLE: the issuer rotates again.
      const again = await runLocalRotation(site.options());
      expect(again.resumed).toBe(false);
      expect(await site.violations()).toEqual([]);
    },
  );

  it.concurrent.for(STOPS)(
    'stops $name, and --abort ends the rotation safely; the issuer rotates again (RECOVERABLE, NO-ORPHAN-TOKENS, ALWAYS-VALID)',
    async ({ at, pushed }, context) => {
      // Prepare
      const site = await createSite(context);
      const initialKid = activeKey(await site.keyring())?.kid;
      await interruptRotation(site, at);
      const newKid = (await site.keyring()).rotation?.newKid;

      // Act
      const aborted = await abortLocalRotation({ home: site.home, kubeconfig: site.kubeconfig });

      // Assess: the previous key signs; the new key dropped before the push, kept published after it.
      expect(aborted).toMatchObject({
        activeKid: initialKid,
        pushedBack: pushed,
        newKey: pushed ? 'kept' : 'dropped',
      });
      const after = await site.keyring();
      expect(after.rotation).toBeUndefined();
      expect(after.lastRotation).toMatchObject({ outcome: 'aborted' });
      expect(findKey(after, newKid)?.state).toBe(pushed ? 'failed' : 'removed');
      expect(await site.violations()).toEqual([]);

      // Assess RECOVERABLE: once the pushed-back key has rolled out (the stability gate), the issuer
      // rotates again, and the invariants still hold.
      await untilStable(site);
      const again = await runLocalRotation(site.options());
      expect(again.resumed).toBe(false);
      expect(activeKey(await site.keyring())?.kid).toBe(again.verified?.kid);
      expect(await site.violations()).toEqual([]);
    },
  );

  it('refuses a different --rotation-id while one is in flight, naming resume and abort (ONE-SIGNER)', async (context) => {
    // Prepare
    const site = await createSite(context);
    await interruptRotation(site, STOPS[0].at);

    // Act
    const other = runLocalRotation(site.options({ rotationId: 'another-one' }));

    // Assess
    await expect(other).rejects.toMatchObject({ code: 'ERR_ROTATION_IN_PROGRESS' });
    await expect(other).rejects.toThrow(
      /Resume it with keyturn rotate --local, or end it safely with keyturn rotate --local --abort/,
    );
    expect(await site.violations()).toEqual([]);
  });

  it('says there is nothing to abort when no rotation is in flight (ERR_ROTATION_NOT_IN_FLIGHT)', async (context) => {
    const site = await createSite(context);

    await expect(abortLocalRotation({ home: site.home, kubeconfig: site.kubeconfig })).rejects.toMatchObject({
      code: 'ERR_ROTATION_NOT_IN_FLIGHT',
    });
  });
});
