import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative, resolve, sep } from 'node:path';
import { KeyturnError } from '#shared/errors.ts';
import { ISSUER_CACHE_CONTROL, ISSUER_CONTENT_TYPE, issuerDocumentOf } from '#shared/issuer/index.ts';
import { readServedFile } from './served-file.ts';

/**
 * What a client may hold of the issuer server, far below Node's defaults (a minute to send headers,
 * five to send a request, no connection cap): a client that sends half a request (slowloris) or idles
 * is disconnected after a few seconds, and at most `maxConnections` are open at once.
 */
export const ISSUER_SERVER_LIMITS = {
  /** Milliseconds to send a request's headers (and the whole request), and to idle between requests. */
  timeoutMs: 5_000,
  /** Connections open at once; one more is closed as it arrives. */
  maxConnections: 256,
} as const;

/** Where and how to serve a directory of issuer documents. */
export interface IssuerServerOptions {
  /** Directory holding `<issuer-path>/keys.json` and `<issuer-path>/.well-known/openid-configuration`. */
  readonly root: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default ISSUER_SERVER_LIMITS.timeoutMs (5 s) */
  readonly timeoutMs?: number;
  /** @default ISSUER_SERVER_LIMITS.maxConnections (256) */
  readonly maxConnections?: number;
}

/** A running issuer server. */
export interface IssuerServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`; an issuer at path `/demo` is `${url}/demo`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The issuer server cannot listen where it was asked to: the port is busy, or not allowed. */
export class IssuerServerError extends KeyturnError<'ERR_PORT_BUSY'> {}

/** A listen error, named with the address and what to do; anything unexpected stays as it is. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new IssuerServerError(
      'ERR_PORT_BUSY',
      `port ${port} on ${host} is already in use (another keyturn serve?); stop what listens there or choose another port with --port`,
      { cause: error },
    );
  }
  if (error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') {
    return new IssuerServerError(
      'ERR_PORT_BUSY',
      `cannot listen on ${host}:${port} (${error.code}); choose a port above 1023 with --port, or an address of this machine with --host`,
      { cause: error },
    );
  }
  return error;
}

/**
 * Serves issuer documents the way keyturn's CloudFront distribution does: GET/HEAD only, a plain 200 with
 * `application/json`, the Cache-Control of DESIGN.md §1, an ETag with 304 on If-None-Match, CORS `*`;
 * 404 for any other path, no directory listing, no path traversal, and only plain files inside the root
 * (no symbolic or hard links, see {@link readServedFile}). Files are read on every request, so a publish
 * is visible at once. Slow and idle clients are cut off and connections capped
 * ({@link ISSUER_SERVER_LIMITS}).
 */
export async function startIssuerServer(options: IssuerServerOptions): Promise<IssuerServer> {
  const root = resolve(options.root);
  const timeoutMs = options.timeoutMs ?? ISSUER_SERVER_LIMITS.timeoutMs;
  const server = createServer(
    {
      headersTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      // Node checks the two timeouts above only this often (30 s by default).
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(timeoutMs / 5))),
    },
    (request, response) => {
      serveDocument(root, request, response).catch(() => answer(response, 500, { error: 'internal error' }));
    },
  );
  server.keepAliveTimeout = timeoutMs;
  server.timeout = 2 * timeoutMs;
  server.maxConnections = options.maxConnections ?? ISSUER_SERVER_LIMITS.maxConnections;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => fail(listenError(error, host, port)));
    server.listen(port, host, done);
  });
  const bound = server.address() as AddressInfo;
  const shown = bound.address.includes(':') ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${shown}:${bound.port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

async function serveDocument(
  root: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return answer(response, 405, { error: 'method not allowed' });
  }
  const path = safePath(root, request.url ?? '/');
  const document = path === undefined ? undefined : issuerDocumentOf(path);
  const body = path === undefined || document === undefined ? undefined : await readServedFile(root, path);
  if (body === undefined || document === undefined) {
    return answer(response, 404, { error: 'not found' });
  }
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  response.setHeader('content-type', ISSUER_CONTENT_TYPE);
  response.setHeader('cache-control', ISSUER_CACHE_CONTROL[document]);
  response.setHeader('access-control-allow-origin', '*');
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('etag', etag);
  if (request.headers['if-none-match'] === etag) {
    response.writeHead(304).end();
    return;
  }
  response.setHeader('content-length', body.length);
  response.writeHead(200).end(request.method === 'HEAD' ? undefined : body);
}

/** The decoded path of a request URL, refusing traversal out of root, encoded separators and odd bytes. */
function safePath(root: string, rawUrl: string): string | undefined {
  let urlPath: string;
  try {
    urlPath = decodeURIComponent(new URL(rawUrl, 'http://issuer.invalid').pathname);
  } catch {
    return undefined;
  }
  if (urlPath.includes('\0') || urlPath.includes('\\') || urlPath.split('/').some((part) => part === '..')) {
    return undefined;
  }
  const filePath = resolve(root, `.${urlPath}`);
  const inside = relative(root, filePath);
  return inside.startsWith('..') || inside.startsWith(sep) ? undefined : urlPath;
}

function answer(response: ServerResponse, status: number, body: object): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.setHeader('content-type', 'application/json');
  response.writeHead(status).end(JSON.stringify(body));
}
