import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { createClusterPreflightReads } from '#shared/adapters/openshift/cluster-preflight.ts';
import { KEYTURN_API_ACCESS } from '#shared/adapters/openshift/keyturn-access.ts';
import { describeAccessRule } from '#shared/preflight/preflight-reads.ts';
import { ISSUER } from '#test/local/openshift-sim/cluster-fixtures.ts';
import { type FakeApiServer, generateFakeTls, startFakeApiServer, statusReply } from './fake-api-server.ts';
import { readTestKeys, startTestSimulator } from './signer-fixtures.ts';

interface ManifestRole {
  kind: string;
  metadata: { namespace?: string };
  rules?: { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }[];
}

/** Every verb and resource name of docs/openshift-rbac.yaml, as SelfSubjectAccessReview attributes. */
function manifestAccess(): string[] {
  const text = readFileSync(join(import.meta.dirname, '../../../../docs/openshift-rbac.yaml'), 'utf8');
  const roles = text
    .split(/^---$/m)
    .map((document) => load(document) as ManifestRole)
    .filter((object) => object.kind === 'Role' || object.kind === 'ClusterRole');
  return roles.flatMap((role) =>
    (role.rules ?? []).flatMap((rule) =>
      rule.verbs.flatMap((verb) =>
        rule.resources.flatMap((path) =>
          (rule.resourceNames ?? [undefined]).map((name) => {
            const [resource = '', subresource] = path.split('/');
            return describeAccessRule({
              verb,
              group: rule.apiGroups[0] ?? '',
              resource,
              ...(subresource === undefined ? {} : { subresource }),
              ...(role.metadata.namespace === undefined ? {} : { namespace: role.metadata.namespace }),
              ...(name === undefined ? {} : { name }),
            });
          }),
        ),
      ),
    ),
  );
}

const noWarning = () => undefined;

describe('KEYTURN_API_ACCESS', () => {
  it('is every verb and resource name docs/openshift-rbac.yaml grants, in its order', () => {
    expect(KEYTURN_API_ACCESS.map(describeAccessRule)).toEqual(manifestAccess());
  });
});

describe('createClusterPreflightReads against the OpenShift simulator', () => {
  const { current } = readTestKeys();

  it('reads the version and the serviceAccountIssuer, and reviews every call: all allowed', async () => {
    // Prepare
    const { simulator } = await startTestSimulator(current);
    const reads = createClusterPreflightReads({
      kubeconfig: { yaml: simulator.kubeconfig() },
      onWarning: noWarning,
    });

    // Act
    const [version, issuer, reviews] = await Promise.all([
      reads.readServerVersion(),
      reads.readServiceAccountIssuer(),
      reads.reviewAccess(),
    ]).finally(() => simulator.close());

    // Assess
    expect(version).toBe('v1.32.5');
    expect(issuer).toBe(ISSUER);
    expect(reviews.map((review) => review.rule)).toEqual(KEYTURN_API_ACCESS);
    expect(reviews.every((review) => review.allowed)).toBe(true);
    const posts = simulator.requests.filter((request) => request.path.endsWith('/selfsubjectaccessreviews'));
    expect(posts).toHaveLength(KEYTURN_API_ACCESS.length);
  });

  it('answers allowed=false with a reason for what deniedAccess names, the token subresource included', async () => {
    // Prepare
    const { simulator } = await startTestSimulator(current, {
      deniedAccess: ['create serviceaccounts/token', 'update machineconfigs/95-oc-initiated-reboot-worker'],
    });
    const reads = createClusterPreflightReads({
      kubeconfig: { yaml: simulator.kubeconfig() },
      onWarning: noWarning,
    });

    // Act
    const reviews = await reads.reviewAccess().finally(() => simulator.close());

    // Assess
    const denied = reviews.filter((review) => !review.allowed);
    expect(denied.map((review) => describeAccessRule(review.rule))).toEqual([
      'create serviceaccounts/token keyturn-probe in keyturn',
      'update machineconfigs.machineconfiguration.openshift.io 95-oc-initiated-reboot-worker (cluster-wide)',
    ]);
    expect(denied[0]?.reason).toContain('denied by the OpenShift simulator');
  });

  it('refuses a deniedAccess entry that is not "VERB RESOURCE[/NAME]"', async () => {
    await expect(
      startOpenShiftSimulator({ issuerUrl: ISSUER, initialKey: current, deniedAccess: ['secrets'] }),
    ).rejects.toThrow(RangeError);
  });
});

describe('createClusterPreflightReads against answers the simulator never gives', () => {
  let server: FakeApiServer;
  beforeAll(async () => {
    server = await startFakeApiServer(await generateFakeTls());
  });
  afterAll(async () => {
    await server.close();
  });
  const reads = () =>
    createClusterPreflightReads({ kubeconfig: { yaml: server.kubeconfig() }, onWarning: noWarning });

  it('reads an empty serviceAccountIssuer as the cluster default (undefined)', async () => {
    // Prepare
    server.handle(() => ({
      status: 200,
      body: { kind: 'Authentication', spec: { serviceAccountIssuer: '' } },
    }));

    // Act + Assess
    await expect(reads().readServiceAccountIssuer()).resolves.toBeUndefined();
  });

  it('fails with ERR_CLUSTER_FORBIDDEN, naming the resource, when the identity may not read it', async () => {
    // Prepare
    server.handle(() =>
      statusReply(403, 'Forbidden', 'authentications.config.openshift.io "cluster" is forbidden'),
    );

    // Act + Assess
    await expect(reads().readServiceAccountIssuer()).rejects.toMatchObject({
      code: 'ERR_CLUSTER_FORBIDDEN',
      message: expect.stringContaining(
        'GET authentications.config.openshift.io cluster failed with HTTP 403',
      ),
    });
  });

  it('refuses a review answer without status.allowed (ERR_CLUSTER_INVALID_ANSWER)', async () => {
    // Prepare
    server.handle(() => ({
      status: 201,
      body: { kind: 'SelfSubjectAccessReview', status: { reason: 'odd' } },
    }));

    // Act + Assess
    await expect(reads().reviewAccess()).rejects.toMatchObject({ code: 'ERR_CLUSTER_INVALID_ANSWER' });
  });
});
