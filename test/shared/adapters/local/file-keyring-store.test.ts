import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileKeyringStore, keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import { serializeKeyring } from '#shared/keyring/keyring.ts';
import { makeKeyring, useTemporaryHome } from './local-home.ts';

const home = useTemporaryHome();

/** A keyring changed in a way that changes its file (and so its revision). */
function withAudience(audience: string) {
  const keyring = makeKeyring();
  return { ...keyring, policy: { ...keyring.policy, audience } };
}

/** Runs update-keyring-child.ts in its own node process; resolves once it has read the keyring. */
async function startChild(audience: string): Promise<{ go(): void; result: Promise<unknown> }> {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'update-keyring-child.ts'), home.path, 'demo', audience],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8');
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before it was ready`)));
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.startsWith('ready\n')) resolve();
    });
  });
  const result = once(child, 'exit').then(() => JSON.parse(output.slice('ready\n'.length)) as unknown);
  await ready;
  return { go: () => child.stdin.write('go\n'), result };
}

describe('createFileKeyringStore', () => {
  it('creates a keyring and reads it back with the same revision', async () => {
    // Prepare
    const store = createFileKeyringStore({ home: home.path });

    // Act
    const created = await store.create(makeKeyring());
    const read = await store.read('demo');

    // Assess
    expect(read).toEqual(created);
    expect(created.revision).toMatch(/^[0-9a-f]{16}$/);
    const { mac, ...stored } = JSON.parse(
      await readFile(keyturnHomeLayout(home.path).keyring('demo'), 'utf8'),
    );
    expect(stored).toEqual(JSON.parse(serializeKeyring(makeKeyring())));
    expect(mac).toMatch(/^hmac-sha256:[\w-]{43}$/);
  });

  it.skipIf(process.platform === 'win32')('writes the keyring owner-only', async () => {
    await createFileKeyringStore({ home: home.path }).create(makeKeyring());

    expect((await stat(keyturnHomeLayout(home.path).keyring('demo'))).mode & 0o777).toBe(0o600);
  });

  it('reads undefined for an issuer without a keyring', async () => {
    expect(await createFileKeyringStore({ home: home.path }).read('demo')).toBeUndefined();
  });

  it('refuses to create a keyring that exists with ERR_ISSUER_EXISTS', async () => {
    const store = createFileKeyringStore({ home: home.path });
    const created = await store.create(makeKeyring());

    await expect(store.create(withAudience('other'))).rejects.toMatchObject({ code: 'ERR_ISSUER_EXISTS' });
    expect(await store.read('demo')).toEqual(created);
  });

  it('lets exactly one of many concurrent creators win (ONE-SIGNER)', async () => {
    const stores = Array.from({ length: 8 }, () => createFileKeyringStore({ home: home.path }));

    const outcomes = await Promise.allSettled(
      stores.map((store, index) => store.create(withAudience(`aud-${index}`))),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes.filter((each) => each.status === 'rejected')) {
      expect(outcome.reason).toMatchObject({ code: 'ERR_ISSUER_EXISTS' });
    }
  });

  it('updates from the current revision and returns the new one', async () => {
    const store = createFileKeyringStore({ home: home.path });
    const created = await store.create(makeKeyring());

    const updated = await store.update(withAudience('other'), created.revision);

    expect(updated.revision).not.toBe(created.revision);
    expect(await store.read('demo')).toEqual(updated);
    expect(updated.keyring.policy.audience).toBe('other');
  });

  it('refuses an update from a stale revision with ERR_KEYRING_CONFLICT', async () => {
    const store = createFileKeyringStore({ home: home.path });
    const created = await store.create(makeKeyring());
    const updated = await store.update(withAudience('first'), created.revision);

    const error = await store
      .update(withAudience('second'), created.revision)
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'ERR_KEYRING_CONFLICT' });
    expect((error as Error).message).toContain('re-read it and retry');
    expect(await store.read('demo')).toEqual(updated);
  });

  it('lets exactly one of two concurrent updates from one revision win (ONE-SIGNER)', async () => {
    const store = createFileKeyringStore({ home: home.path });
    const created = await store.create(makeKeyring());

    const outcomes = await Promise.allSettled([
      createFileKeyringStore({ home: home.path }).update(withAudience('one'), created.revision),
      createFileKeyringStore({ home: home.path }).update(withAudience('two'), created.revision),
    ]);

    const [won, lost] = [
      outcomes.filter((outcome) => outcome.status === 'fulfilled'),
      outcomes.filter((outcome) => outcome.status === 'rejected'),
    ];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toMatchObject({ code: 'ERR_KEYRING_CONFLICT' });
    expect(await store.read('demo')).toEqual(won[0]?.value);
  });

  it('lets exactly one of two processes updating from one revision win (ONE-SIGNER)', async () => {
    // Prepare
    await createFileKeyringStore({ home: home.path }).create(makeKeyring());
    const children = await Promise.all([startChild('one'), startChild('two')]);

    // Act
    for (const child of children) child.go();
    const results = await Promise.all(children.map((child) => child.result));

    // Assess
    expect(results).toContainEqual({ ok: true });
    expect(results).toContainEqual({ code: 'ERR_KEYRING_CONFLICT' });
    const stored = await createFileKeyringStore({ home: home.path }).read('demo');
    expect(['one', 'two']).toContain(stored?.keyring.policy.audience);
  });

  it('refuses to update an issuer that has no keyring with ERR_ISSUER_NOT_FOUND', async () => {
    await expect(
      createFileKeyringStore({ home: home.path }).update(makeKeyring(), '0000000000000000'),
    ).rejects.toMatchObject({ code: 'ERR_ISSUER_NOT_FOUND' });
  });

  it.each([
    ['a live process of this machine', () => ({ pid: process.pid })],
    ['a process of another machine', async () => ({ pid: await goneProcessId(), host: 'elsewhere.example' })],
  ])('gives up with ERR_KEYRING_CONFLICT while %s holds a fresh lock', async (_holder, holder) => {
    const store = createFileKeyringStore({ home: home.path, lock: { attempts: 3, retryDelayMs: 1 } });
    const created = await store.create(makeKeyring());
    const lockPath = `${keyturnHomeLayout(home.path).keyring('demo')}.lock`;
    const { pid, ...host } = await holder();
    await writeFile(lockPath, JSON.stringify({ pid, ...host, time: new Date().toISOString(), token: 'x' }));

    const error = await store
      .update(withAudience('other'), created.revision)
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'ERR_KEYRING_CONFLICT' });
    expect((error as Error).message).toContain(`pid ${pid}`);
    expect(await readFile(lockPath, 'utf8')).toContain(String(pid));
  });

  it('breaks at once a fresh lock whose process is gone, as a killed keyturn leaves it (RECOVERABLE)', async () => {
    const store = createFileKeyringStore({ home: home.path, lock: { attempts: 3, retryDelayMs: 1 } });
    const created = await store.create(makeKeyring());
    const lockPath = `${keyturnHomeLayout(home.path).keyring('demo')}.lock`;
    const pid = await goneProcessId();
    await writeFile(
      lockPath,
      JSON.stringify({ pid, host: hostname(), time: new Date().toISOString(), token: 'x' }),
    );

    const updated = await store.update(withAudience('other'), created.revision);

    expect(updated.keyring.policy.audience).toBe('other');
    expect(await readdir(keyturnHomeLayout(home.path).keyringsDir)).toEqual(['demo.json']);
  });

  it.each([
    [
      'with a time 31 s ago',
      JSON.stringify({ pid: 4242, time: new Date(Date.now() - 31_000).toISOString(), token: 'x' }),
    ],
    ['left empty by a crash, 31 s ago', ''],
  ])('breaks a stale lock %s', async (_variant, content) => {
    const store = createFileKeyringStore({ home: home.path, lock: { attempts: 3, retryDelayMs: 1 } });
    const created = await store.create(makeKeyring());
    const lockPath = `${keyturnHomeLayout(home.path).keyring('demo')}.lock`;
    await writeFile(lockPath, content);
    const past = new Date(Date.now() - 31_000);
    await utimes(lockPath, past, past);

    const updated = await store.update(withAudience('other'), created.revision);

    expect(updated.keyring.policy.audience).toBe('other');
    expect(await readdir(keyturnHomeLayout(home.path).keyringsDir)).toEqual(['demo.json']);
  });

  it('lets exactly one of many updaters win when they all find a stale lock (ONE-SIGNER)', async () => {
    const created = await createFileKeyringStore({ home: home.path }).create(makeKeyring());
    const lockPath = `${keyturnHomeLayout(home.path).keyring('demo')}.lock`;
    await writeFile(
      lockPath,
      JSON.stringify({ pid: 4242, time: new Date(Date.now() - 60_000).toISOString(), token: 'x' }),
    );

    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, index) =>
        createFileKeyringStore({ home: home.path }).update(withAudience(`aud-${index}`), created.revision),
      ),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes.filter((each) => each.status === 'rejected')) {
      expect(outcome.reason).toMatchObject({ code: 'ERR_KEYRING_CONFLICT' });
    }
    expect(await readdir(keyturnHomeLayout(home.path).keyringsDir)).toEqual(['demo.json']);
  });

  it('leaves no lock or temporary file behind', async () => {
    const store = createFileKeyringStore({ home: home.path });
    const created = await store.create(makeKeyring());
    await store.update(withAudience('other'), created.revision);
    await store.update(withAudience('again'), created.revision).catch(() => undefined);

    expect(await readdir(keyturnHomeLayout(home.path).keyringsDir)).toEqual(['demo.json']);
  });

  it('refuses a keyring whose issuer id does not match its file with ERR_KEYRING_FORMAT', async () => {
    const store = createFileKeyringStore({ home: home.path });
    await store.create(makeKeyring('other'));
    const { keyring } = keyturnHomeLayout(home.path);
    await writeFile(keyring('demo'), await readFile(keyring('other')));

    await expect(store.read('demo')).rejects.toMatchObject({ code: 'ERR_KEYRING_FORMAT' });
  });

  const good = serializeKeyring(makeKeyring());
  it.each([
    ['truncated JSON', good.slice(0, good.length / 2)],
    ['an empty file', ''],
    ['another schema version', good.replace('"schemaVersion": 1', '"schemaVersion": 2')],
    ['an unknown field', good.replace('"schemaVersion": 1', '"schemaVersion": 1, "owner": "x"')],
    ['an unknown key state', good.replace('"state": "active"', '"state": "dormant"')],
    ['a JSON array', '[]'],
  ])('refuses a state file with %s with ERR_KEYRING_FORMAT', async (_variant, text) => {
    const store = createFileKeyringStore({ home: home.path });
    const created = await store.create(makeKeyring());
    await writeFile(keyturnHomeLayout(home.path).keyring('demo'), text);

    await expect(store.read('demo')).rejects.toMatchObject({ code: 'ERR_KEYRING_FORMAT' });
    await expect(store.update(makeKeyring(), created.revision)).rejects.toMatchObject({
      code: 'ERR_KEYRING_FORMAT',
    });
  });

  it('refuses to write an invalid keyring with ERR_KEYRING_FORMAT', async () => {
    const store = createFileKeyringStore({ home: home.path });

    await expect(store.create(makeKeyring('demo', { issuerUrl: '' }))).rejects.toMatchObject({
      code: 'ERR_KEYRING_FORMAT',
    });
    expect(await store.list()).toEqual([]);
  });

  it.each(['../demo', 'Demo', 'a/b'])('refuses the issuer id %j with ERR_UNSAFE_NAME', async (issuerId) => {
    await expect(createFileKeyringStore({ home: home.path }).read(issuerId)).rejects.toMatchObject({
      code: 'ERR_UNSAFE_NAME',
    });
  });

  it('lists issuers sorted, ignoring locks and temporary files', async () => {
    const store = createFileKeyringStore({ home: home.path });
    for (const issuerId of ['prod', 'demo', 'lab.eu-1']) await store.create(makeKeyring(issuerId));
    const { keyringsDir } = keyturnHomeLayout(home.path);
    await writeFile(join(keyringsDir, 'prod.json.lock'), '');
    await writeFile(join(keyringsDir, '.demo.json.abc.tmp'), '');

    expect(await store.list()).toEqual(['demo', 'lab.eu-1', 'prod']);
  });

  it('lists no issuers in a new home', async () => {
    expect(await createFileKeyringStore({ home: home.path }).list()).toEqual([]);
  });
});

/** The pid of a process that ran and exited: no process of this machine has it now (for a while). */
async function goneProcessId(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  const pid = child.pid ?? 0;
  await once(child, 'close');
  return pid;
}
