import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { NEXT_SECRET_NAME, OPERATOR_NAMESPACE } from '#local/openshift-sim/objects.ts';
import { createFileKeyringStore, createLocalVault } from '#shared/adapters/local/index.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import { freePort, makeTempDirectory, runKeyturn } from './run-keyturn.ts';

let directory: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(async () => {
  await directory.remove();
});

const home = () => join(directory.path, '.keyturn');

async function servedKids(): Promise<string[]> {
  const keys = JSON.parse(await readFile(join(home(), 'public', 'demo', 'keys.json'), 'utf8')) as {
    keys: { kid: string }[];
  };
  return keys.keys.map((key) => key.kid);
}

async function vaultFiles(): Promise<string[]> {
  return readdir(join(home(), 'vault', 'demo'));
}

describe('keyturn maintain --local', () => {
  it('removes the retired key once its grace has passed and destroys its private key', async () => {
    // Prepare: an issuer rotated once, its old key retired with a 1 s grace that has passed.
    const issuer = `http://127.0.0.1:${await freePort()}/demo`;
    const init = await runKeyturn(
      ['init', '--local', '--issuer', issuer, '--bits', '2048', '--lead-time', '1s', '--grace', '1s'],
      { cwd: directory.path },
    );
    expect(init.code, init.err).toBe(0);
    const rotate = await runKeyturn(['rotate', '--local'], { cwd: directory.path });
    expect(rotate.code, rotate.err).toBe(0);
    const oldKid = /old key: (\S+)/.exec(rotate.out)?.[1] ?? '';
    const newKid = /new key: (\S+)/.exec(rotate.out)?.[1] ?? '';
    expect(await servedKids()).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect(await vaultFiles()).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // Act
    const run = await runKeyturn(['maintain', '--local'], { cwd: directory.path });

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/✓ MaintainIssuer\s+\d+\.\d\d s/);
    expect(run.out).toContain('Issuer demo:');
    expect(run.out).toContain(`removed from keys.json: ${oldKid}`);
    expect(run.out).toContain(`private keys destroyed: ${oldKid}`);
    expect(run.out).toContain('keys.json republished: yes');
    expect(run.out).toContain('drift: none');
    expect(await servedKids()).toEqual([newKid]);
    expect(await vaultFiles()).toHaveLength(1);
    expect(run.out + run.err).not.toContain('PRIVATE KEY');

    // A second run finds nothing left to do.
    const again = await runKeyturn(['maintain', '--local', '--issuer', 'demo'], { cwd: directory.path });
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('removed from keys.json: none');
    expect(again.out).toContain('private keys destroyed: none');
    expect(await servedKids()).toEqual([newKid]);
  });

  it('exits 1 (ERR_DRIFT) on drift naming --publish-drift, which publishes the cluster key; then exits 0 (RECOVERABLE)', async () => {
    // Prepare: a cluster installed with the issuer's key, whose next secret someone deletes: the operator
    // makes its own key and, once rolled out, signs with it.
    const issuer = `http://127.0.0.1:${await freePort()}/demo`;
    const init = await runKeyturn(['init', '--local', '--issuer', issuer, '--bits', '2048'], {
      cwd: directory.path,
    });
    expect(init.code, init.err).toBe(0);
    const stored = await createFileKeyringStore({ home: home() }).read('demo');
    const active = stored === undefined ? undefined : activeKey(stored.keyring);
    const initialKid = active?.kid ?? '';
    const cluster = await startOpenShiftSimulator({
      issuerUrl: issuer,
      initialKey: await createLocalVault({ home: home() }).open(active?.vaultRef ?? ''),
      nodeRolloutSeconds: 0,
    });
    try {
      await cluster.model.deleteSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
      const operatorKid = cluster.model.describeNodes()[0]?.signingKid ?? '';
      expect(operatorKid).not.toBe(initialKid);
      await writeFile(join(directory.path, 'cluster.kubeconfig'), cluster.kubeconfig());
      const maintain = (...extra: string[]) =>
        runKeyturn(['maintain', '--local', '--kubeconfig', 'cluster.kubeconfig', ...extra], {
          cwd: directory.path,
        });

      // Act
      const drifted = await maintain();
      const repaired = await maintain('--publish-drift');
      const after = await maintain();

      // Assess
      expect(drifted.code, drifted.err).toBe(1);
      expect(drifted.out).toContain(`the cluster signs with ${operatorKid}, which keys.json lacks`);
      expect(drifted.out).toContain('repair: keyturn maintain --local --publish-drift');
      expect(drifted.err).toContain('keyturn maintain --local --publish-drift');
      expect(repaired.code, repaired.err).toBe(0);
      expect(repaired.out).toContain(`published the cluster's signing key: ${operatorKid}`);
      expect(await servedKids()).toEqual([initialKid, operatorKid]);
      expect(after.code, after.err).toBe(0);
      expect(after.out).toContain('drift: none');
      expect(drifted.out + repaired.out + repaired.err).not.toContain('PRIVATE KEY');
    } finally {
      await cluster.close();
    }
  });

  it('refuses without --local (exit 2) and explains a missing issuer (exit 3)', async () => {
    const withoutLocal = await runKeyturn(['maintain'], { cwd: directory.path });
    const noIssuer = await runKeyturn(['maintain', '--local'], { cwd: directory.path });
    const unknownIssuer = await runKeyturn(['maintain', '--local', '--issuer', 'nope'], {
      cwd: directory.path,
    });

    expect(withoutLocal.code).toBe(2);
    expect(noIssuer.code).toBe(3);
    expect(noIssuer.err).toContain('keyturn init --local');
    expect(unknownIssuer.code).toBe(3);
    expect(unknownIssuer.err).toContain('no issuer nope');
  });
});
