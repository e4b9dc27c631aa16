/**
 * One home, one set of published documents, whoever serves them: a `keyturn serve` of the home, or a local
 * run serving its issuer for its own duration. Each records the port it listens on under `<home>/run/`,
 * so a run publishes through a `keyturn serve` already there instead of failing on its busy port, and a
 * port held by someone else is named as such.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issuerDirectory, keyturnHomeLayout } from '#shared/adapters/local/index.ts';
import { KEY_SET_PATH } from '#shared/issuer/index.ts';
import { type IssuerServer, IssuerServerError, startIssuerServer } from './issuer-server.ts';
import { type RunRecord, readLiveListeners, runRecordPaths, writeRunRecord } from './run-records.ts';
import { type LocalIssuerOrigin, listenerCovers, servableIssuerOrigin } from './servable-issuer.ts';

/** Who serves the home on one address. */
export interface HomeServerOptions {
  readonly home: string;
  readonly host: string;
  readonly port: number;
  /** What serves, for the record: `keyturn serve`, `keyturn rotate --local`. */
  readonly command: string;
  /** The issuer a run serves for itself; absent for `keyturn serve`. */
  readonly issuerId?: string;
}

/**
 * Serves the home's `public/` on `host:port` and records it under `<home>/run/` until closed. On a busy
 * port, throws ERR_PORT_BUSY naming the keyturn process of this home that holds it, if one does.
 */
export async function startHomeServer(options: HomeServerOptions): Promise<IssuerServer> {
  const { home, host, port } = options;
  let server: IssuerServer;
  try {
    server = await startIssuerServer({ root: keyturnHomeLayout(home).publicDir, host, port });
  } catch (error) {
    const holder = error instanceof IssuerServerError ? await homeListenerOn(home, port) : undefined;
    if (holder === undefined) throw error;
    throw new IssuerServerError(
      'ERR_PORT_BUSY',
      `port ${port} on ${host} is held by ${describeHolder(holder, true)}`,
      { cause: error },
    );
  }
  const bound = Number(new URL(server.url).port);
  const release = await writeRunRecord(runRecordPaths(home).listener(host, bound), {
    command: options.command,
    host,
    port: bound,
    ...(options.issuerId === undefined ? {} : { issuerId: options.issuerId }),
  }).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  return {
    url: server.url,
    close: async () => {
      await release();
      await server.close();
    },
  };
}

/** How a local run serves its issuer: its own server, or the home's `keyturn serve` already there. */
export interface IssuerServing {
  /** The `keyturn serve` the run publishes through; absent when the run serves the issuer itself. */
  readonly through?: RunRecord;
  close(): Promise<void>;
}

/**
 * Serves an issuer for one run at the host and port its URL names ({@link servableIssuerOrigin}). When a
 * live `keyturn serve` of this home answers there with the issuer's keys.json as published, the run
 * writes its files and that server serves them; otherwise the run starts its own server. A port held by
 * another run of the home, or by another program, fails with ERR_PORT_BUSY saying which.
 */
export async function serveIssuerFor(
  home: string,
  issuer: { readonly issuerId: string; readonly issuerUrl: string },
  command: string,
): Promise<IssuerServing> {
  const origin = servableIssuerOrigin(issuer.issuerUrl);
  const through = await findHomeServe(home, issuer.issuerUrl, origin);
  if (through !== undefined) return { through, close: async () => undefined };
  try {
    return await startHomeServer({
      home,
      host: origin.host,
      port: origin.port,
      command,
      issuerId: issuer.issuerId,
    });
  } catch (error) {
    if (!(error instanceof IssuerServerError)) throw error;
    // A keyturn serve may have started between the look and the listen.
    const late = await findHomeServe(home, issuer.issuerUrl, origin);
    if (late !== undefined) return { through: late, close: async () => undefined };
    throw busyPortError(issuer, origin, await homeListenerOn(home, origin.port), error);
  }
}

/** The live `keyturn serve` of this home that answers at the issuer's URL with its published keys.json. */
async function findHomeServe(
  home: string,
  issuerUrl: string,
  origin: LocalIssuerOrigin,
): Promise<RunRecord | undefined> {
  const candidates = (await readLiveListeners(home)).filter(
    (record) =>
      record.issuerId === undefined &&
      record.port === origin.port &&
      listenerCovers(record.host ?? '', origin.host),
  );
  if (candidates.length === 0) return undefined;
  const { publicDir } = keyturnHomeLayout(home);
  return (await servesPublished(issuerUrl, join(issuerDirectory(publicDir, issuerUrl), KEY_SET_PATH)))
    ? candidates[0]
    : undefined;
}

/**
 * True when `<issuer>/keys.json` over HTTP is the file the home publishes: the server there serves this
 * home's `public/`, not another home's or another program's (a recorded pid can be reused).
 */
async function servesPublished(issuerUrl: string, file: string): Promise<boolean> {
  const published = await readFile(file).catch(() => undefined);
  if (published === undefined) return false;
  try {
    const response = await fetch(`${issuerUrl}/${KEY_SET_PATH}`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(2_000),
    });
    return response.status === 200 && Buffer.from(await response.arrayBuffer()).equals(published);
  } catch {
    return false;
  }
}

/** The live keyturn process of this home that serves port `port`, if any. */
async function homeListenerOn(home: string, port: number): Promise<RunRecord | undefined> {
  return (await readLiveListeners(home)).find((record) => record.port === port);
}

function busyPortError(
  issuer: { readonly issuerId: string; readonly issuerUrl: string },
  origin: LocalIssuerOrigin,
  holder: RunRecord | undefined,
  cause: IssuerServerError,
): IssuerServerError {
  const where = `port ${origin.port} on ${origin.host}`;
  return new IssuerServerError(
    'ERR_PORT_BUSY',
    `cannot serve issuer ${issuer.issuerId} at ${issuer.issuerUrl}: ` +
      (holder !== undefined
        ? `${where} is held by ${describeHolder(holder, false)}`
        : (cause.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE'
          ? `${where} is in use by a program that is not a keyturn serve of this home; stop what listens ` +
            "there (the issuer's URL names that port), or run keyturn serve for this home there"
          : cause.message),
    { cause },
  );
}

/**
 * The keyturn process of this home on a port, and what that means for whoever wants it: a `keyturn serve`
 * (`forServe`) or a local run.
 */
function describeHolder(record: RunRecord, forServe: boolean): string {
  const since = `pid ${record.pid}, since ${record.startedAt}`;
  if (record.issuerId === undefined) {
    return forServe
      ? `${record.command} of this home (${since}): it already serves these documents`
      : `${record.command} of this home (${since}), which did not answer with the published keys.json`;
  }
  return (
    `${record.command} of issuer ${record.issuerId} of this home (${since}), for its own run; wait for it to ` +
    `end, ${forServe ? 'then start' : 'or run'} keyturn serve for this home: every local run then publishes through it`
  );
}
