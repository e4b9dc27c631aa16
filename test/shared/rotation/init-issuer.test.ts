import { describe, expect, it } from 'vitest';
import {
  createManualClock,
  createMemoryAuditLog,
  createMemoryKeyringStore,
  createMemoryPublisher,
  createMemoryVault,
} from '#shared/adapters/memory/index.ts';
import { initIssuer } from '#shared/rotation/index.ts';
import { createKeyPool } from './rotation-world.ts';

const pool = await createKeyPool(2);

function memoryPorts() {
  const clock = createManualClock(new Date('2026-03-01T00:00:00.000Z'));
  const vault = createMemoryVault({ generate: () => pool.take() });
  const store = createMemoryKeyringStore();
  const publisher = createMemoryPublisher({ clock });
  return { vault, store, publisher, clock, audit: createMemoryAuditLog(), actor: 'test' };
}

describe('initIssuer', () => {
  it.each([
    ['the same URL', 'https://oidc.example.com/cluster-a', undefined],
    ['another host with the same path', 'https://other.example.com/cluster-a', undefined],
    ['a path through its keys.json', 'https://oidc.example.com/cluster-a/keys.json', undefined],
    [
      'a path through its discovery document',
      'https://oidc.example.com/cluster-a/.well-known/openid-configuration',
      undefined,
    ],
    ['the same location, as the publisher says', 'https://x.example.com/b', () => 'bucket/'],
  ])(
    'refuses (ERR_ISSUER_URL_TAKEN) %s as another issuer, before writing anything',
    async (_case, url, at) => {
      // Prepare
      const ports = memoryPorts();
      await initIssuer(ports, {
        issuerUrl: 'https://oidc.example.com/cluster-a',
        ...(at === undefined ? {} : { publishedAt: at }),
      });
      const refs = ports.vault.refs();

      // Act
      const init = initIssuer(ports, {
        issuerUrl: url,
        issuerId: 'other',
        ...(at === undefined ? {} : { publishedAt: at }),
      });

      // Assess
      await expect(init).rejects.toMatchObject({ name: 'IssuerExistsError', code: 'ERR_ISSUER_URL_TAKEN' });
      await expect(init).rejects.toThrow(
        'issuer cluster-a already publishes https://oidc.example.com/cluster-a',
      );
      expect(ports.vault.refs()).toEqual(refs);
      expect(await ports.store.list()).toEqual(['cluster-a']);
    },
  );

  it('creates issuers whose documents do not overlap: another path, a sibling under it', async () => {
    // Prepare
    const ports = memoryPorts();
    await initIssuer(ports, { issuerUrl: 'https://oidc.example.com/cluster-a' });

    // Act
    const sibling = await initIssuer(ports, { issuerUrl: 'https://oidc.example.com/cluster-a/b' });

    // Assess
    expect(sibling.issuerId).toBe('cluster-a-b');
    expect(await ports.store.list()).toEqual(['cluster-a', 'cluster-a-b']);
  });
});

describe('initIssuer, when a check or a write fails', () => {
  it.each([
    ['an issuer id the keyring cannot hold', { issuerId: 'a'.repeat(64) }],
    ['an issuer id with capitals', { issuerId: 'Prod' }],
    ['a policy the keyring cannot hold', { policy: { rotationIntervalDays: 0 } }],
  ])('refuses %s with ERR_ROTATION_REQUEST before sealing anything (RECOVERABLE)', async (_case, change) => {
    // Prepare
    const ports = memoryPorts();

    // Act
    const init = initIssuer(ports, { issuerUrl: 'https://oidc.example.com/cluster-a', ...change });

    // Assess
    await expect(init).rejects.toMatchObject({ code: 'ERR_ROTATION_REQUEST' });
    await expect(init).rejects.toThrow('nothing was created');
    expect(ports.vault.refs()).toEqual([]);
    expect(await ports.store.list()).toEqual([]);
  });

  it('destroys the key it sealed when the keyring cannot be created (RECOVERABLE)', async () => {
    // Prepare
    const ports = memoryPorts();
    const store = {
      ...ports.store,
      create: async () => {
        throw new Error('disk full');
      },
    };

    // Act
    const init = initIssuer({ ...ports, store }, { issuerUrl: 'https://oidc.example.com/cluster-a' });

    // Assess
    await expect(init).rejects.toThrow('disk full');
    expect(ports.vault.refs()).toEqual([]);
  });

  it('names keyturn maintain when the keyring is created but publishing fails (RECOVERABLE)', async () => {
    // Prepare
    const ports = memoryPorts();
    const publisher = {
      ...ports.publisher,
      publish: async () => {
        throw new Error('bucket unreachable');
      },
    };

    // Act
    const init = initIssuer({ ...ports, publisher }, { issuerUrl: 'https://oidc.example.com/cluster-a' });

    // Assess
    await expect(init).rejects.toMatchObject({ name: 'InitIncompleteError', code: 'ERR_INIT_INCOMPLETE' });
    await expect(init).rejects.toThrow(
      'issuer cluster-a was created, but publishing its documents failed (Error: bucket unreachable); fix the cause and publish them with keyturn maintain --issuer cluster-a',
    );
    expect(await ports.store.list()).toEqual(['cluster-a']);
    expect(ports.vault.refs()).toHaveLength(1);
  });
});
