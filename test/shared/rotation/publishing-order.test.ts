/**
 * How keyring revisions are ordered for publishing (issue 16, item 1): a generation that grows with every
 * commit, carried by the published documents, so that a publisher keeps the newest.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryAuditLog,
  createMemoryKeyringStore,
  createMemoryVault,
} from '#shared/adapters/memory/index.ts';
import { buildIssuerDocuments } from '#shared/keyring/queries.ts';
import { initIssuer, maintainIssuer } from '#shared/rotation/index.ts';
import type { RotationRequest } from './drive-rotation.ts';
import { driveSteps, pausingPorts } from './rotation-race.ts';
import { createKeyPool, createWorld, ISSUER_ID, ISSUER_URL, type KeyPool } from './rotation-world.ts';

let pool: KeyPool;
beforeAll(async () => {
  pool = await createKeyPool(4);
});

const REQUEST: RotationRequest = { issuerId: ISSUER_ID, rotationId: 'r1', mode: 'manual' };

describe('the publishing order of keyring revisions', () => {
  it('starts a keyring at its creation time and raises its generation by one with every commit that changes it; keys.json follows (RETRY-SAFE)', async () => {
    // Prepare: the world's issuer was created at its clock's start.
    const world = await createWorld({ pool });
    const counting = pausingPorts(world.ports, 0, async () => undefined);

    // Act
    await driveSteps({ ...world, ports: counting.ports }, REQUEST, async () => undefined);
    await maintainIssuer(counting.ports, { issuerId: ISSUER_ID });

    // Assess
    const commits = counting.calls.filter((call) => call === 'store.update').length;
    const keyring = await world.keyring();
    expect(commits).toBeGreaterThan(5);
    expect(keyring.generation).toBe(Date.parse('2026-03-01T00:00:00.000Z') + commits);
    expect(world.publisher.origin(ISSUER_URL)?.keySet).toBe(buildIssuerDocuments(keyring).keySet);
    expect(world.publisher.origin(ISSUER_URL)?.generation).toBeLessThanOrEqual(keyring.generation ?? 0);
  });

  it('lets an issuer created again replace the documents of the keyring it replaces (ALWAYS-VALID)', async () => {
    // Prepare: an issuer that rotated (its keyring many generations on), whose keyring was then deleted.
    const world = await createWorld({ pool });
    await driveSteps(world, REQUEST, async () => undefined);
    const before = world.publisher.origin(ISSUER_URL)?.generation ?? 0;
    world.clock.advance(60_000);
    const ports = {
      vault: createMemoryVault({ generate: () => pool.take() }),
      store: createMemoryKeyringStore(),
      publisher: world.publisher,
      clock: world.clock,
      audit: createMemoryAuditLog(),
      actor: 'test',
    };

    // Act
    const init = await initIssuer(ports, { issuerUrl: ISSUER_URL, policy: { keyBits: 2048 } });

    // Assess
    const published = world.publisher.origin(ISSUER_URL);
    expect(published?.generation).toBeGreaterThan(before);
    expect(JSON.parse(published?.keySet ?? '{}')).toMatchObject({ keys: [{ kid: init.kid }] });
  });
});
