import { request as httpsRequest } from 'node:https';
import type { OpenShiftSimulator } from '#local/openshift-sim/http/index.ts';

/** What the simulator answered. */
export interface SimAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary Kubernetes JSON.
  readonly json: any;
}

/** One request to the simulator. */
export interface SimRequest {
  readonly method?: string;
  readonly path: string;
  /** A JSON value (sent as JSON) or raw bytes. */
  readonly body?: unknown;
  readonly contentType?: string;
  /** @default the simulator's token; null sends no Authorization header */
  readonly token?: string | null;
}

/** Where a simulator listens and how to reach it: a running one, or what its kubeconfig says. */
export type SimTarget = Pick<OpenShiftSimulator, 'url' | 'token' | 'caPem'>;

/** Sends a request over HTTPS, trusting only the simulator's CA (verification stays on). */
export function callSim(sim: SimTarget, options: SimRequest): Promise<SimAnswer> {
  const token = options.token === undefined ? sim.token : options.token;
  const payload =
    options.body === undefined
      ? undefined
      : Buffer.isBuffer(options.body)
        ? options.body
        : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (payload !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    // Node sends a DELETE body without chunked encoding, so only a length tells the server where it ends.
    headers['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      new URL(options.path, sim.url),
      { method: options.method ?? 'GET', headers, ca: sim.caPem },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'],
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** A protobuf varint. */
function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A length-delimited protobuf field (wire type 2). */
export function protoBytes(number: number, value: Buffer | string): Buffer {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  return Buffer.concat([varint(number * 8 + 2), varint(bytes.length), bytes]);
}

/** A varint protobuf field (wire type 0). */
export function protoVarint(number: number, value: number): Buffer {
  return Buffer.concat([varint(number * 8), varint(value)]);
}

/**
 * A TokenRequest as kubectl 1.32+ sends it: `k8s\0`, then runtime.Unknown {typeMeta (1), raw (2),
 * contentType (4)} around authentication.k8s.io/v1 TokenRequest {metadata (1), spec (2)}.
 */
export function protobufTokenRequest(spec: {
  audiences: string[];
  expirationSeconds?: number;
  boundPod?: { name: string; uid: string };
}): Buffer {
  const specBytes = Buffer.concat([
    ...spec.audiences.map((audience) => protoBytes(1, audience)),
    ...(spec.boundPod === undefined
      ? []
      : [
          protoBytes(
            3,
            Buffer.concat([
              protoBytes(1, 'Pod'),
              protoBytes(2, 'v1'),
              protoBytes(3, spec.boundPod.name),
              protoBytes(4, spec.boundPod.uid),
            ]),
          ),
        ]),
    ...(spec.expirationSeconds === undefined ? [] : [protoVarint(4, spec.expirationSeconds)]),
  ]);
  const tokenRequest = Buffer.concat([protoBytes(1, Buffer.alloc(0)), protoBytes(2, specBytes)]);
  const typeMeta = Buffer.concat([protoBytes(1, 'authentication.k8s.io/v1'), protoBytes(2, 'TokenRequest')]);
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    protoBytes(1, typeMeta),
    protoBytes(2, tokenRequest),
    protoBytes(4, ''),
  ]);
}
