import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createJsonLinesAuditLog, keyturnHomeLayout, readAuditLog } from '#shared/adapters/local/index.ts';
import type { AuditEntry } from '#shared/ports.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { FIXTURE_KID, useTemporaryHome } from './local-home.ts';

const home = useTemporaryHome();

function entry(change: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: '2025-01-01T00:00:00.000Z',
    issuerId: 'demo',
    rotationId: 'r1',
    step: 'generate',
    kid: FIXTURE_KID,
    actor: 'test',
    outcome: 'ok',
    ...change,
  };
}

describe('createJsonLinesAuditLog', () => {
  it('appends one JSON line per entry and reads them back in order', async () => {
    // Prepare
    const audit = createJsonLinesAuditLog({ home: home.path });

    // Act
    await audit.append(entry());
    await audit.append(entry({ step: 'publish', detail: 'line one\nline two' }));

    // Assess
    const text = await readFile(keyturnHomeLayout(home.path).auditLog('demo'), 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(await readAuditLog(home.path, 'demo')).toEqual([
      entry(),
      entry({ step: 'publish', detail: 'line one\nline two' }),
    ]);
  });

  it('keeps one log per issuer', async () => {
    const audit = createJsonLinesAuditLog({ home: home.path });

    await audit.append(entry());
    await audit.append(entry({ issuerId: 'prod' }));

    expect(await readAuditLog(home.path, 'demo')).toEqual([entry()]);
    expect(await readAuditLog(home.path, 'prod')).toEqual([entry({ issuerId: 'prod' })]);
  });

  it('keeps every line when many entries are appended at once', async () => {
    const audit = createJsonLinesAuditLog({ home: home.path });

    await Promise.all(
      Array.from({ length: 50 }, (_, index) => audit.append(entry({ rotationId: `r${index}` }))),
    );

    expect(await readAuditLog(home.path, 'demo')).toHaveLength(50);
  });

  it.skipIf(process.platform === 'win32')('creates the log owner-only', async () => {
    await createJsonLinesAuditLog({ home: home.path }).append(entry());

    expect((await stat(keyturnHomeLayout(home.path).auditLog('demo'))).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['a PKCS#1 private key', () => readKeyFixture('rsa2048.private')],
    ['a PKCS#8 private key', () => readKeyFixture('rsa2048.pkcs8.private')],
    ['an encrypted private key', () => readKeyFixture('rsa2048.pkcs8-encrypted.private')],
    ['a PEM BEGIN line of any kind', () => '-----BEGIN CERTIFICATE-----'],
    ['the words PRIVATE KEY', () => 'RSA PRIVATE KEY'],
  ])(
    'writes an entry carrying %s with the material redacted, never failing the append (SEALED, RECOVERABLE)',
    async (_variant, material) => {
      // Prepare
      const audit = createJsonLinesAuditLog({ home: home.path });

      // Act
      await audit.append(entry({ step: 'rollback', detail: `rolled back: ${material()}` }));

      // Assess
      const text = await readFile(keyturnHomeLayout(home.path).auditLog('demo'), 'utf8');
      expect(text).not.toMatch(/PRIVATE KEY|-----BEGIN/);
      for (const line of material().split('\n').slice(1, 4)) {
        if (line.length > 20) expect(text).not.toContain(line);
      }
      const [written] = await readAuditLog(home.path, 'demo');
      expect(written).toMatchObject({ step: 'rollback', kid: FIXTURE_KID, outcome: 'ok' });
      expect(written?.detail).toMatch(/^rolled back: .*\[redacted\]/s);
    },
  );

  it('refuses an unsafe issuer id with ERR_UNSAFE_NAME', async () => {
    await expect(
      createJsonLinesAuditLog({ home: home.path }).append(entry({ issuerId: '../demo' })),
    ).rejects.toMatchObject({ code: 'ERR_UNSAFE_NAME' });
  });
});

describe('readAuditLog', () => {
  it('reads no entries for an issuer without a log', async () => {
    expect(await readAuditLog(home.path, 'demo')).toEqual([]);
  });

  it('skips a last line cut short by a crash', async () => {
    await createJsonLinesAuditLog({ home: home.path }).append(entry());
    await appendFile(keyturnHomeLayout(home.path).auditLog('demo'), '{"time":"2025-01-0');

    expect(await readAuditLog(home.path, 'demo')).toEqual([entry()]);
  });

  it('refuses a damaged line in the middle with ERR_AUDIT_FORMAT', async () => {
    const path = keyturnHomeLayout(home.path).auditLog('demo');
    await createJsonLinesAuditLog({ home: home.path }).append(entry());
    await appendFile(path, 'not json\n');
    await appendFile(path, `${JSON.stringify(entry())}\n`);

    const error = await readAuditLog(home.path, 'demo').catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'ERR_AUDIT_FORMAT' });
    expect((error as Error).message).toContain('line 2');
  });

  it('refuses a line that is JSON but not an object with ERR_AUDIT_FORMAT', async () => {
    await createJsonLinesAuditLog({ home: home.path }).append(entry());
    await writeFile(keyturnHomeLayout(home.path).auditLog('demo'), '[1]\n');

    await expect(readAuditLog(home.path, 'demo')).rejects.toMatchObject({ code: 'ERR_AUDIT_FORMAT' });
  });
});
