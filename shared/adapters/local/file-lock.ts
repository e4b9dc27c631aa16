import { randomUUID } from 'node:crypto';
import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './home.ts';

/** How long to wait for a lock and when a lock counts as abandoned. */
export interface FileLockOptions {
  /** Tries before giving up. @default 100 */
  readonly attempts?: number;
  /** Pause between tries, plus up to the same again at random. @default 20 */
  readonly retryDelayMs?: number;
  /** A lock older than this was left by a crashed process and may be broken. @default 30_000 */
  readonly staleAfterMs?: number;
  /** The clock locks are dated and judged stale by, in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** Who holds a lock, as written into the lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly time: string;
  readonly token: string;
  /** The machine of `pid`; absent in locks written before it was recorded (taken as this machine). */
  readonly host?: string;
}

/** A lock this process took. */
export interface HeldLock {
  readonly acquired: true;
  /**
   * True while the lock file is still this lock (its random token): false once another process judged it
   * stale and broke it. The fencing check a writer makes right before it writes.
   */
  holds(): Promise<boolean>;
  /** Removes the lock if it is still this one. */
  release(): Promise<void>;
}

/** The outcome of {@link acquireFileLock}: the lock, or who holds it after every try. */
export type LockAttempt = HeldLock | { readonly acquired: false; readonly holder?: LockHolder };

/**
 * Takes an exclusive lock by creating `path` with `wx` (pid, host, time and a random token inside). Waits
 * and retries a bounded number of times; breaks a lock whose process is gone (same host, no such pid) at
 * once, and any lock older than `staleAfterMs` (RECOVERABLE: a killed process never blocks the next
 * command). Release only removes the lock if it is still this one; `holds` tells a writer that paused
 * past `staleAfterMs` whether the lock is still its own before it writes.
 */
export async function acquireFileLock(path: string, options: FileLockOptions = {}): Promise<LockAttempt> {
  const attempts = options.attempts ?? 100;
  const delay = options.retryDelayMs ?? 20;
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const now = options.now ?? Date.now;
  const token = randomUUID();
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const content = JSON.stringify({
      pid: process.pid,
      host: hostname(),
      time: new Date(now()).toISOString(),
      token,
    });
    try {
      await writeFile(path, content, { flag: 'wx', mode: PRIVATE_FILE_MODE });
      return {
        acquired: true,
        holds: async () => (await readFile(path, 'utf8').catch(() => undefined)) === content,
        release: () => releaseFileLock(path, content),
      };
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    if (!(await breakStaleLock(path, staleAfterMs, now)) && attempt < attempts) {
      await sleep(delay + Math.random() * delay);
    }
  }
  const holder = parseHolder(await readFile(path, 'utf8').catch(() => ''));
  return holder === undefined ? { acquired: false } : { acquired: false, holder };
}

async function releaseFileLock(path: string, content: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === content) {
    await unlink(path).catch(() => undefined);
  }
}

/**
 * Breaks the lock at `path` if it is stale; true when the caller should try again at once. Breakers take
 * turns through a second lock, `<path>.break`, and re-check under it that the lock is still the stale one
 * they judged, so two processes breaking one stale lock never remove the fresh lock one of them has just
 * taken. (A `.break` lock is held for microseconds; one left by a crash is removed once it is stale.)
 */
async function breakStaleLock(path: string, staleAfterMs: number, now: () => number): Promise<boolean> {
  const seen = await readFile(path, 'utf8').catch(() => undefined);
  if (seen === undefined) {
    return true;
  }
  if (!(await isStale(path, seen, staleAfterMs, now))) {
    return false;
  }
  const guard = `${path}.break`;
  try {
    await writeFile(guard, String(process.pid), { flag: 'wx', mode: PRIVATE_FILE_MODE });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    const since = await stat(guard).then(
      (info) => info.mtimeMs,
      () => now(),
    );
    if (now() - since > staleAfterMs) await unlink(guard).catch(() => undefined);
    return false;
  }
  try {
    if ((await readFile(path, 'utf8').catch(() => undefined)) === seen) {
      await unlink(path).catch(() => undefined);
    }
  } finally {
    await unlink(guard).catch(() => undefined);
  }
  return true;
}

/**
 * Stale when its process is gone (a lock of this host whose pid does not exist), else judged by the time
 * written in the lock, or by its mtime while it is still being written.
 */
async function isStale(
  path: string,
  content: string,
  staleAfterMs: number,
  now: () => number,
): Promise<boolean> {
  const holder = parseHolder(content);
  if (holder !== undefined && (holder.host ?? hostname()) === hostname() && !processExists(holder.pid)) {
    return true;
  }
  const written = Date.parse(holder?.time ?? '');
  const since = Number.isNaN(written)
    ? await stat(path).then(
        (info) => info.mtimeMs,
        () => now(),
      )
    : written;
  return now() - since > staleAfterMs;
}

/** True when process `pid` exists on this machine (EPERM: it does, owned by someone else). */
function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true; // not a process id: leave it to the age rule
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== 'ESRCH';
  }
}

function parseHolder(content: string): LockHolder | undefined {
  try {
    const value = JSON.parse(content) as Partial<LockHolder> | null;
    if (typeof value?.pid !== 'number' || typeof value.time !== 'string' || typeof value.token !== 'string') {
      return undefined;
    }
    const holder = { pid: value.pid, time: value.time, token: value.token };
    return typeof value.host === 'string' ? { ...holder, host: value.host } : holder;
  } catch {
    return undefined;
  }
}
