import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseKeySet } from '#shared/issuer/index.ts';
import { publishedKeys } from '#shared/keyring/queries.ts';
import type { PrivateSigningKey } from '#shared/keys/index.ts';
import { createTokenVerifier } from '#shared/tokens/index.ts';
import { type Action, RotationSession, type Tally } from './rotation-actions.ts';
import { createKeyPool, createWorld, ISSUER_URL, type KeyPool } from './rotation-world.ts';

/** Keys generated once; every world takes them in order, so no two keys of one world share a kid. */
const POOL_SIZE = 12;
const GRACE_SECONDS = 3600;
/** Runs per test run (about 80 ms each on a 2-core machine); set PROPERTY_RUNS for a longer hunt. */
const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
const MAX_ACTIONS = 40;

let keys: PrivateSigningKey[];

beforeAll(async () => {
  const pool = await createKeyPool(POOL_SIZE);
  keys = await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.take()));
});

/** A pool over the shared keys that never repeats one, and says how many are left. */
function freshPool(): KeyPool & { left: () => number } {
  let next = 0;
  return {
    take: async () => {
      const key = keys[next];
      if (key === undefined) throw new Error(`the property used more than ${POOL_SIZE} keys in one world`);
      next += 1;
      return key;
    },
    left: () => POOL_SIZE - next,
  };
}

const seconds = (min: number, max: number) => fc.integer({ min, max });

/** A rotation request. */
const startArb = fc.record({
  kind: fc.constant('start' as const),
  mode: fc.constantFrom('manual' as const, 'scheduled' as const, 'emergency' as const),
  leadTimeSeconds: seconds(0, 900),
  join: fc.boolean(),
});

/** Actions, weighted so that most runs get a rotation well past push and many finish one on their own. */
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: startArb },
  { weight: 30, arbitrary: fc.constant({ kind: 'advance' as const }) },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('crash' as const), afterSideEffect: seconds(1, 3) }),
  },
  { weight: 5, arbitrary: fc.constant({ kind: 'retry' as const }) },
  {
    weight: 14,
    arbitrary: fc.record({
      kind: fc.constant('wait' as const),
      // Short waits land inside node rollouts; long ones cross lead times and the grace period.
      seconds: fc.oneof({ weight: 2, arbitrary: seconds(1, 30) }, seconds(31, 2 * 3600)),
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('maintain' as const), publishDrift: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'rollback' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'abort' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('stick-node' as const, 'unstick-node' as const),
      node: seconds(0, 2),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('fail-api-calls' as const),
      count: seconds(1, 2),
      reason: fc.constantFrom(
        'InternalError' as const,
        'ServiceUnavailable' as const,
        'Conflict' as const,
        'TooManyRequests' as const,
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'delete-next-secret' as const }) },
);

/** One run: the shape of the cluster and CDN, and what happens to the issuer. */
interface Scenario {
  readonly nodes: number;
  readonly nodeRolloutSeconds: number;
  readonly propagationMs: number;
  readonly actions: readonly Action[];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  nodes: seconds(1, 3),
  nodeRolloutSeconds: seconds(1, 20),
  propagationMs: fc.constantFrom(0, 30_000, 300_000),
  // Every run opens with a rotation request, so that most runs exercise a rotation's whole life.
  actions: fc
    .tuple(startArb, fc.array(actionArb, { minLength: 10, maxLength: MAX_ACTIONS - 1, size: 'max' }))
    .map(([start, rest]) => [start, ...rest]),
});

const found = (nodes: number, actions: Action[]): [Scenario] => [
  { nodes, nodeRolloutSeconds: 1, propagationMs: 0, actions },
];
const throughPush: Action[] = [
  { kind: 'start', mode: 'manual', leadTimeSeconds: 0, join: false },
  { kind: 'advance' },
  { kind: 'advance' },
  { kind: 'advance' },
];

/** Counterexamples fast-check found (the bugs are fixed), replayed before the random runs. */
const FOUND: [Scenario][] = [
  // An emergency rotation (tokenRefresh reboot) activated its key and stayed in flight for the refresh
  // phase; a rollback then marked the active key failed, leaving keys.json with no key at the next
  // maintenance. Rolling back an activated rotation is refused now.
  found(1, [
    { kind: 'start', mode: 'emergency', leadTimeSeconds: 0, join: false },
    { kind: 'advance' },
    { kind: 'advance' },
    { kind: 'crash', afterSideEffect: 2 },
    { kind: 'advance' },
    { kind: 'wait', seconds: 62 },
    { kind: 'advance' },
    { kind: 'advance' },
    { kind: 'wait', seconds: 1 },
    { kind: 'advance' },
    { kind: 'crash', afterSideEffect: 1 },
    { kind: 'rollback' },
    { kind: 'wait', seconds: 1 },
    { kind: 'advance' },
    { kind: 'retry' },
    { kind: 'advance' },
    { kind: 'advance' },
    { kind: 'advance' },
  ]),
  // A push crashed after writing the next secret, before recording `promoting`; the rollback then kept
  // the cluster on the new key but dropped that key from keys.json at once.
  found(1, [
    ...throughPush,
    { kind: 'crash', afterSideEffect: 1 },
    { kind: 'wait', seconds: 10 },
    { kind: 'rollback' },
    { kind: 'maintain', publishDrift: false },
  ]),
  // A rollback whose rollout back never finished (stuck node): maintain removed the failed key after the
  // grace period although the node still signed with it.
  found(1, [
    ...throughPush,
    { kind: 'advance' },
    { kind: 'wait', seconds: 31 },
    { kind: 'stick-node', node: 0 },
    { kind: 'rollback' },
    { kind: 'wait', seconds: 3600 },
    { kind: 'maintain', publishDrift: false },
  ]),
  // After the next secret was deleted and the rotation rolled back, --publish-drift recorded the operator's
  // own key (trusted, not signing yet) as removed; the operator then signed with it, absent from keys.json.
  found(1, [
    { kind: 'start', mode: 'manual', leadTimeSeconds: 0, join: false },
    { kind: 'delete-next-secret' },
    { kind: 'rollback' },
    { kind: 'maintain', publishDrift: true },
    { kind: 'advance' },
    { kind: 'advance' },
    { kind: 'unstick-node', node: 0 },
    { kind: 'wait', seconds: 1 },
    { kind: 'advance' },
    { kind: 'advance' },
    { kind: 'advance' },
    { kind: 'advance' },
    { kind: 'wait', seconds: 1 },
    { kind: 'retry' },
  ]),
  // Maintenance restarted the grace of a key published from drift when the probe token, mid-rollout, came
  // from a node already signing with it; the same maintenance again at the same moment asked another node
  // and wrote another keyring (RETRY-SAFE). It now acts on the probe only once every node is on the latest
  // revision, and holds (and extends) due keys while a rollout is unfinished.
  [
    {
      nodes: 3,
      nodeRolloutSeconds: 5,
      propagationMs: 0,
      actions: [
        { kind: 'start', mode: 'manual', leadTimeSeconds: 0, join: false },
        { kind: 'wait', seconds: 31 },
        { kind: 'abort' },
        { kind: 'delete-next-secret' },
        { kind: 'maintain', publishDrift: true },
        { kind: 'wait', seconds: 25 },
        { kind: 'advance' },
        { kind: 'rollback' },
        { kind: 'retry' },
        { kind: 'retry' },
        { kind: 'wait', seconds: 1 },
      ],
    },
  ],
];

describe('random sequences of rotation actions', () => {
  it(
    'keep PUBLISHED-BEFORE-SIGN, NO-ORPHAN-TOKENS, ONE-SIGNER, SEALED, RETRY-SAFE and ALWAYS-VALID after every action',
    async () => {
      const tally: Tally = {
        activated: 0,
        rolledBack: 0,
        aborted: 0,
        removed: 0,
        crashes: 0,
        earlyPushesRefused: 0,
        adopted: 0,
      };
      let settled = 0;

      await fc.assert(
        fc.asyncProperty(scenarioArb, async (scenario) => {
          // Prepare
          const pool = freshPool();
          const world = await createWorld({
            pool,
            policy: { graceSeconds: GRACE_SECONDS },
            nodes: scenario.nodes,
            nodeRolloutSeconds: scenario.nodeRolloutSeconds,
            propagationMs: scenario.propagationMs,
          });
          const session = new RotationSession(world, tally, pool.left);

          // Act: every action is followed by a check of every invariant (inside perform).
          for (const action of scenario.actions) await session.perform(action);
          await session.finish(scenario.nodeRolloutSeconds);

          // Assess: once the cluster is healthy and the grace has passed, one key signs and is published.
          if (session.drifted) return;
          await session.perform({ kind: 'wait', seconds: GRACE_SECONDS + 3600 });
          await session.perform({ kind: 'maintain', publishDrift: false });
          const keyring = await world.keyring();
          const active = keyring.keys.filter((key) => key.state === 'active');
          expect(active).toHaveLength(1);
          const kid = active[0]?.kid;
          expect(publishedKeys(keyring).map((key) => key.kid)).toEqual([kid]);
          expect(world.model.describeNodes().map((node) => node.signingKid)).toEqual(
            Array.from({ length: scenario.nodes }, () => kid),
          );
          const view = await world.publisher.readPublic(ISSUER_URL);
          const verifier = createTokenVerifier({ keySet: parseKeySet(view.keySet), issuer: ISSUER_URL });
          for (let node = 0; node < scenario.nodes; node += 1) {
            const token = await world.ports.cluster.requestToken(keyring.policy.audience);
            expect((await verifier.verify(token, world.clock.now())).kid).toBe(kid);
          }
          settled += 1;
        }),
        // A failure prints its seed and path: add `seed` and `path` here to replay exactly that run.
        { numRuns: NUM_RUNS, examples: FOUND },
      );

      // The runs reached what they are meant to test: activations, removals, rollbacks, crashes, refusals.
      // Aborts and drift end some runs early: one run of 150 settled only 71 (the old bound was half).
      expect(tally.activated).toBeGreaterThan(NUM_RUNS / 3);
      expect(tally.removed).toBeGreaterThan(NUM_RUNS / 4);
      expect(tally.rolledBack).toBeGreaterThan(0);
      expect(tally.aborted).toBeGreaterThan(0);
      expect(tally.crashes).toBeGreaterThan(0);
      expect(tally.earlyPushesRefused).toBeGreaterThan(0);
      expect(settled).toBeGreaterThan(NUM_RUNS / 3);
    },
    Math.max(60_000, NUM_RUNS * 200),
  );
});
