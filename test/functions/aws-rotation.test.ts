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
