/**
 * Which keyturn processes work on a keyturn home right now: one small JSON file per claim under
 * `<home>/run/` (an issuer's rotation or maintenance, an init, a port served), naming the process. A
 * record whose process is gone was left by a crash or a kill and counts for nothing: it is removed on
 * sight, so no state needs a file deleted by hand (RECOVERABLE).
 */

import { randomUUID } from 'node:crypto';
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  assertSafeName,
  createFileExclusively,
  keyturnHomeLayout,
  replaceFileAtomically,
} from '#shared/adapters/local/index.ts';

/** One process's claim on part of the home. */
export interface RunRecord {
  readonly pid: number;
  /** Tells two claims of one process apart (in-process tests run several commands at once). */
  readonly token: string;
  readonly startedAt: string;
  /** What runs, as a person reads it: `keyturn rotate --local`, `keyturn serve`. */
  readonly command: string;
  readonly issuerId?: string;
  /** For a served port: the address and port listened on. */
  readonly host?: string;
  readonly port?: number;
}

/** What a claim is about, besides the process. */
export type RunRecordFields = Omit<RunRecord, 'pid' | 'token' | 'startedAt'>;

/** The outcome of {@link claimRunRecord}: the claim, or the live process that holds it. */
export type RunClaim =
  | { readonly claimed: true; readonly record: RunRecord; release(): Promise<void> }
  | { readonly claimed: false; readonly holder: RunRecord };

/** The files under `<home>/run/`. */
export function runRecordPaths(home: string) {
  const dir = join(keyturnHomeLayout(home).home, 'run');
  return {
    dir,
    /** The rotation, abort or maintenance working on one issuer. */
    issuer: (issuerId: string) => join(dir, `issuer-${assertSafeName(issuerId, 'issuer id')}.json`),
    /** The `keyturn init --local` creating an issuer. */
    init: join(dir, 'init.json'),
    /** A process serving `public/` on `host:port`. */
    listener: (host: string, port: number) =>
      join(dir, `${LISTENER_PREFIX}${host.replace(/[^a-z0-9.]/gi, '_')}-${port}.json`),
  };
}

const LISTENER_PREFIX = 'listen-';

/** Creates the record at `path` for this process, unless a live process holds it (a dead one's is removed). */
export async function claimRunRecord(path: string, fields: RunRecordFields): Promise<RunClaim> {
  const record = newRecord(fields);
  const text = JSON.stringify(record);
  for (;;) {
    if (await createFileExclusively(path, text)) {
      return { claimed: true, record, release: () => removeIfUnchanged(path, text) };
    }
    const holder = await readLiveRunRecord(path);
    if (holder !== undefined) return { claimed: false, holder };
  }
}

/** {@link claimRunRecord}, waiting up to `timeoutMs` for a live holder to let go. */
export async function waitForRunRecord(
  path: string,
  fields: RunRecordFields,
  options: { readonly timeoutMs: number; readonly intervalMs?: number },
): Promise<RunClaim> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const claim = await claimRunRecord(path, fields);
    if (claim.claimed || Date.now() >= deadline) return claim;
    await sleep(options.intervalMs ?? 50);
  }
}

/**
 * Writes the record at `path` for this process, replacing any: for a port this process has just bound,
 * which no other process can hold.
 */
export async function writeRunRecord(path: string, fields: RunRecordFields): Promise<() => Promise<void>> {
  const text = JSON.stringify(newRecord(fields));
  await replaceFileAtomically(path, text);
  return () => removeIfUnchanged(path, text);
}

/** The record at `path` if its process is alive; a record of a dead process (or garbage) is removed. */
export async function readLiveRunRecord(path: string): Promise<RunRecord | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const record = parseRecord(text);
  if (record !== undefined && isProcessAlive(record.pid)) return record;
  await removeStale(path, text);
  return undefined;
}

/** The live records of processes serving the home's `public/` directory. */
export async function readLiveListeners(home: string): Promise<RunRecord[]> {
  const { dir } = runRecordPaths(home);
  const names = await readdir(dir).catch(() => [] as string[]);
  const records = await Promise.all(
    names
      .filter((name) => name.startsWith(LISTENER_PREFIX))
      .map((name) => readLiveRunRecord(join(dir, name))),
  );
  return records.filter((record) => record !== undefined);
}

/** True while process `pid` exists (one of another user counts: EPERM). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function newRecord(fields: RunRecordFields): RunRecord {
  return { pid: process.pid, token: randomUUID(), startedAt: new Date().toISOString(), ...fields };
}

/**
 * Removes `path` if it still holds `text`. Records are only ever created whole (link or rename) and
 * removed, never rewritten in place, so a record that reads the same is the same claim.
 */
async function removeIfUnchanged(path: string, text: string): Promise<void> {
  if ((await readFile(path, 'utf8').catch(() => undefined)) === text) {
    await unlink(path).catch(() => undefined);
  }
}

/**
 * Removes the stale record `text` at `path`. Removers take turns through `<path>.break` and re-check under
 * it, so two processes removing one stale record never remove the fresh claim one of them has just made.
 * A `.break` whose process died is removed too; the caller then looks again.
 */
async function removeStale(path: string, text: string): Promise<void> {
  const guard = `${path}.break`;
  if (!(await createFileExclusively(guard, String(process.pid)))) {
    const holder = Number(await readFile(guard, 'utf8').catch(() => ''));
    if (!Number.isInteger(holder) || !isProcessAlive(holder)) await unlink(guard).catch(() => undefined);
    return;
  }
  try {
    await removeIfUnchanged(path, text);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

function parseRecord(text: string): RunRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<RunRecord> | null;
    return typeof value?.pid === 'number' && typeof value.command === 'string'
      ? (value as RunRecord)
      : undefined;
  } catch {
    return undefined;
  }
}
