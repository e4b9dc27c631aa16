import { beforeAll, describe, expect, it } from 'vitest';
import { lazyAwsPorts, REQUIRED_ENV } from '#functions/aws-ports.ts';
import { initIssuer, prepareRotation } from '#shared/rotation/index.ts';
import {
  KEY_SET_MAX_AGE_SECONDS,
  MAX_LEAD_TIME_SECONDS,
  shortLeadTimeWarning,
} from '#shared/rotation/lead-time-bound.ts';
import { createKeyPool, createWorld, ISSUER_ID, type KeyPool } from './rotation-world.ts';

let pool: KeyPool;
beforeAll(async () => {
  pool = await createKeyPool(2);
});

describe('the lead time a rotation can wait out (RECOVERABLE)', () => {
  it('refuses a longer lead time before anything is written, naming the bound', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const before = await world.keyring();

    // Act
    const refused = await prepareRotation(world.ports, {
      issuerId: ISSUER_ID,
      rotationId: 'r1',
      mode: 'manual',
      leadTimeSeconds: MAX_LEAD_TIME_SECONDS + 1,
    }).catch((error: unknown) => error);

    // Assess
    expect(refused).toMatchObject({ code: 'ERR_ROTATION_REQUEST' });
    expect((refused as Error).message).toContain(
      `longer than one rotation can wait (${MAX_LEAD_TIME_SECONDS} s, 3 h`,
    );
    expect(await world.keyring()).toEqual(before);
  });

  it('accepts the bound itself', async () => {
    // Prepare
    const world = await createWorld({ pool });

    // Act
    const prepared = await prepareRotation(world.ports, {
      issuerId: ISSUER_ID,
      rotationId: 'r1',
      mode: 'manual',
      leadTimeSeconds: MAX_LEAD_TIME_SECONDS,
    });

    // Assess
    expect(prepared.leadTimeSeconds).toBe(MAX_LEAD_TIME_SECONDS);
  });
});

/** A world whose ports behave as a deployed function's: short lead times refused (functions/aws-ports.ts). */
async function awsWorld(policy: { leadTimeSeconds?: number } = {}) {
  const world = await createWorld({ pool, policy });
  return { world, ports: { ...world.ports, shortLeadTime: 'refuse' as const } };
}

describe('a lead time shorter than keys.json’s max-age (PUBLISHED-BEFORE-SIGN, NO-ORPHAN-TOKENS)', () => {
  it('is the max-age keyturn publishes keys.json with', () => {
    expect(KEY_SET_MAX_AGE_SECONDS).toBe(300);
  });

  it.each([
    ['manual', 0],
    ['manual', KEY_SET_MAX_AGE_SECONDS - 1],
    ['scheduled', 0],
  ] as const)(
    'refuses a %s rotation of %i s on AWS before anything is written, naming the max-age and the flag',
    async (mode, leadTimeSeconds) => {
      // Prepare
      const { world, ports } = await awsWorld();
      const before = await world.keyring();

      // Act
      const refused = await prepareRotation(ports, {
        issuerId: ISSUER_ID,
        rotationId: 'r1',
        mode,
        leadTimeSeconds,
      }).catch((error: unknown) => error);

      // Assess
      expect(refused).toMatchObject({ code: 'ERR_ROTATION_REQUEST' });
      expect((refused as Error).message).toContain(`shorter than the 300 s keys.json is cached for`);
      expect((refused as Error).message).toContain('Give --lead-time 300s or more');
      expect(await world.keyring()).toEqual(before);
    },
  );

  it('refuses on AWS a scheduled rotation whose policy lead time is shorter', async () => {
    // Prepare: a keyring made before the bound existed (or locally, then moved).
    const { ports } = await awsWorld({ leadTimeSeconds: 60 });

    // Act
    const refused = await prepareRotation(ports, {
      issuerId: ISSUER_ID,
      rotationId: 'r1',
      mode: 'scheduled',
    }).catch((error: unknown) => error);

    // Assess
    expect(refused).toMatchObject({ code: 'ERR_ROTATION_REQUEST' });
  });

  it('accepts the max-age itself on AWS', async () => {
    const { ports } = await awsWorld();

    const prepared = await prepareRotation(ports, {
      issuerId: ISSUER_ID,
      rotationId: 'r1',
      mode: 'manual',
      leadTimeSeconds: KEY_SET_MAX_AGE_SECONDS,
    });

    expect(prepared.leadTimeSeconds).toBe(KEY_SET_MAX_AGE_SECONDS);
  });

  it('lets an emergency rotation on AWS wait less: the compromised key must go', async () => {
    // Prepare
    const { world, ports } = await awsWorld();
    const compromisedKid = (await world.keyring()).keys.find((key) => key.state === 'active')?.kid;

    // Act
    const prepared = await prepareRotation(ports, {
      issuerId: ISSUER_ID,
      rotationId: 'r1',
      mode: 'emergency',
      ...(compromisedKid === undefined ? {} : { compromisedKid }),
      leadTimeSeconds: 0,
    });

    // Assess
    expect(prepared.leadTimeSeconds).toBe(0);
  });

  it('refuses on AWS to create an issuer whose policy waits less', async () => {
    // Prepare
    const { ports } = await awsWorld();

    // Act
    const refused = await initIssuer(ports, {
      issuerUrl: 'https://oidc.example.com/other',
      policy: { leadTimeSeconds: 5 },
    }).catch((error: unknown) => error);

    // Assess
    expect(refused).toMatchObject({ code: 'ERR_ROTATION_REQUEST' });
    expect(await ports.store.read('other')).toBeUndefined();
  });

  it('goes on locally, where the CLI prints the warning instead', async () => {
    // Prepare: local ports leave shortLeadTime unset.
    const world = await createWorld({ pool });

    // Act
    const prepared = await prepareRotation(world.ports, {
      issuerId: ISSUER_ID,
      rotationId: 'r1',
      mode: 'manual',
      leadTimeSeconds: 5,
    });
    const warning = shortLeadTimeWarning(ISSUER_ID, 5, 'manual');

    // Assess
    expect(prepared.leadTimeSeconds).toBe(5);
    expect(warning).toMatch(
      /^warning: .*5 s is shorter than the 300 s keys\.json is cached for.*--lead-time 300s/,
    );
    expect(shortLeadTimeWarning(ISSUER_ID, 5, 'emergency')).toBeUndefined();
    expect(shortLeadTimeWarning(ISSUER_ID, KEY_SET_MAX_AGE_SECONDS)).toBeUndefined();
  });

  it('is refused by the ports every deployed task function builds', async () => {
    // Prepare: the environment the stack gives each function (infra/constructs/function-environment.ts).
    const saved = { ...process.env };
    const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/0b6f2bd1-6a9b-4f51-9c2f-3c5d1e0f9a11';
    process.env.AWS_REGION = 'eu-west-1';
    for (const name of REQUIRED_ENV) process.env[name] = name.endsWith('_BUCKET') ? 'keyturn-bucket' : keyArn;

    try {
      // Act
      const ports = await lazyAwsPorts()(ISSUER_ID);

      // Assess
      expect(ports.shortLeadTime).toBe('refuse');
    } finally {
      process.env = saved;
    }
  });
});
