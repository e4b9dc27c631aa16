import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '#local/openshift-sim/tokens.ts';
import { generateSigningKeyPair, type PrivateSigningKey } from '#shared/keys/index.ts';
import { createTestCluster, INSTALLED_AT, ISSUER, verifyWith } from './cluster-fixtures.ts';

let initial: PrivateSigningKey;

beforeAll(async () => {
  initial = await generateSigningKeyPair(2048);
});

describe('ClusterModel.issueToken', () => {
  it('answers from each node in turn', async () => {
    // Prepare
    const { model } = createTestCluster(initial);

    // Act
    const nodes: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      nodes.push((await model.issueToken({ namespace: 'apps', serviceAccount: 'web' })).nodeName);
    }

    // Assess
    expect(nodes).toEqual(['master-0', 'master-1', 'master-2', 'master-0']);
  });

  it('defaults to the issuer as audience and one hour of life, reported like TokenRequest status', async () => {
    // Prepare
    const { model, clock } = createTestCluster(initial);

    // Act
    const issued = await model.issueToken({ namespace: 'apps', serviceAccount: 'web' });
    const verified = await verifyWith([initial], issued.token, clock.now());

    // Assess
    expect(verified.audiences).toEqual([ISSUER]);
    expect(issued.expirationTimestamp).toBe('2025-03-01T13:00:00Z');
    expect(decodeJwt(issued.token)).toMatchObject({
      iat: INSTALLED_AT.getTime() / 1000,
      nbf: INSTALLED_AT.getTime() / 1000,
      exp: INSTALLED_AT.getTime() / 1000 + 3600,
    });
  });

  it('binds the token to a pod and its node when asked, as a projected token', async () => {
    // Prepare
    const { model } = createTestCluster(initial);
    const boundPod = { pod: { name: 'web-1', uid: 'pod-uid' }, node: { name: 'worker-0', uid: 'node-uid' } };

    // Act
    const issued = await model.issueToken({ namespace: 'apps', serviceAccount: 'web', boundPod });

    // Assess
    expect(decodeJwt(issued.token)['kubernetes.io']).toMatchObject(boundPod);
  });

  it.each<{ name: string; request: TokenRequest }>([
    {
      name: 'a lifetime under 10 minutes',
      request: { namespace: 'apps', serviceAccount: 'web', expirationSeconds: 599 },
    },
    {
      name: 'a fractional lifetime',
      request: { namespace: 'apps', serviceAccount: 'web', expirationSeconds: 600.5 },
    },
    { name: 'an empty audience', request: { namespace: 'apps', serviceAccount: 'web', audiences: [''] } },
    { name: 'an invalid namespace', request: { namespace: 'Apps!', serviceAccount: 'web' } },
    { name: 'an empty service account', request: { namespace: 'apps', serviceAccount: '' } },
  ])('rejects $name with ERR_SIM_INVALID', async ({ request }) => {
    // Prepare
    const { model } = createTestCluster(initial);

    // Act
    const act = model.issueToken(request);

    // Assess
    await expect(act).rejects.toMatchObject({ code: 'ERR_SIM_INVALID' });
  });
});
