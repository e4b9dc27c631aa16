import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Clock } from '#shared/ports.ts';
import { type ClusterModel, type ClusterModelOptions, createClusterModel } from '../cluster-model.ts';
import { type ApiContext, handleApiRequest, isWatch } from './api.ts';
import { createClusterObjects } from './cluster-objects.ts';
import { buildKubeconfig } from './kubeconfig.ts';
import { createPreflightRoutes, type PreflightRouteOptions } from './preflight-routes.ts';
import { readRequestBody } from './request-body.ts';
import { routeOf } from './routes.ts';
import { ApiRequestError, failureStatus, type KubernetesStatus, statusOfError } from './status.ts';
import { generateSimulatorTls } from './tls.ts';
import { serveWatch } from './watch.ts';

/** How to start the HTTPS OpenShift simulator. */
export interface OpenShiftSimulatorOptions extends Omit<ClusterModelOptions, 'clock'>, PreflightRouteOptions {
  /** The model's only source of time. @default the system clock */
  clock?: Clock;
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on. @default 0 (a free port) */
  port?: number;
  /** The bearer token every request must carry. @default 32 random bytes, base64url */
  token?: string;
}

/** One request as the simulator received it: never its body or headers, which may carry keys or tokens. */
export interface SimulatorRequest {
  readonly method: string;
  /** Path without the query, e.g. `/api/v1/namespaces/keyturn/serviceaccounts/keyturn-probe/token`. */
  readonly path: string;
  readonly contentType?: string;
}

/** A running simulator: an OpenShift API server over a {@link ClusterModel}. */
export interface OpenShiftSimulator {
  /** Base URL, `https://127.0.0.1:PORT`. */
  readonly url: string;
  /** The bearer token clients must send. */
  readonly token: string;
  /** PEM of the CA that signed the server certificate; trust it to keep TLS verification on. */
  readonly caPem: string;
  /** The model it serves; tests inject faults and read state through it. */
  readonly model: ClusterModel;
  /** Every request received, in order (refused ones too), for tests that check what a client sent. */
  readonly requests: SimulatorRequest[];
  /** kubeconfig YAML (cluster with certificate-authority-data, user with token, context 'keyturn-sim'). */
  kubeconfig(): string;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
  /** Make every request answer 401 until restored (expired credential). */
  expireCredential(expired: boolean): void;
}

const systemClock: Clock = { now: () => new Date() };

/**
 * Starts an HTTPS server that real clients (kubectl, @kubernetes/client-node) use as an OpenShift
 * cluster (DESIGN.md §4): a fresh CA and server certificate for the loopback names, bearer-token auth on
 * every request, discovery, Status errors, and the model's objects, writes and TokenRequest. Every
 * resource request is first admitted through `model.faults` (discovery and /version are not, so a test's
 * `failNextCalls(n)` fails exactly its next n resource calls). Nothing is logged; `requests` keeps the
 * method, path and content type of each request, never a body.
 */
export async function startOpenShiftSimulator(
  options: OpenShiftSimulatorOptions,
): Promise<OpenShiftSimulator> {
  const { clock = systemClock, host = '127.0.0.1', port = 0, token, deniedAccess, ...modelOptions } = options;
  const bearer = assertToken(token ?? randomBytes(32).toString('base64url'));
  const model = createClusterModel({ ...modelOptions, clock });
  const context: ApiContext = { model, objects: createClusterObjects(model, clock.now()), clock };
  const preflight = createPreflightRoutes(model, { deniedAccess }, clock.now());
  const tls = await generateSimulatorTls();
  let expired = false;
  let serverAddress = '';
  const requests: SimulatorRequest[] = [];
  const authorized = (request: IncomingMessage) => !expired && hasBearer(request, bearer);
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (request, response) => {
    requests.push(recordOf(request));
    serve(context, serverAddress, authorized(request), request, response, preflight).catch((error: unknown) =>
      send(response, statusOfError(error)),
    );
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
  const address = server.address() as AddressInfo;
  serverAddress = `${urlHost(address.address)}:${address.port}`;
  const url = `https://${serverAddress}`;
  return {
    url,
    token: bearer,
    caPem: tls.caPem,
    model,
    requests,
    kubeconfig: () => buildKubeconfig({ server: url, caPem: tls.caPem, token: bearer }),
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
    expireCredential(value) {
      expired = value;
    },
  };
}

async function serve(
  context: ApiContext,
  serverAddress: string,
  authorized: boolean,
  request: IncomingMessage,
  response: ServerResponse,
  preflight: ReturnType<typeof createPreflightRoutes>,
): Promise<void> {
  if (!authorized) {
    // Drain the body so the connection stays usable for the client's next request.
    request.resume();
    return send(response, failureStatus(401, 'Unauthorized', 'Unauthorized'));
  }
  const method = request.method ?? 'GET';
  const { pathname, searchParams } = new URL(request.url ?? '/', 'https://simulator.invalid');
  const contentType = request.headers['content-type'];
  const reviewed = await preflight({
    method,
    pathname,
    contentType,
    readBody: () => readRequestBody(request),
  });
  if (reviewed !== undefined) return send(response, reviewed.body, reviewed.status);
  const route = routeOf(pathname, serverAddress);
  if (route.type === 'document') {
    if (method !== 'GET') {
      throw new ApiRequestError('ERR_SIM_METHOD_NOT_ALLOWED', 'the server does not allow this method');
    }
    return send(response, route.body, 200);
  }
  await context.model.faults.admitApiCall(`${method} ${pathname}`);
  if (method === 'GET' && route.type === 'collection' && isWatch(searchParams)) {
    const { resource, namespace } = route;
    return serveWatch(context.model, { resource, namespace, query: searchParams }, response);
  }
  const answer = await handleApiRequest(context, {
    method,
    route,
    query: searchParams,
    contentType: request.headers['content-type'],
    readBody: () => readRequestBody(request),
  });
  send(response, answer.body, answer.status);
}

/** Writes a JSON answer; a Status carries its own code. */
function send(response: ServerResponse, body: object | KubernetesStatus, status?: number): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const code = status ?? (body as KubernetesStatus).code;
  const text = JSON.stringify(body);
  response.writeHead(code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-cache, private',
  });
  response.end(text);
}

function recordOf(request: IncomingMessage): SimulatorRequest {
  const contentType = request.headers['content-type'];
  return {
    method: request.method ?? 'GET',
    path: new URL(request.url ?? '/', 'https://simulator.invalid').pathname,
    ...(contentType === undefined ? {} : { contentType }),
  };
}

function hasBearer(request: IncomingMessage, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  const sent = Buffer.from(match?.[1] ?? '', 'utf8');
  const expected = Buffer.from(token, 'utf8');
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

function assertToken(token: string): string {
  if (!/^[\x21-\x7e]{16,}$/.test(token)) {
    throw new RangeError('token must be at least 16 printable characters without spaces');
  }
  return token;
}

/** The host part of the URL: loopback for a wildcard listen address, brackets around IPv6. */
function urlHost(address: string): string {
  if (address === '0.0.0.0') {
    return '127.0.0.1';
  }
  if (address === '::') {
    return '[::1]';
  }
  return address.includes(':') ? `[${address}]` : address;
}
