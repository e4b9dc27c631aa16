import {
  type ClusterModel,
  type ClusterModelOptions,
  createClusterModel,
} from '#local/openshift-sim/cluster-model.ts';
import {
  APISERVER_NAMESPACE,
  BOUND_SECRET_NAME,
  CERTS_CONFIGMAP_NAME,
  KUBE_APISERVER_NAME,
  NEXT_SECRET_NAME,
  OPERATOR_NAMESPACE,
} from '#local/openshift-sim/objects.ts';
import { readSigningPair, signingPairData } from '#local/openshift-sim/secret-data.ts';
import { generateSigningKeyPair, type PrivateSigningKey } from '#shared/keys/index.ts';
import type { Clock } from '#shared/ports.ts';
import { createTokenVerifier, readTokenHeader, type VerifiedToken } from '#shared/tokens/index.ts';

/** The simulated cluster's issuer in tests. */
export const ISSUER = 'https://oidc.example.com/cluster-a';

/** When every test cluster is installed. */
export const INSTALLED_AT = new Date('2025-03-01T12:00:00Z');

/** Three RSA 2048 key pairs, generated together: call once per file, in beforeAll. */
export async function generateTestKeys(): Promise<[PrivateSigningKey, PrivateSigningKey, PrivateSigningKey]> {
  const generate = () => generateSigningKeyPair(2048);
  return Promise.all([generate(), generate(), generate()]);
}

/** A clock tests move by hand. */
export interface FakeClock extends Clock {
  advance(seconds: number): void;
}

/** A frozen clock starting at `start`. */
export function createFakeClock(start: Date = INSTALLED_AT): FakeClock {
  let current = start;
  return {
    now: () => current,
    advance(seconds) {
      current = new Date(current.getTime() + seconds * 1000);
    },
  };
}

/** A 3-node cluster (2 s per node) on a fake clock; the operator's own keys come from `operatorKeys`. */
export function createTestCluster(
  initialKey: PrivateSigningKey,
  overrides: Partial<ClusterModelOptions> & { operatorKeys?: PrivateSigningKey[] } = {},
): { model: ClusterModel; clock: FakeClock } {
  const clock = createFakeClock();
  const { operatorKeys = [], ...options } = overrides;
  const generateKey = async () => {
    const key = operatorKeys.shift();
    if (key === undefined) {
      throw new Error('the test gave the operator no key to generate');
    }
    return key;
  };
  return {
    model: createClusterModel({ issuerUrl: ISSUER, initialKey, clock, generateKey, ...options }),
    clock,
  };
}

/** Writes a pair into the next secret, as keyturn's push does. */
export function writeNextKey(model: ClusterModel, pair: PrivateSigningKey) {
  return model.replaceSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME, {
    data: signingPairData(pair, 'PUBLIC KEY'),
  });
}

/** The rollout as one comparable value: latest revision and `current→target` per node. */
export function rolloutOf(model: ClusterModel): { latest: number; nodes: string[] } {
  const status = model.get('KubeAPIServer', undefined, KUBE_APISERVER_NAME)?.status;
  return {
    latest: status?.latestAvailableRevision ?? 0,
    nodes: (status?.nodeStatuses ?? []).map((node) =>
      node.targetRevision === undefined
        ? `${node.currentRevision}`
        : `${node.currentRevision}→${node.targetRevision}`,
    ),
  };
}

/** Names in the trusted-keys configmap. */
export function trustedNames(model: ClusterModel, namespace = APISERVER_NAMESPACE): string[] {
  return Object.keys(model.get('ConfigMap', namespace, CERTS_CONFIGMAP_NAME)?.data ?? {}).sort();
}

/** kid of the pair in the bound (or next) secret. */
export function secretKid(model: ClusterModel, which: 'bound' | 'next'): string | undefined {
  const secret =
    which === 'bound'
      ? model.get('Secret', APISERVER_NAMESPACE, BOUND_SECRET_NAME)
      : model.get('Secret', OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
  return readSigningPair(secret)?.publicKey.kid;
}

/** Issues one token per node (round-robin) and returns each node's kid, by node name. */
export async function kidsByNode(model: ClusterModel): Promise<Record<string, string>> {
  const kids: Record<string, string> = {};
  for (const _node of model.describeNodes()) {
    const issued = await model.issueToken({ namespace: 'default', serviceAccount: 'app' });
    kids[issued.nodeName] = readTokenHeader(issued.token).kid;
  }
  return kids;
}

/** Verifies a token as STS would, against the given keys and the test issuer. */
export function verifyWith(
  keys: readonly PrivateSigningKey[],
  token: string,
  now: Date,
): Promise<VerifiedToken> {
  return createTokenVerifier({ keySet: { keys: keys.map((key) => key.publicKey) }, issuer: ISSUER }).verify(
    token,
    now,
  );
}
