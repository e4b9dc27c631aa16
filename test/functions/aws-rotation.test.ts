import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKeySet } from '#shared/issuer/key-set.ts';
import { activeKey, findKey } from '#shared/keyring/queries.ts';
import {
  type AwsWorld,
  CLUSTER_TOKEN,
  createAwsWorld,
  DISTRIBUTION_ID,
  GRACE_SECONDS,
  ISSUER_ID,
  KUBECONFIG,
  T0,
} from './aws-world.ts';

/** What the rotation workflow's output carries of the steps asserted here. */
interface RotationOutput {
  readonly generate: { readonly kid: string };
  readonly activate: { readonly kid: string; readonly retiredKid?: string };
  readonly maintain?: {
    readonly removed: readonly string[];
    readonly destroyed: readonly string[];
    readonly drift: {
      readonly unpublishedTrustedKids: readonly string[];
      readonly removedTrustedKids: readonly string[];
    };
  };
}

const INVALIDATED_PATHS = [`/${ISSUER_ID}/.well-known/openid-configuration`, `/${ISSUER_ID}/keys.json`];

let world: AwsWorld;

beforeEach(async () => {
  world = await createAwsWorld();
});

afterEach(() => {
  world.close();
});

/** The kids keys.json lists in the issuer bucket; parseKeySet refuses anything a relying party would. */
function publishedKids(): string[] {
  return parseKeySet(world.keySetText()).keys.map((key) => key.kid);
}

/** The invalidations sent since `from`, as distribution and sorted paths. */
function invalidationsSince(from: number) {
  return world.cloudFront.invalidations
    .slice(from)
    .map(({ distributionId, paths }) => ({ distributionId, paths: [...paths].sort() }));
}

/**
 * Stored objects (every version), log lines and the workflow output that carry private key armour or the
 * kubeconfig's token: what SEALED forbids.
 */
function sealedLeaks(output: unknown): string[] {
  const texts = [...world.storedObjects(), ...world.output.raw, JSON.stringify(output)];
  return texts.filter((text) => text.includes('PRIVATE KEY') || text.includes(CLUSTER_TOKEN));
}

describe('the rotation workflow on the AWS ports (fake KMS, Secrets Manager, S3 and CloudFront)', () => {
  it('rotates manually: new key active, old key retired with removeAfter and still published (NO-ORPHAN-TOKENS, ALWAYS-VALID, PUBLISHED-BEFORE-SIGN, ONE-SIGNER, SEALED)', async () => {
    // Prepare
    const invalidationsBefore = world.cloudFront.invalidations.length;
    const input = { issuerId: ISSUER_ID, rotationId: 'r-manual', mode: 'manual' };

    // Act
    const output = (await world.rotation.run(input)) as RotationOutput;

    // Assess: the state bucket's keyring.
    const newKid = output.generate.kid;
    const keyring = world.keyring();
    expect(newKid).not.toBe(world.initialKid);
    expect(output.activate).toMatchObject({ kid: newKid, retiredKid: world.initialKid });
    expect(activeKey(keyring)?.kid).toBe(newKid);
    expect(keyring.rotation).toBeUndefined();
    expect(findKey(keyring, world.initialKid)).toMatchObject({
      state: 'retired',
      retiredAt: T0.toISOString(),
      removeAfter: new Date(T0.getTime() + GRACE_SECONDS * 1000).toISOString(),
    });
    // The issuer bucket and its distribution.
    expect(publishedKids().sort()).toEqual([newKid, world.initialKid].sort());
    expect(invalidationsSince(invalidationsBefore)).not.toHaveLength(0);
    expect(invalidationsSince(invalidationsBefore)).toEqual(
      invalidationsSince(invalidationsBefore).map(() => ({
        distributionId: DISTRIBUTION_ID,
        paths: INVALIDATED_PATHS,
      })),
    );
    expect(world.violations()).toEqual([]);
    // The cluster was reached through the kubeconfig secret, read once.
    expect(world.kubeconfigs).toEqual([KUBECONFIG]);
    // The new private key is sealed in its own secret under the stack's key, tagged with issuer and kid.
    expect(world.secrets.secret(`keyturn/${ISSUER_ID}/r-manual`)).toMatchObject({
      kmsKeyId: world.kmsKeyArn,
      deletedDate: undefined,
      tags: expect.arrayContaining([
        { Key: 'keyturn:issuer', Value: ISSUER_ID },
        { Key: 'keyturn:kid', Value: newKid },
      ]),
    });
    // The audit trail went to the log the SEALED check reads.
    expect(world.output.raw.join('')).toContain('"message":"audit"');
    expect(sealedLeaks(output)).toEqual([]);
  });

  it('rotates in an emergency: the compromised kid leaves keys.json and its secret is deleted once the new key is active (NO-ORPHAN-TOKENS exception, ALWAYS-VALID, SEALED)', async () => {
    // Prepare
    const compromisedKid = world.initialKid;
    const input = { issuerId: ISSUER_ID, rotationId: 'r-emergency', mode: 'emergency', compromisedKid };

    // Act
    const output = (await world.rotation.run(input)) as RotationOutput;

    // Assess
    const newKid = output.generate.kid;
    const keyring = world.keyring();
    expect(activeKey(keyring)?.kid).toBe(newKid);
    // The operator never drops a public key it trusted (DESIGN.md §1): keyturn's own removed key, not drift.
    expect(output.maintain).toMatchObject({
      removed: [compromisedKid],
      destroyed: [compromisedKid],
      drift: { unpublishedTrustedKids: [], removedTrustedKids: [compromisedKid] },
    });
    expect(findKey(keyring, compromisedKid)).toMatchObject({
      state: 'removed',
      compromisedAt: T0.toISOString(),
      privateKeyDestroyedAt: T0.toISOString(),
    });
    expect(publishedKids()).toEqual([newKid]);
    expect(world.cloudFront.invalidations.at(-1)?.paths.toSorted()).toEqual(INVALIDATED_PATHS);
    expect(world.secrets.secret(`keyturn/${ISSUER_ID}/initial`)?.deletedDate).toEqual(T0);
    expect(world.secrets.secret(`keyturn/${ISSUER_ID}/r-emergency`)?.deletedDate).toBeUndefined();
    expect(world.violations()).toEqual([]);
    expect(sealedLeaks(output)).toEqual([]);
  });
});

describe('the rotation workflow started with action "abort" (keyturn rotate --abort in AWS)', () => {
  it('ends a rotation stopped in WaitForLeadTime: the never-pushed key leaves keys.json, the issuer rotates again (RECOVERABLE, ALWAYS-VALID, SEALED)', async () => {
    // Prepare: a rotation that waits out a long lead time, stopped (StopExecution) once its key is visible.
    const input = { issuerId: ISSUER_ID, rotationId: 'r-stopped', mode: 'manual', leadTimeSeconds: 3_600 };
    const stop = new AbortController();
    let settled = false;
    const running = world.rotation.run(input, { signal: stop.signal }).then(
      () => 'succeeded',
      (error: unknown) => (stop.signal.aborted ? 'stopped' : `failed before the stop: ${String(error)}`),
    );
    void running.finally(() => {
      settled = true;
    });
    while (!settled && findKey(world.keyring(), world.keyring().rotation?.newKid)?.visibleAt === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    stop.abort();
    expect(await running).toBe('stopped');
    const newKid = world.keyring().rotation?.newKid;
    expect(publishedKids()).toContain(newKid);

    // Act: the abort execution, as the CLI starts it.
    const output = (await world.rotation.run({ ...input, action: 'abort' })) as {
      readonly abort: Record<string, unknown>;
      readonly prepare?: unknown;
    };

    // Assess: the Abort task ran, and nothing else did.
    expect(output.prepare).toBeUndefined();
    expect(output.abort).toMatchObject({
      rotationId: 'r-stopped',
      stage: 'published',
      activeKid: world.initialKid,
      newKid,
      newKey: 'dropped',
      pushedBack: false,
    });
    const keyring = world.keyring();
    expect(keyring.rotation).toBeUndefined();
    expect(keyring.lastRotation).toMatchObject({ id: 'r-stopped', outcome: 'aborted' });
    expect(findKey(keyring, newKid)?.state).toBe('removed');
    expect(publishedKids()).toEqual([world.initialKid]);
    expect(world.violations()).toEqual([]);
    expect(sealedLeaks(output)).toEqual([]);

    // Act again: the same abort once more converges (RETRY-SAFE), and a rotation runs to the end.
    const again = (await world.rotation.run({ ...input, action: 'abort' })) as { abort: unknown };
    await world.rotation.run({ issuerId: ISSUER_ID, rotationId: 'r-after', mode: 'manual' });

    // Assess
    expect(again.abort).toMatchObject({ rotationId: 'r-stopped', newKey: 'dropped' });
    expect(activeKey(world.keyring())?.rotationId).toBe('r-after');
    expect(world.violations()).toEqual([]);
  });
});
