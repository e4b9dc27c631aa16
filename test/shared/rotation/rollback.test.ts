import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createJsonLinesAuditLog, readAuditLog } from '#shared/adapters/local/index.ts';
import { findKey } from '#shared/keyring/queries.ts';
import { generateKey, prepareRotation, rollbackRotation } from '#shared/rotation/index.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { createKeyPool, createWorld, ISSUER_ID, type KeyPool } from './rotation-world.ts';

let pool: KeyPool;
beforeAll(async () => {
  pool = await createKeyPool(2);
});

let home: string | undefined;
afterEach(async () => {
  if (home !== undefined) await rm(home, { recursive: true, force: true });
  home = undefined;
});

const pem = readKeyFixture('rsa2048.private');
const pemLine = pem.split('\n')[1] ?? '';

describe('rollbackRotation', () => {
  it.each([
    ['a whole PEM private key', `webhook said: ${pem}`],
    ['the words PRIVATE KEY', 'the cluster refused the RSA PRIVATE KEY block'],
    ['a PEM body without its armour', `webhook said:\n${pem.split('\n').slice(1, 6).join('\n')}`],
  ])(
    'commits and audits a reason quoting %s, with the key material redacted (SEALED, RECOVERABLE)',
    async (_case, reason) => {
      // Prepare
      const world = await createWorld({ pool });
      home = await mkdtemp(join(tmpdir(), 'keyturn-rollback-'));
      const ports = { ...world.ports, audit: createJsonLinesAuditLog({ home }) };
      await prepareRotation(ports, { issuerId: ISSUER_ID, rotationId: 'r', mode: 'manual' });
      const { kid } = await generateKey(ports, { issuerId: ISSUER_ID, rotationId: 'r' });

      // Act
      const rollback = rollbackRotation(ports, { issuerId: ISSUER_ID, rotationId: 'r', reason });

      // Assess
      await expect(rollback).resolves.toMatchObject({ failedKid: kid });
      const keyring = await world.keyring();
      expect(keyring.rotation).toBeUndefined();
      expect(keyring.lastRotation).toMatchObject({ id: 'r', outcome: 'rolled-back' });
      const audit = await readAuditLog(home, ISSUER_ID);
      expect(audit.at(-1)).toMatchObject({ step: 'rollback', outcome: 'ok' });
      expect(audit.at(-1)?.detail).toContain('[redacted]');
      const recorded = JSON.stringify([keyring, audit, findKey(keyring, kid)]);
      expect(recorded).not.toContain('PRIVATE KEY');
      expect(recorded).not.toContain(pemLine);
      await world.check();
    },
  );
});
