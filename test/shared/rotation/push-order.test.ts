import { beforeAll, describe, expect, it } from 'vitest';
import { NEXT_SECRET_NAME, OPERATOR_NAMESPACE } from '#local/openshift-sim/objects.ts';
import { readSigningPair } from '#local/openshift-sim/secret-data.ts';
import { InvariantViolationError, KeyringConflictError } from '#shared/keyring/errors.ts';
import { findKey } from '#shared/keyring/queries.ts';
import type { RotationPorts } from '#shared/ports.ts';
import {
  confirmVisible,
  generateKey,
  prepareRotation,
  publishNewKey,
  pushKey,
} from '#shared/rotation/index.ts';
import { crashAfterSideEffects, SimulatedCrash } from './crashing-ports.ts';
import {
  createKeyPool,
  createWorld,
  ISSUER_ID,
  type KeyPool,
  pollUntil,
  type World,
} from './rotation-world.ts';

let pool: KeyPool;

beforeAll(async () => {
  pool = await createKeyPool(4);
});

/** Ports that log, in order, each keyring commit (with the state it gives `kid`), vault open and push. */
function recordingPorts(
  ports: RotationPorts,
  kid: string,
  options: { readonly rejectUpdates?: boolean } = {},
): RotationPorts & { readonly calls: string[] } {
  const calls: string[] = [];
  const { store, vault, cluster } = ports;
  return {
    ...ports,
    calls,
    store: {
      ...store,
      read: (issuerId) => store.read(issuerId),
      list: () => store.list(),
      create: (keyring) => store.create(keyring),
      update: async (keyring, revision) => {
        calls.push(`store.update ${findKey(keyring, kid)?.state}`);
        if (options.rejectUpdates === true) {
          throw new KeyringConflictError('ERR_KEYRING_CONFLICT', 'another writer committed first');
        }
        return store.update(keyring, revision);
      },
    },
    vault: {
      ...vault,
      generate: (request) => vault.generate(request),
      seal: (request) => vault.seal(request),
      destroy: (ref) => vault.destroy(ref),
      open: async (ref) => {
        calls.push('vault.open');
        return vault.open(ref);
      },
    },
    cluster: {
      ...cluster,
      rolloutProgress: (progressKid) => cluster.rolloutProgress(progressKid),
      requestToken: (audience) => cluster.requestToken(audience),
      readKeys: () => cluster.readKeys(),
      push: async (pair) => {
        calls.push(`cluster.push ${pair.publicKey.kid === kid ? 'new' : 'other'}`);
        return cluster.push(pair);
      },
    },
  };
}

/** Runs a rotation up to the push: prepared, generated, published, visible, and (unless `early`) past the lead time. */
async function rotateUpToPush(world: World, rotationId: string, early = false): Promise<string> {
  const input = { issuerId: ISSUER_ID, rotationId };
  await prepareRotation(world.ports, { ...input, mode: 'manual' });
  const { kid } = await generateKey(world.ports, input);
  await publishNewKey(world.ports, input);
  const pushNotBefore = await pollUntil(
    world,
    async () => (await confirmVisible(world.ports, input)).pushNotBefore,
  );
  if (!early) world.clock.set(new Date(pushNotBefore));
  return kid;
}

/** kid of the pair in the cluster's next-bound-service-account-signing-key secret, if any. */
function nextSecretKid(world: World): string | undefined {
  return readSigningPair(world.model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME))?.publicKey.kid;
}

describe('pushKey', () => {
  it('commits the promoting record before it opens the private key, then pushes it (PUBLISHED-BEFORE-SIGN, SEALED)', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const kid = await rotateUpToPush(world, 'order');
    const ports = recordingPorts(world.ports, kid);

    // Act
    await pushKey(ports, { issuerId: ISSUER_ID, rotationId: 'order' });

    // Assess
    expect(ports.calls).toEqual(['store.update promoting', 'vault.open', 'cluster.push new']);
    expect(findKey(await world.keyring(), kid)?.state).toBe('promoting');
    expect(nextSecretKid(world)).toBe(kid);
    await world.check();
  });

  it('never opens the private key when the promoting record cannot be committed (SEALED)', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const kid = await rotateUpToPush(world, 'conflict');
    const ports = recordingPorts(world.ports, kid, { rejectUpdates: true });

    // Act
    const push = pushKey(ports, { issuerId: ISSUER_ID, rotationId: 'conflict' });

    // Assess
    await expect(push).rejects.toMatchObject({ code: 'ERR_KEYRING_CONFLICT' });
    expect(ports.calls).toEqual(['store.update promoting']);
    expect(nextSecretKid(world)).not.toBe(kid);
    await world.check();
  });

  it('refuses a push before the lead time has passed without opening the private key (PUBLISHED-BEFORE-SIGN, SEALED)', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const kid = await rotateUpToPush(world, 'early', true);
    const ports = recordingPorts(world.ports, kid);

    // Act
    const push = pushKey(ports, { issuerId: ISSUER_ID, rotationId: 'early' });

    // Assess
    await expect(push).rejects.toBeInstanceOf(InvariantViolationError);
    await expect(push).rejects.toMatchObject({ code: 'ERR_INVARIANT', invariant: 'PUBLISHED-BEFORE-SIGN' });
    expect(ports.calls).toEqual([]);
    expect(nextSecretKid(world)).not.toBe(kid);
  });

  it('still pushes when re-run after a crash between the promoting commit and the push (RETRY-SAFE)', async () => {
    // Prepare: the first run dies right after its keyring commit, before the cluster got anything.
    const world = await createWorld({ pool });
    const kid = await rotateUpToPush(world, 'crash');
    const input = { issuerId: ISSUER_ID, rotationId: 'crash' };
    // The guard is taken first (one rotator at a time), then the record commits; the crash follows it.
    const crashing = crashAfterSideEffects(world.ports, 2);
    await expect(pushKey(crashing, input)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(crashing.performed).toEqual(['cluster.holdRotationGuard', 'store.update']);
    const promoted = findKey(await world.keyring(), kid);
    expect(promoted?.state).toBe('promoting');
    expect(nextSecretKid(world)).not.toBe(kid);
    world.clock.advance(5000);
    const ports = recordingPorts(world.ports, kid);

    // Act
    const result = await pushKey(ports, input);

    // Assess: no second commit, the recorded promotion time kept, and the pair reached the cluster.
    expect(ports.calls).toEqual(['vault.open', 'cluster.push new']);
    expect(result).toEqual({ kid, promotedAt: promoted?.promotedAt });
    expect(findKey(await world.keyring(), kid)?.promotedAt).toBe(promoted?.promotedAt);
    expect(nextSecretKid(world)).toBe(kid);
    await world.check();
  });
});
