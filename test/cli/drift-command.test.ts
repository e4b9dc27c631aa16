import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OpenShiftSimulator, startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { NEXT_SECRET_NAME, OPERATOR_NAMESPACE } from '#local/openshift-sim/objects.ts';
import { createFileKeyringStore, createLocalVault } from '#shared/adapters/local/index.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import { freePort, makeTempDirectory, runKeyturn } from './run-keyturn.ts';

let directory: { path: string; remove: () => Promise<void> };
let cluster: OpenShiftSimulator | undefined;

beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
  await directory.remove();
});

const home = () => join(directory.path, '.keyturn');
const run = (args: readonly string[]) => runKeyturn(args, { cwd: directory.path });
const onCluster = ['--kubeconfig', 'cluster.kubeconfig'];

/**
 * An issuer and a simulated cluster installed with its key, whose next secret someone deleted: the
 * operator made its own key and signs with it (an uncontrolled rotation). Returns both kids.
 */
async function driftedIssuer(): Promise<{ issuerKid: string; operatorKid: string }> {
  const issuer = `http://127.0.0.1:${await freePort()}/demo`;
  // A kubeconfig cluster's polls are not scaled: no stable period to wait out.
  const init = await run([
    'init',
    '--local',
    '--issuer',
    issuer,
    '--bits',
    '2048',
    '--lead-time',
    '1s',
    '--stable-period',
    '0s',
  ]);
  expect(init.code, init.err).toBe(0);
  const stored = await createFileKeyringStore({ home: home() }).read('demo');
  const active = stored === undefined ? undefined : activeKey(stored.keyring);
  cluster = await startOpenShiftSimulator({
    issuerUrl: issuer,
    initialKey: await createLocalVault({ home: home() }).open(active?.vaultRef ?? ''),
    nodeRolloutSeconds: 0,
  });
  await cluster.model.deleteSecret(OPERATOR_NAMESPACE, NEXT_SECRET_NAME);
  await writeFile(join(directory.path, 'cluster.kubeconfig'), cluster.kubeconfig());
  return {
    issuerKid: active?.kid ?? '',
    operatorKid: cluster.model.describeNodes()[0]?.signingKid ?? '',
  };
}

async function servedKids(): Promise<string[]> {
  const keys = JSON.parse(await readFile(join(home(), 'public', 'demo', 'keys.json'), 'utf8')) as {
    keys: { kid: string }[];
  };
  return keys.keys.map((key) => key.kid);
}

describe('rotations after an uncontrolled rotation (next secret deleted)', () => {
  it('refuses a manual rotation, naming keyturn maintain --publish-drift, a flag that exists (RECOVERABLE)', async () => {
    // Prepare
    const { operatorKid } = await driftedIssuer();

    // Act
    const refused = await run(['rotate', '--local', ...onCluster]);
    const help = await run(['maintain', '--help']);

    // Assess
    // Exit 1: the workflow failure carries ERR_DRIFT, the code of the error that failed Prepare.
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(operatorKid);
    expect(refused.err).toContain('keyturn maintain --publish-drift');
    expect(help.out).toContain('--publish-drift');
  });

  it('lets an emergency rotation through; maintain then finds no drift (NO-ORPHAN-TOKENS, RECOVERABLE)', async () => {
    // Prepare
    const { issuerKid, operatorKid } = await driftedIssuer();

    // Act
    // --no-reboot: the operator's key keeps its grace (a reboot would let it go too).
    const emergency = await run([
      'rotate',
      '--local',
      ...onCluster,
      '--emergency',
      issuerKid,
      '--yes',
      '--no-reboot',
    ]);
    const maintain = await run(['maintain', '--local', ...onCluster]);

    // Assess
    expect(emergency.code, emergency.err).toBe(0);
    expect(emergency.out).toContain('verified against');
    const newKid = cluster?.model.describeNodes()[0]?.signingKid ?? '';
    expect([issuerKid, operatorKid]).not.toContain(newKid);
    expect(await servedKids()).toEqual([operatorKid, newKid]);
    expect(maintain.code, maintain.err).toBe(0);
    expect(maintain.out).toContain('drift: none');
    expect(maintain.out).toContain(
      `trusted, removed by keyturn (expected: OpenShift never drops a public key): ${issuerKid}`,
    );
  });
});
