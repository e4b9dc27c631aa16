import { beforeAll, describe, expect, it } from 'vitest';
import { activeKey } from '#shared/keyring/queries.ts';
import { createKeyPool, type KeyPool } from '#test/shared/rotation/rotation-world.ts';
import { createWorkflowWorld, ISSUER_ID } from './workflow-world.ts';

let pool: KeyPool;
beforeAll(async () => {
  pool = await createKeyPool(4);
});

describe('the maintenance workflow, run locally from infra/workflows/maintenance.asl.json', () => {
  it('maintains every issuer, removes keys past their grace, and tolerates one failing issuer', async () => {
    const world = await createWorkflowWorld({
      pool,
      policy: { graceSeconds: 0 },
      extraIssuers: ['https://oidc.example.com/cluster-b'],
    });
    const previousKid = activeKey(await world.keyring())?.kid ?? '';
    await world.rotation.run({
      issuerId: ISSUER_ID,
      rotationId: 'r-1',
      mode: 'scheduled',
      leadTimeSeconds: 1,
    });
    expect(await world.publicKids()).toContain(previousKid);

    const output = (await world.maintenance.run({ issuerIds: [ISSUER_ID, 'cluster-b', 'ghost'] })) as {
      results: Record<string, unknown>[];
    };

    const [a, b, ghost] = output.results;
    expect(a).toMatchObject({
      issuerId: ISSUER_ID,
      maintain: { removed: [previousKid], destroyed: [previousKid] },
    });
    expect(b).toMatchObject({ issuerId: 'cluster-b', maintain: { removed: [] } });
    expect(ghost).toMatchObject({ issuerId: 'ghost', failed: true, error: { Error: 'IssuerNotFoundError' } });
    expect(await world.publicKids()).not.toContain(previousKid);
    expect(await world.violations()).toEqual([]);
    expect(world.maintenance.tasks).toEqual(new Map([['MaintainIssuer', 'maintain']]));
  });
});
