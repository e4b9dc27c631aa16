import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A plain-HTTP server on 127.0.0.1 that a test starts in `beforeAll` and closes in `afterAll`. */
export interface LoopbackServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly origin: string;
  /** Handlers by exact request path; any other path answers 404. */
  readonly routes: Map<string, RequestListener>;
  /** Closes the server, dropping requests a handler left hanging on purpose. */
  close(): Promise<void>;
}

/** Starts a loopback server on an ephemeral port. */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const routes = new Map<string, RequestListener>();
  const server = createServer((request, response) => {
    const handler = routes.get(request.url ?? '');
    if (handler === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    routes,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** A handler answering a plain 200 with a JSON body, as the issuer's bucket does. */
export function sendJson(body: string): RequestListener {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  };
}

/** An origin on which nothing listens: a server started and closed again. */
export async function closedOrigin(): Promise<string> {
  const server = await startLoopbackServer();
  await server.close();
  return server.origin;
}
