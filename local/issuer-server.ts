import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative, resolve, sep } from 'node:path';
import { KeyturnError } from '#shared/errors.ts';
import { ISSUER_CACHE_CONTROL, ISSUER_CONTENT_TYPE, issuerDocumentOf } from '#shared/issuer/index.ts';

/** Where and how to serve a directory of issuer documents. */
export interface IssuerServerOptions {
  /** Directory holding `<issuer-path>/keys.json` and `<issuer-path>/.well-known/openid-configuration`. */
  readonly root: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
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
 * 404 for any other path, no directory listing, no path traversal. Files are read on every request, so
 * a publish is visible at once.
 */
export async function startIssuerServer(options: IssuerServerOptions): Promise<IssuerServer> {
  const root = resolve(options.root);
  const server = createServer((request, response) => {
    serveDocument(root, request, response).catch(() => answer(response, 500, { error: 'internal error' }));
  });
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
  const document = path === undefined ? undefined : issuerDocumentOf(path.urlPath);
  const body = path === undefined || document === undefined ? undefined : await readIfFile(path.filePath);
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

/** Maps a request URL to a file under root, refusing traversal, encoded separators and odd bytes. */
function safePath(root: string, rawUrl: string): { urlPath: string; filePath: string } | undefined {
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
  return inside.startsWith('..') || inside.startsWith(sep) ? undefined : { urlPath, filePath };
}

async function readIfFile(filePath: string): Promise<Buffer | undefined> {
  try {
    return await readFile(filePath);
  } catch {
    return undefined;
  }
}

function answer(response: ServerResponse, status: number, body: object): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.setHeader('content-type', 'application/json');
  response.writeHead(status).end(JSON.stringify(body));
}
