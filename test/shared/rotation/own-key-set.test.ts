import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IssuerPublisher } from '#shared/ports.ts';
import { maintainIssuer } from '#shared/rotation/index.ts';
import { createKeyPool, createWorld, ISSUER_ID, ISSUER_URL, type KeyPool } from './rotation-world.ts';

let pool: KeyPool;
beforeAll(async () => {
  pool = await createKeyPool(1);
});

describe("keyturn's own keys.json read back", () => {
  it('reports an EC key found in it as a finding and republishes from the keyring, never keeping it (ALWAYS-VALID)', async () => {
    // Prepare: someone with write access to the issuer bucket appends an EC key.
    const world = await createWorld({ pool });
    const published = await world.publisher.readPublic(ISSUER_URL);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const { keys } = JSON.parse(published.keySet) as { keys: unknown[] };
    const tampered = JSON.stringify({ keys: [...keys, { ...ec, kid: 'planted' }] });
    let reads = 0;
    const publisher: IssuerPublisher = {
      ...world.publisher,
      readPublic: async (url) => {
        reads += 1;
        return reads === 1
          ? { kids: [...published.kids, 'planted'], keySet: tampered }
          : world.publisher.readPublic(url);
      },
    };

    // Act
    const result = await maintainIssuer({ ...world.ports, publisher }, { issuerId: ISSUER_ID });

    // Assess
    expect(result).toMatchObject({
      publicJwksReachable: false,
      publicJwksError: 'ERR_KEYSET_INVALID',
      republished: true,
    });
    expect(world.audit).toContainEqual(
      expect.objectContaining({
        step: 'read-public',
        outcome: 'failed',
        detail: expect.stringContaining('ERR_KEYSET_INVALID'),
      }),
    );
    expect((await world.publisher.readPublic(ISSUER_URL)).keySet).not.toContain('planted');
    await world.check();
  });
});
