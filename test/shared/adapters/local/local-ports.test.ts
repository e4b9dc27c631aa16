import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startIssuerServer } from '#local/issuer-server.ts';
import { createLocalPorts, keyturnHomeLayout, readAuditLog } from '#shared/adapters/local/index.ts';
import type { KeyRecord } from '#shared/keyring/keyring.ts';
import { buildIssuerDocuments } from '#shared/keyring/queries.ts';
import type { ClusterSigner } from '#shared/ports.ts';
import { makeKeyring, privateSecretsOf, useTemporaryHome } from './local-home.ts';

const home = useTemporaryHome();

/** These tests never reach the cluster. */
const unusedCluster: ClusterSigner = {
  push: () => Promise.reject(new Error('not used')),
  rolloutProgress: () => Promise.reject(new Error('not used')),
  requestToken: () => Promise.reject(new Error('not used')),
  readKeys: () => Promise.reject(new Error('not used')),
  readStability: () => Promise.reject(new Error('not used')),
  readTokenLifetime: () => Promise.reject(new Error('not used')),
  readPoolReboot: () => Promise.reject(new Error('not used')),
  requestPoolReboot: () => Promise.reject(new Error('not used')),
  rebootProgress: () => Promise.reject(new Error('not used')),
  readRotationGuard: () => Promise.reject(new Error('not used')),
  holdRotationGuard: () => Promise.reject(new Error('not used')),
  releaseRotationGuard: () => Promise.reject(new Error('not used')),
};

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('createLocalPorts', () => {
  it('wires the given cluster, clock and actor, with defaults', () => {
    const clock = { now: () => new Date('2025-01-01T00:00:00Z') };

    const given = createLocalPorts({ home: home.path, cluster: unusedCluster, clock, actor: 'cli:alice' });
    const defaults = createLocalPorts({ home: home.path, cluster: unusedCluster });

    expect(given.cluster).toBe(unusedCluster);
    expect(given.clock).toBe(clock);
    expect(given.actor).toBe('cli:alice');
    expect(defaults.actor).toBe('local');
    expect(Math.abs(defaults.clock.now().getTime() - Date.now())).toBeLessThan(5_000);
  });

  it('generates, records, publishes, reads back and audits a key under one home (SEALED)', async () => {
    // Prepare
    const layout = keyturnHomeLayout(home.path);
    const server = await startIssuerServer({ root: layout.publicDir });
    try {
      const ports = createLocalPorts({ home: home.path, cluster: unusedCluster, actor: 'test' });
      const issuerUrl = `${server.url}/demo`;

      // Act
      const key = await ports.vault.generate({ issuerId: 'demo', slot: 'r1', bits: 2048 });
      const record: KeyRecord = {
        kid: key.kid,
        publicKeyPem: key.publicKeyPem,
        bits: key.bits,
        state: 'published',
        vaultRef: key.ref,
        origin: 'generated',
        rotationId: 'r1',
        generatedAt: ports.clock.now().toISOString(),
      };
      const { keyring } = await ports.store.create(makeKeyring('demo', { issuerUrl, keys: [record] }));
      await ports.publisher.publish(issuerUrl, buildIssuerDocuments(keyring));
      await ports.publisher.invalidate(issuerUrl);
      const view = await ports.publisher.readPublic(issuerUrl);
      await ports.audit.append({
        time: ports.clock.now().toISOString(),
        issuerId: 'demo',
        rotationId: 'r1',
        step: 'publish',
        kid: key.kid,
        actor: ports.actor,
        outcome: 'ok',
      });
      const privateKey = await ports.vault.open(key.ref);

      // Assess
      expect(view.kids).toEqual([key.kid]);
      expect(await ports.store.list()).toEqual(['demo']);
      expect(await readAuditLog(home.path, 'demo')).toHaveLength(1);
      expect(privateKey.publicKey.kid).toBe(key.kid);
      const secrets = privateSecretsOf(privateKey);
      expect(secrets.length).toBeGreaterThan(20);
      for (const file of await filesUnder(home.path)) {
        const text = await readFile(file, 'latin1');
        expect(text).not.toContain('PRIVATE KEY');
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
    } finally {
      await server.close();
    }
  });
});
