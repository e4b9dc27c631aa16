import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLocalRotation } from '#local/local-rotation.ts';
import { type OpenShiftSimulator, startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { createLocalHomePorts } from '#shared/adapters/local/index.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import { initIssuer } from '#shared/rotation/index.ts';
import { freePort, runKeyturn } from '#test/cli/run-keyturn.ts';

describe('the closing third-party check of a local rotation', () => {
  let directory: string;
  let home: string;
  let cluster: OpenShiftSimulator;
  let kubeconfig: string;

  beforeEach(async () => {
    // Prepare: an issuer, and a cluster of our own (so faults can be injected) installed with its key.
    directory = await mkdtemp(join(tmpdir(), 'keyturn-closing-check-'));
    home = join(directory, '.keyturn');
    const ports = createLocalHomePorts({ home, actor: 'test' });
    const issuerUrl = `http://127.0.0.1:${await freePort()}/demo`;
    // A kubeconfig cluster's polls are not scaled: no stable period to wait out.
    const init = await initIssuer(ports, {
      issuerUrl,
      policy: { keyBits: 2048, leadTimeSeconds: 0, stablePeriodSeconds: 0 },
    });
    cluster = await startOpenShiftSimulator({
      issuerUrl,
      initialKey: await ports.vault.open(`${init.issuerId}/initial`),
      nodeRolloutSeconds: 0,
    });
    kubeconfig = join(directory, 'cluster.kubeconfig');
    await writeFile(kubeconfig, cluster.kubeconfig());
  });
  afterEach(async () => {
    await cluster.close();
    await rm(directory, { recursive: true, force: true });
  });

  /** Makes the next `count` cluster API calls fail with a 500 once the workflow has succeeded. */
  const failAfterTheWorkflow = (count: number) => (event: { type: string }) => {
    if (event.type === 'execution-succeeded') cluster.model.faults.failNextCalls(count, 'InternalError');
  };

  it('retries a TokenRequest answered 500, then verifies the fresh token', async () => {
    // Act
    const result = await runLocalRotation({
      home,
      kubeconfig,
      waitScale: 0.02,
      onEvent: failAfterTheWorkflow(2),
      closingCheck: { backoffMs: 10 },
    });

    // Assess
    expect(result.closingCheckProblem).toBeUndefined();
    expect(result.verified?.kid).toBe(activeKey(result.keyring)?.kid);
    expect(cluster.model.faults.pendingFailures).toBe(0);
  });

  it('returns the rotation, with the problem named, when the failures outlast the retries', async () => {
    // Act
    const result = await runLocalRotation({
      home,
      kubeconfig,
      waitScale: 0.02,
      onEvent: failAfterTheWorkflow(3),
      closingCheck: { attempts: 3, backoffMs: 10 },
    });

    // Assess: the rotation stands; only the check is missing.
    expect(result.verified).toBeUndefined();
    expect(result.closingCheckProblem).toMatch(/^ERR_CLUSTER_UNAVAILABLE: .*\(after 3 tries\)$/);
    expect(result.keyring.rotation).toBeUndefined();
    expect(result.keyring.keys.map((key) => key.state)).toEqual(['retired', 'active']);
  });

  it('keyturn rotate --local exits 0 and warns when the closing check cannot be completed', async () => {
    // Act: the CLI's own retries (4 tries, 0.5 s, 1 s, 2 s apart) all meet a 500.
    const run = await runKeyturn(['rotate', '--local', '--home', home, '--kubeconfig', kubeconfig], {
      cwd: directory,
      onErr: (text) => {
        // Verify's line is written once Activate, the last step, has ended.
        if (text.includes('✓ Verify')) cluster.model.faults.failNextCalls(4, 'InternalError');
      },
    });

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^Rotated issuer demo/);
    expect(run.out).not.toContain('verified against');
    expect(run.err).toContain(
      'keyturn: warning: rotation succeeded; the closing check could not be completed: ERR_CLUSTER_UNAVAILABLE',
    );
    expect(run.err).toMatch(
      /run keyturn verify-token TOKEN_FILE --issuer http:\/\/127\.0\.0\.1:\d+\/demo --audience sts\.amazonaws\.com/,
    );
  });
});
