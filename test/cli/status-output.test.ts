import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { renderKeyHistory } from '#cli/key-timeline.ts';
import { STATUS_API_VERSION, statusDocumentSchema } from '#cli/status-document.ts';
import { createFileKeyringStore } from '#shared/adapters/local/index.ts';
import { freePort, makeTempDirectory, runKeyturn } from './run-keyturn.ts';

let directory: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  // Arrange (shared): an issuer rotated once, so it has an active and a retired key.
  directory = await makeTempDirectory();
  const issuer = `http://127.0.0.1:${await freePort()}/demo`;
  const init = await runKeyturn(
    ['init', '--local', '--issuer', issuer, '--bits', '2048', '--lead-time', '1s'],
    { cwd: directory.path },
  );
  expect(init.code).toBe(0);
  const rotation = await runKeyturn(['rotate', '--local'], { cwd: directory.path });
  expect(rotation.code, rotation.err).toBe(0);
}, 120_000);
afterAll(async () => {
  await directory.remove();
});

describe('keyturn status -o json|yaml (issue 14: a documented, versioned schema)', () => {
  it('prints one document on stdout that the schema accepts, with each key’s events in order', async () => {
    // Act
    const result = await runKeyturn(['status', '-o', 'json'], { cwd: directory.path });

    // Assess
    expect(result.code).toBe(0);
    const document = statusDocumentSchema.parse(JSON.parse(result.out));
    expect(document.apiVersion).toBe(STATUS_API_VERSION);
    const [issuer] = document.issuers;
    expect(issuer?.keys.map((key) => key.state)).toEqual(['retired', 'active']);
    const active = issuer?.keys[1];
    expect(active?.events.map((event) => event.event)).toEqual([
      'generated',
      'published',
      'visible',
      'pushed',
      'active',
    ]);
    const times = active?.events.map((event) => Date.parse(event.at)) ?? [];
    expect(times).toEqual(times.toSorted((a, b) => a - b));
    expect(issuer?.keys[0]?.removeAfter).toBeDefined();
    expect(result.out).not.toMatch(/PRIVATE KEY|"d":/);
  });

  it('prints the same document as YAML', async () => {
    // Act
    const json = await runKeyturn(['status', '--output', 'json'], { cwd: directory.path });
    const yaml = await runKeyturn(['status', '--output', 'yaml'], { cwd: directory.path });

    // Assess: the same content; only readAt differs between the two runs.
    const withoutTime = (document: unknown) => ({ ...(document as object), readAt: undefined });
    expect(withoutTime(load(yaml.out))).toEqual(withoutTime(JSON.parse(json.out)));
  });

  it('prints an empty document, not a sentence, when an asked-for issuer does not exist', async () => {
    // Act
    const result = await runKeyturn(['status', '--issuer', 'nope', '-o', 'json'], { cwd: directory.path });

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ issuers: [], notFound: ['nope'] });
  });

  it('refuses an unknown format as a usage error (exit 2)', async () => {
    // Act
    const result = await runKeyturn(['status', '-o', 'xml'], { cwd: directory.path });

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toContain('expected one of table, json, yaml');
  });

  it('is the schema docs/schemas/status-v1.schema.json publishes', async () => {
    // Arrange
    const file = join(import.meta.dirname, '..', '..', 'docs', 'schemas', 'status-v1.schema.json');
    const generated = JSON.parse(JSON.stringify(z.toJSONSchema(statusDocumentSchema)));
    if (process.env.KEYTURN_WRITE_SCHEMAS === '1') {
      await writeFile(file, `${JSON.stringify(generated, null, 2)}\n`);
    }

    // Assess (regenerate: KEYTURN_WRITE_SCHEMAS=1 npm exec -- vitest run test/cli/status-output.test.ts)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(generated);
  });
});

describe('keyturn status --history (issue 14: a key timeline)', () => {
  it('shows each key’s times and a timeline a person reads at a glance', async () => {
    // Act
    const result = await runKeyturn(['status', '--history'], {
      cwd: directory.path,
      env: { LANG: 'en_US.UTF-8' },
    });

    // Assess
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/KID\s+GENERATED\s+VISIBLE\s+PUSHED\s+ACTIVE\s+RETIRED\s+REMOVED/);
    const bars = result.out.split('\n').filter((line) => line.includes('|'));
    expect(bars).toHaveLength(2);
    // How much of each bar is retired or active depends on how long ago the rotation ended (read now);
    // the next test draws at a fixed time.
    expect(bars[0]).toMatch(/\|█+▒*\|\s+retired$/);
    expect(bars[1]).toMatch(/\|\s+░*█*\|\s+active$/);
    expect(result.out).toContain('█ active (signing)');
  });

  it('draws each phase where it happened: published, active, then retired (read at a fixed time)', async () => {
    // Arrange: read as long after the rotation as the issuer had lived before it.
    const keyring = (await createFileKeyringStore({ home: join(directory.path, '.keyturn') }).read('demo'))
      ?.keyring;
    if (keyring === undefined) throw new Error('no keyring');
    const start = Date.parse(keyring.keys[0]?.generatedAt ?? '');
    const rotated = Date.parse(keyring.keys[1]?.activatedAt ?? '');
    const now = new Date(rotated + (rotated - start));

    // Act
    const unicode = renderKeyHistory(keyring, now, { unicode: true, width: 40 });
    const ascii = renderKeyHistory(keyring, now, { unicode: false, width: 40 });

    // Assess: the old key signed until the rotation (first half), then stayed published; the new key was
    // published ahead of the push and signs from then on.
    const bars = unicode.split('\n').filter((line) => line.includes('|'));
    expect(bars[0]).toMatch(/\|█{19,21}▒{19,21}\|\s+retired$/);
    expect(bars[1]).toMatch(/\|\s+░+█{19,21}\|\s+active$/);
    expect(ascii).not.toMatch(/[█▒░]/);
    expect(ascii).toMatch(/\|#{19,21}={19,21}\|\s+retired/);
  });

  it('draws with ASCII when the locale is not UTF-8', async () => {
    // Act
    const result = await runKeyturn(['status', '--history'], { cwd: directory.path, env: { LANG: 'C' } });

    // Assess
    expect(result.out).not.toMatch(/[█▒░]/);
    expect(result.out).toMatch(/\|#+=*\|\s+retired/);
  });
});
