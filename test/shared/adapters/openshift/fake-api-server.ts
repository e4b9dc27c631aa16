import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';

/** A throw-away CA, the server certificate it signed for 127.0.0.1, and a client certificate. */
export interface FakeTls {
  readonly caPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
}

/** One request as the fake server saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a handler answers: a status and a JSON body (a string is sent as is). */
export interface FakeReply {
  readonly status: number;
  readonly body?: unknown;
}

/** Answers a request, or returns undefined for a 404 NotFound Status. */
export type FakeHandler = (
  request: RecordedRequest,
) => FakeReply | undefined | Promise<FakeReply | undefined>;

/** How a kubeconfig for the fake server authenticates and treats TLS. */
export interface FakeKubeconfigOptions {
  readonly auth?: 'token' | 'client-certificate' | 'none';
  /** Write `insecure-skip-tls-verify: true` and no CA. */
  readonly insecure?: boolean;
  /** Override the server URL (a closed port, plain http). */
  readonly server?: string;
}

// Kept beside the simulator: it scripts what the simulator can't (any status, non-JSON, races, client certs).
/** A loopback HTTPS API server a test starts, scripts and stops. */
export interface FakeApiServer {
  readonly url: string;
  /** Every request, in order (authenticated or not). */
  readonly requests: RecordedRequest[];
  /** Replaces the handler. */
  handle(handler: FakeHandler): void;
  kubeconfig(options?: FakeKubeconfigOptions): string;
  close(): Promise<void>;
}

/** The bearer token the fake server accepts. */
export const FAKE_TOKEN = 'sha256~fake-bearer-token';

const DAY_MS = 24 * 3600 * 1000;

/** Generates the fake server's CA and certificates (ECDSA P-256: fast). Once per test file. */
export async function generateFakeTls(): Promise<FakeTls> {
  const now = Date.now();
  const base = {
    notBeforeDate: new Date(now - DAY_MS),
    notAfterDate: new Date(now + DAY_MS),
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
  } as const;
  const ca = await generate([{ name: 'commonName', value: 'fake API CA' }], {
    ...base,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const signedBy = { ca: { key: ca.private, cert: ca.cert } };
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...base,
    ...signedBy,
    extensions: [
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const client = await generate([{ name: 'commonName', value: 'system:admin' }], {
    ...base,
    ...signedBy,
    extensions: [{ name: 'extKeyUsage', clientAuth: true }],
  });
  return {
    caPem: ca.cert,
    serverCertPem: server.cert,
    serverKeyPem: server.private,
    clientCertPem: client.cert,
    clientKeyPem: client.private,
  };
}

/**
 * Starts a fake kube-apiserver on 127.0.0.1: requests without the bearer token or a client certificate
 * signed by the CA get 401 (with no body, as client-node reports it anyway); the rest go to the handler.
 */
export async function startFakeApiServer(tls: FakeTls): Promise<FakeApiServer> {
  const requests: RecordedRequest[] = [];
  let handler: FakeHandler = () => undefined;
  const server: Server = createServer(
    {
      cert: tls.serverCertPem,
      key: tls.serverKeyPem,
      ca: tls.caPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const recorded: RecordedRequest = {
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        requests.push(recorded);
        const certified = (request.socket as TLSSocket).authorized;
        const reply =
          request.headers.authorization === `Bearer ${FAKE_TOKEN}` || certified
            ? ((await handler(recorded)) ?? notFound(recorded.path))
            : statusReply(401, 'Unauthorized', 'Unauthorized');
        const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
        response.writeHead(reply.status, { 'content-type': 'application/json' }).end(text);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    handle(next) {
      handler = next;
    },
    kubeconfig: (options = {}) => buildKubeconfig(url, tls, options),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A Kubernetes Status failure answer. */
export function statusReply(code: number, reason: string, message: string): FakeReply {
  return {
    status: code,
    body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code },
  };
}

function notFound(path: string): FakeReply {
  return statusReply(404, 'NotFound', `the server could not find the requested resource (${path})`);
}

function buildKubeconfig(url: string, tls: FakeTls, options: FakeKubeconfigOptions): string {
  const base64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');
  const auth = options.auth ?? 'token';
  const user =
    auth === 'token'
      ? [`    token: ${FAKE_TOKEN}`]
      : auth === 'client-certificate'
        ? [
            `    client-certificate-data: ${base64(tls.clientCertPem)}`,
            `    client-key-data: ${base64(tls.clientKeyPem)}`,
          ]
        : ['    username: nobody', '    password: nothing'];
  const trust = options.insecure
    ? ['    insecure-skip-tls-verify: true']
    : [`    certificate-authority-data: ${base64(tls.caPem)}`];
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${options.server ?? url}`,
    ...trust,
    'users:',
    '- name: fake',
    '  user:',
    ...user,
    'contexts:',
    '- name: fake',
    '  context: {cluster: fake, user: fake}',
    'current-context: fake',
    '',
  ].join('\n');
}
