import { encodePublicKeyPem, type PrivateSigningKey } from '#shared/keys/index.ts';
import { issueServiceAccountToken } from '#shared/tokens/index.ts';
import { type FakeHandler, type FakeReply, type RecordedRequest, statusReply } from './fake-api-server.ts';
import { PATHS } from './signer-fixtures.ts';

// Kept beside the simulator: tests edit these objects into shapes no OpenShift (nor the simulator) serves.
/** The few objects of an OpenShift control plane the adapter reads and writes, editable by tests. */
export interface FakeOpenShift {
  /** The next secret as stored, or undefined when absent. */
  nextSecret: { data?: Record<string, string> } | undefined;
  /** `bound-sa-token-signing-certs` data. */
  certs: Record<string, unknown>;
  /** The whole `kubeapiservers/cluster` object. */
  kubeApiServer: unknown;
  /** The key probe tokens are signed with. */
  signer: PrivateSigningKey;
  /** Answers the adapter's requests from the fields above. */
  readonly handle: FakeHandler;
}

/** A 3-node cluster at revision 4, all nodes current, trusting and signing with `signer`. */
export function createFakeOpenShift(signer: PrivateSigningKey): FakeOpenShift {
  const cluster: FakeOpenShift = {
    nextSecret: undefined,
    certs: { 'service-account-001.pub': encodePublicKeyPem(signer.publicKey) },
    kubeApiServer: kubeApiServerObject(4, [4, 4, 4]),
    signer,
    handle: (request) => route(cluster, request),
  };
  return cluster;
}

/** A `kubeapiservers/cluster` object with one node status per entry of `current`. */
function kubeApiServerObject(latest: number, current: readonly number[]): unknown {
  return {
    apiVersion: 'operator.openshift.io/v1',
    kind: 'KubeAPIServer',
    metadata: { name: 'cluster' },
    status: {
      latestAvailableRevision: latest,
      nodeStatuses: current.map((revision, index) => ({
        nodeName: `master-${index}`,
        currentRevision: revision,
      })),
    },
  };
}

async function route(cluster: FakeOpenShift, request: RecordedRequest): Promise<FakeReply | undefined> {
  const path = request.path.split('?')[0];
  const key = `${request.method} ${path}`;
  switch (key) {
    case `GET ${PATHS.nextSecret}`:
      return cluster.nextSecret === undefined ? undefined : ok(secretObject(cluster.nextSecret));
    case `PATCH ${PATHS.nextSecret}`:
      return cluster.nextSecret === undefined ? undefined : applyJsonPatch(cluster, request.body);
    case `POST ${PATHS.secrets}`:
      if (cluster.nextSecret !== undefined) {
        return statusReply(
          409,
          'AlreadyExists',
          'secrets "next-bound-service-account-signing-key" already exists',
        );
      }
      cluster.nextSecret = { data: (JSON.parse(request.body) as { data: Record<string, string> }).data };
      return { status: 201, body: secretObject(cluster.nextSecret) };
    case `GET ${PATHS.certs}`:
      return ok({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'bound-sa-token-signing-certs' },
        data: cluster.certs,
      });
    case `GET ${PATHS.kubeApiServer}`:
      return ok(cluster.kubeApiServer);
    case `POST ${PATHS.probeToken}`:
      return issueProbeToken(cluster, request.body);
    default:
      return undefined;
  }
}

function applyJsonPatch(cluster: FakeOpenShift, body: string): FakeReply {
  const secret = { data: { ...cluster.nextSecret?.data } };
  for (const operation of JSON.parse(body) as { op: string; path: string; value: unknown }[]) {
    const name = operation.path.replace(/^\/data\/?/, '');
    if (operation.op === 'replace' && !(name in secret.data)) {
      return statusReply(
        422,
        'Invalid',
        `replace operation does not apply: doc is missing key: ${operation.path}`,
      );
    }
    if (name === '') {
      secret.data = { ...(operation.value as Record<string, string>) };
    } else {
      secret.data[name] = operation.value as string;
    }
  }
  cluster.nextSecret = secret;
  return ok(secretObject(secret));
}

async function issueProbeToken(cluster: FakeOpenShift, body: string): Promise<FakeReply> {
  const { spec } = JSON.parse(body) as { spec: { audiences: string[]; expirationSeconds: number } };
  const token = await issueServiceAccountToken(cluster.signer, {
    issuer: 'https://oidc.example.com/fake',
    audiences: spec.audiences,
    namespace: 'keyturn',
    serviceAccount: 'keyturn-probe',
    lifetimeSeconds: spec.expirationSeconds,
  });
  return {
    status: 201,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec,
      status: { token, expirationTimestamp: '2030-01-01T00:00:00Z' },
    },
  };
}

function secretObject(secret: { data?: Record<string, string> }) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'next-bound-service-account-signing-key',
      namespace: 'openshift-kube-apiserver-operator',
    },
    type: 'Opaque',
    ...(secret.data === undefined ? {} : { data: secret.data }),
  };
}

function ok(body: unknown): FakeReply {
  return { status: 200, body };
}
