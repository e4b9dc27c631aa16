import { decodeJwt } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OpenShiftSimulator, SimulatorRequest } from '#local/openshift-sim/http/index.ts';
import { encodePublicKeyPem, type PrivateSigningKey } from '#shared/keys/index.ts';
import type { ClusterSigner } from '#shared/ports.ts';
import type { FakeClock } from '#test/local/openshift-sim/cluster-fixtures.ts';
import {
  createSimulatorSigner,
  NEXT_SECRET,
  PATHS,
  pairData,
  readTestKeys,
  startTestSimulator,
} from './signer-fixtures.ts';

let current: PrivateSigningKey;
let next: PrivateSigningKey;
let simulator: OpenShiftSimulator;
let clock: FakeClock;
let signer: ClusterSigner;

beforeAll(() => {
  ({ current, next } = readTestKeys());
});

afterEach(async () => {
  await simulator.close();
});

/** Starts the simulator (the operator's own key generation as given) and a signer over it. */
async function start(generateKey?: () => Promise<PrivateSigningKey>): Promise<void> {
  ({ simulator, clock } = await startTestSimulator(
    current,
    generateKey === undefined ? {} : { generateKey },
  ));
  ({ signer } = createSimulatorSigner(simulator));
}

/** The next secret's data as stored now. */
function storedData(): Readonly<Record<string, string>> | undefined {
  return simulator.model.get('Secret', NEXT_SECRET.namespace, NEXT_SECRET.name)?.data;
}

/** Requests since the last call, as `METHOD path`. */
function takeRequests(): string[] {
  return simulator.requests.splice(0).map((request: SimulatorRequest) => `${request.method} ${request.path}`);
}

/** The operator never finishes generating a key of its own, so a deleted or emptied secret stays so. */
const never = () => new Promise<PrivateSigningKey>(() => {});

describe('createOpenShiftClusterSigner push', () => {
  it('replaces both values of the next secret with one JSON patch after a GET', async () => {
    // Prepare
    await start();
    takeRequests();

    // Act
    await signer.push(next);

    // Assess
    expect(simulator.requests.map((request) => request.contentType)).toEqual([
      undefined,
      'application/json-patch+json',
    ]);
    expect(takeRequests()).toEqual([`GET ${PATHS.nextSecret}`, `PATCH ${PATHS.nextSecret}`]);
    expect(storedData()).toEqual(pairData(next));
  });

  it('writes the private key as PKCS#1 and the public key as SPKI PEM', async () => {
    await start();

    await signer.push(next);

    const text = (key: string) => Buffer.from(storedData()?.[key] ?? '', 'base64').toString('utf8');
    expect(text('service-account.key')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(text('service-account.pub')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it('writes nothing when the secret already holds the pair, whatever the public key label', async () => {
    // Prepare: the operator generates `next` itself and writes it under its RSA PUBLIC KEY label
    await start(async () => next);
    await simulator.model.deleteSecret(NEXT_SECRET.namespace, NEXT_SECRET.name);
    takeRequests();

    // Act
    await signer.push(next);
    await signer.push(next);

    // Assess
    expect(takeRequests()).toEqual([`GET ${PATHS.nextSecret}`, `GET ${PATHS.nextSecret}`]);
  });

  it('creates the secret (type Opaque) with both values when it does not exist', async () => {
    // Prepare
    await start(never);
    void simulator.model.deleteSecret(NEXT_SECRET.namespace, NEXT_SECRET.name);
    takeRequests();

    // Act
    await signer.push(next);

    // Assess
    expect(takeRequests()).toEqual([`GET ${PATHS.nextSecret}`, `POST ${PATHS.secrets}`]);
    expect(simulator.model.get('Secret', NEXT_SECRET.namespace, NEXT_SECRET.name)?.type).toBe('Opaque');
    expect(storedData()).toEqual(pairData(next));
  });

  it.each([
    { name: 'no data at all', data: (): Record<string, string> => ({}) },
    {
      name: 'only the public key',
      data: (): Record<string, string> => ({
        'service-account.pub': pairData(current)['service-account.pub'] ?? '',
      }),
    },
  ])('adds values that are missing instead of replacing them: $name', async ({ data }) => {
    // Prepare: an emptied secret, as after `kubectl edit` removed the data
    await start(never);
    void simulator.model.replaceSecret(NEXT_SECRET.namespace, NEXT_SECRET.name, {
      metadata: { name: NEXT_SECRET.name },
      data: data(),
    });

    // Act: a JSON Patch `replace` of a missing value would be refused (RFC 6902 §4.3)
    await signer.push(next);

    // Assess
    expect(storedData()).toEqual(pairData(next));
  });
});

describe('createOpenShiftClusterSigner rolloutProgress', () => {
  beforeEach(async () => {
    await start();
  });

  it('reports trust, nodes at the latest revision and the probe token kid', async () => {
    // Prepare: the operator added the next key and rolls a revision, one node done
    await signer.push(next);
    clock.advance(2);
    takeRequests();

    // Act
    const progress = await signer.rolloutProgress(next.publicKey.kid);

    // Assess
    expect(progress).toEqual({
      trusted: true,
      nodesUpdated: 1,
      nodesTotal: 3,
      signingKid: current.publicKey.kid,
    });
    expect(takeRequests()).toEqual([
      `GET ${PATHS.certs}`,
      `GET ${PATHS.kubeApiServer}`,
      `POST ${PATHS.probeToken}`,
    ]);
  });

  it('never reads a secret', async () => {
    takeRequests();

    await signer.rolloutProgress(next.publicKey.kid);
    await signer.readKeys();

    expect(takeRequests().filter((request) => request.includes('/secrets'))).toEqual([]);
  });
});

describe('createOpenShiftClusterSigner requestToken and readKeys', () => {
  it('asks TokenRequest for the probe service account with the audience and lifetime', async () => {
    // Prepare
    await start();
    const { signer: custom } = createSimulatorSigner(simulator, { tokenExpirationSeconds: 900 });
    takeRequests();

    // Act
    const token = await custom.requestToken('sts.amazonaws.com');

    // Assess
    expect(takeRequests()).toEqual([`POST ${PATHS.probeToken}`]);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      aud: ['sts.amazonaws.com'],
      sub: 'system:serviceaccount:keyturn:keyturn-probe',
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
  });

  it('reads every trusted kid with its SPKI PEM, the operator writing RSA PUBLIC KEY, and the signing kid', async () => {
    // Prepare: the operator generates its own key (someone deleted the next secret) and rolls it out
    await start(async () => next);
    await simulator.model.deleteSecret(NEXT_SECRET.namespace, NEXT_SECRET.name);
    clock.advance(60);

    // Act
    const keys = await signer.readKeys();

    // Assess
    expect(keys.trustedKids).toEqual([current.publicKey.kid, next.publicKey.kid]);
    expect(keys.publicKeys.get(next.publicKey.kid)).toBe(encodePublicKeyPem(next.publicKey));
    expect(keys.signingKid).toBe(next.publicKey.kid);
  });

  it('sends the bearer token of the kubeconfig: another token is refused as ERR_CLUSTER_UNAUTHORIZED', async () => {
    await start();
    const { signer: stranger } = createSimulatorSigner(simulator, {
      kubeconfigChange: { token: 'sha256~not-the-simulator-token' },
    });

    await expect(signer.requestToken('sts.amazonaws.com')).resolves.toEqual(expect.any(String));
    await expect(stranger.requestToken('sts.amazonaws.com')).rejects.toMatchObject({
      code: 'ERR_CLUSTER_UNAUTHORIZED',
      status: 401,
    });
  });

  it('reports a missing probe service account with what to do', async () => {
    // Prepare: the simulator has every service account of its namespaces, and no namespace `nowhere`
    await start();
    const { signer: lost } = createSimulatorSigner(simulator, { probeNamespace: 'nowhere' });

    // Act
    const failed = lost.requestToken('sts.amazonaws.com');

    // Assess
    await expect(failed).rejects.toMatchObject({
      code: 'ERR_CLUSTER_NOT_FOUND',
      status: 404,
      reason: 'NotFound',
    });
    await expect(failed).rejects.toThrow('the probe service account nowhere/keyturn-probe does not exist');
  });
});
