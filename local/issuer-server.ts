import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative, resolve, sep } from 'node:path';
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
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', done);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
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
