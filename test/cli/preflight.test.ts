import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type OpenShiftSimulatorOptions, startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { createFileKeyringStore, createLocalVault } from '#shared/adapters/local/index.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import { parsePrivateKey } from '#shared/keys/index.ts';
import { PREFLIGHT_API_VERSION, preflightDocumentSchema } from '#shared/preflight/preflight-document.ts';
import { readKeyFixture } from '#test/fixtures/keys.ts';
import { createAwsWorld, STACK } from './aws-world.ts';
import { freePort, makeTempDirectory, runKeyturn } from './run-keyturn.ts';

let directory: { path: string; remove: () => Promise<void> };
let issuer: string;
const UTF8 = { LANG: 'en_US.UTF-8' };

beforeAll(async () => {
  // Arrange (shared): one local issuer, created as a new user would; nothing rotates in these tests.
  directory = await makeTempDirectory();
  issuer = `http://127.0.0.1:${await freePort()}/demo`;
  const init = await runKeyturn(['init', '--local', '--issuer', issuer, '--bits', '2048'], {
    cwd: directory.path,
  });
  expect(init.code, init.err).toBe(0);
}, 60_000);
afterAll(async () => {
  await directory.remove();
});

/**
 * A simulated cluster installed with the issuer's active key (as the installer would), its kubeconfig
 * written to `cluster.kubeconfig`; `use` runs while it serves, and it stops afterwards.
 */
async function withCluster<T>(
  options: Partial<OpenShiftSimulatorOptions>,
  use: (kubeconfig: string) => Promise<T>,
): Promise<T> {
  const home = join(directory.path, '.keyturn');
  const stored = await createFileKeyringStore({ home }).read('demo');
  const active = stored === undefined ? undefined : activeKey(stored.keyring);
  const cluster = await startOpenShiftSimulator({
    issuerUrl: issuer,
    initialKey: await createLocalVault({ home }).open(active?.vaultRef ?? ''),
    nodeRolloutSeconds: 0,
    ...options,
  });
  try {
    await writeFile(join(directory.path, 'cluster.kubeconfig'), cluster.kubeconfig());
    return await use('cluster.kubeconfig');
  } finally {
    await cluster.close();
  }
}

const preflight = (kubeconfig: string, extra: readonly string[] = [], env: Record<string, string> = UTF8) =>
  runKeyturn(['preflight', '--kubeconfig', kubeconfig, ...extra], { cwd: directory.path, env });

describe('keyturn preflight against the OpenShift simulator (issue 14)', () => {
  it('passes every check on a stable cluster set up for the issuer, one ✓ line each and a summary', async () => {
    // Act
    const run = await withCluster({}, (kubeconfig) => preflight(kubeconfig));

    // Assess
    expect(run.code, run.out + run.err).toBe(0);
    const lines = run.out.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('✓ '))).toHaveLength(9);
    expect(run.out).toContain("✓ keyturn's API calls allowed: all ");
    expect(run.out).toContain(`✓ cluster's issuer is the keyring's: spec.serviceAccountIssuer is ${issuer}`);
    expect(run.out).toContain('✓ no other rotator: nobody holds the signer rotation guard');
    expect(lines.at(-1)).toContain('preflight passed: all 9 checks');
    expect(run.out + run.err).not.toContain('PRIVATE KEY');
  });

  it('fails (exit 1) naming a degraded operator and a denied permission, and still runs every other check', async () => {
    // Act
    const run = await withCluster(
      { degradedOperators: ['machine-config'], deniedAccess: ['get configmaps/config'] },
      (kubeconfig) => preflight(kubeconfig),
    );

    // Assess
    expect(run.code).toBe(1);
    expect(run.out).toContain("✗ keyturn's API calls allowed: 1 of ");
    expect(run.out).toContain('    denied: get configmaps config in openshift-kube-apiserver');
    expect(run.out).toContain('✗ cluster stable: machine-config not stable');
    expect(run.out).toMatch(/^ {4}machine-config Degraded=True \(SimulatedFault/m);
    expect(run.out.split('\n').filter((line) => line.startsWith('✓ '))).toHaveLength(7);
    expect(run.out).toContain('preflight FAILED: 7 passed, 2 failed');
    expect(run.err).toContain('api-access, cluster-stable did not pass');
  });

  it('prints a document the schema accepts with -o json, on stdout only, and the same as YAML', async () => {
    // Act
    const [run, yaml] = await withCluster({ deniedAccess: ['list clusteroperators'] }, async (kubeconfig) => [
      await preflight(kubeconfig, ['-o', 'json']),
      await preflight(kubeconfig, ['-o', 'yaml']),
    ]);

    // Assess
    expect(run?.code).toBe(1);
    const document = preflightDocumentSchema.parse(JSON.parse(run?.out ?? ''));
    expect(document).toMatchObject({
      apiVersion: PREFLIGHT_API_VERSION,
      kind: 'Preflight',
      issuerId: 'demo',
      passed: false,
      summary: { passed: 8, failed: 1, notRun: 0 },
    });
    const access = document.checks.find((check) => check.id === 'api-access');
    expect(access?.details).toEqual([
      expect.stringContaining('denied: list clusteroperators.config.openshift.io (cluster-wide)'),
    ]);
    expect(document.checks.find((check) => check.id === 'lead-time')).toMatchObject({
      outcome: 'pass',
      invariant: 'PUBLISHED-BEFORE-SIGN',
    });
    const withoutTime = (parsed: unknown) => ({ ...(parsed as object), checkedAt: undefined });
    expect(withoutTime(load(yaml?.out ?? ''))).toEqual(withoutTime(document));
  });

  it('writes ok and FAIL when the locale is not UTF-8', async () => {
    // Act
    const run = await withCluster({ degradedOperators: ['kube-apiserver'] }, (kubeconfig) =>
      preflight(kubeconfig, [], { LANG: 'C' }),
    );

    // Assess
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^ok {3}cluster reachable: /m);
    expect(run.out).toMatch(/^FAIL cluster stable: kube-apiserver not stable/m);
    expect(run.out).not.toMatch(/[✓✗–]/);
  });

  it('says "not run: cluster unreachable" for the cluster checks, and still checks the issuer', async () => {
    // Arrange: a kubeconfig naming a cluster that no longer listens.
    const kubeconfig = await withCluster({}, async (file) => file);

    // Act
    const run = await preflight(kubeconfig);

    // Assess
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^✗ cluster reachable: .*ECONNREFUSED/m);
    expect(
      run.out.split('\n').filter((line) => line.endsWith(': not run: cluster unreachable')),
    ).toHaveLength(6);
    expect(run.out).toContain('✓ issuer served for relying parties: ');
    expect(run.out).toContain('✓ lead time covers keys.json max-age: ');
    expect(run.out).toContain('preflight FAILED: 2 passed, 1 failed, 6 not run');
  });

  it('exits 3 when there is nothing to check: no kubeconfig, or no such issuer', async () => {
    // Act
    const noKubeconfig = await runKeyturn(['preflight'], { cwd: directory.path, env: {} });
    const noIssuer = await withCluster({}, (kubeconfig) => preflight(kubeconfig, ['--issuer', 'nope']));

    // Assess
    expect(noKubeconfig.code).toBe(3);
    expect(noKubeconfig.err).toContain('give --kubeconfig FILE');
    expect(noIssuer.code).toBe(3);
    expect(noIssuer.err).toContain('no issuer nope under');
  });

  it('is the schema docs/schemas/preflight-v1.schema.json publishes', async () => {
    // Arrange
    const file = join(import.meta.dirname, '..', '..', 'docs', 'schemas', 'preflight-v1.schema.json');
    const generated = JSON.parse(JSON.stringify(z.toJSONSchema(preflightDocumentSchema)));
    if (process.env.KEYTURN_WRITE_SCHEMAS === '1') {
      await writeFile(file, `${JSON.stringify(generated, null, 2)}\n`);
    }

    // Assess (regenerate: KEYTURN_WRITE_SCHEMAS=1 npm exec -- vitest run test/cli/preflight.test.ts)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(generated);
  });
});

describe('keyturn preflight --aws (the issuer in the deployed stack, in fakes)', () => {
  it('checks the cluster against the stack’s issuer, reading keys.json through its public URL', async () => {
    // Arrange: an issuer adopted from the cluster's own key, as after a ccoctl install.
    const world = createAwsWorld();
    const fixture = join(import.meta.dirname, '..', 'fixtures', 'keys', 'rsa2048.private');
    const awsIssuer = `${STACK.issuerBaseUrl}/demo`;
    const served = async (url: string) => {
      const object = world.s3.getObject(STACK.issuerBucket, url.slice(STACK.issuerBaseUrl.length + 1));
      return object === undefined
        ? new Response('not found', { status: 404 })
        : new Response(object.body, {
            headers: { 'content-type': object.contentType, 'cache-control': object.cacheControl ?? '' },
          });
    };
    const cluster = await startOpenShiftSimulator({
      issuerUrl: awsIssuer,
      initialKey: parsePrivateKey(readKeyFixture('rsa2048.private')),
      nodeRolloutSeconds: 0,
    });
    try {
      const init = await runKeyturn(['init', '--aws', '--issuer-id', 'demo', '--adopt', fixture], {
        cwd: directory.path,
      });
      expect(init.code, init.err).toBe(0);
      await writeFile(join(directory.path, 'aws.kubeconfig'), cluster.kubeconfig());

      // Act
      const run = await runKeyturn(['preflight', '--aws', '--kubeconfig', 'aws.kubeconfig', '-o', 'json'], {
        cwd: directory.path,
        fetch: served,
      });

      // Assess
      expect(run.code, run.out + run.err).toBe(0);
      const document = preflightDocumentSchema.parse(JSON.parse(run.out));
      expect(document).toMatchObject({ issuerUrl: awsIssuer, passed: true });
      expect(document.checks.find((check) => check.id === 'issuer-served')?.reason).toContain(
        `${awsIssuer}/keys.json answer 200`,
      );
    } finally {
      await cluster.close();
      world.restore();
    }
  });
});
