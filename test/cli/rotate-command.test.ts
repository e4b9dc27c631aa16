import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
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

describe('keyturn rotate --local', () => {
  it('runs the rotation workflow with one progress line per step and a verified summary', async () => {
    // Prepare
    const issuer = `http://127.0.0.1:${await freePort()}/demo`;
    await runKeyturn(['init', '--local', '--issuer', issuer, '--bits', '2048', '--lead-time', '1s'], {
      cwd: directory.path,
    });

    // Act
    const run = await runKeyturn(['rotate', '--local'], { cwd: directory.path });

    // Assess
    expect(run.code, run.err).toBe(0);
    for (const step of [
      'Prepare',
      'Generate',
      'Publish',
      'ConfirmVisible',
      'WaitForLeadTime',
      'Push',
      'WatchRollout',
      'Verify',
      'Activate',
    ]) {
      expect(run.err).toMatch(new RegExp(`✓ ${step}\\s+\\d+\\.\\d\\d s`));
    }
    expect(run.out).toMatch(/^Rotated issuer demo in \d+\.\d s/);
    expect(run.out).toContain(`a token freshly issued by the cluster verified against ${issuer}/keys.json`);
    expect(run.out).toMatch(/retired .*\n.*active/);
    expect(run.out + run.err).not.toContain('PRIVATE KEY');
  });

  it('rotates a cluster reached through --kubeconfig (here a simulator started on its own)', async () => {
    // Prepare: the "cluster" was installed with the issuer's active key, as an installer would.
    const issuer = `http://127.0.0.1:${await freePort()}/demo`;
    // A kubeconfig cluster is never time-scaled (its polls wait 30 s): no stable period to wait out.
    await runKeyturn(
      ['init', '--local', '--issuer', issuer, '--bits', '2048', '--lead-time', '1s', '--stable-period', '0s'],
      { cwd: directory.path },
    );
    const home = join(directory.path, '.keyturn');
    const stored = await createFileKeyringStore({ home }).read('demo');
    const active = stored === undefined ? undefined : activeKey(stored.keyring);
    const cluster = await startOpenShiftSimulator({
      issuerUrl: issuer,
      initialKey: await createLocalVault({ home }).open(active?.vaultRef ?? ''),
      nodeRolloutSeconds: 0,
      nodeRebootSeconds: 0,
    });
    await writeFile(join(directory.path, 'cluster.kubeconfig'), cluster.kubeconfig());

    // Act
    const run = await runKeyturn(['rotate', '--local', '--kubeconfig', 'cluster.kubeconfig'], {
      cwd: directory.path,
    }).finally(() => cluster.close());

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('verified against');
  });

  it('rejects rotate in AWS without --issuer (exit 2) and explains a missing local issuer (exit 3)', async () => {
    const withoutLocal = await runKeyturn(['rotate'], { cwd: directory.path });
    const noIssuer = await runKeyturn(['rotate', '--local'], { cwd: directory.path });

    expect(withoutLocal.code).toBe(2);
    expect(withoutLocal.err).toContain('rotating in AWS needs --issuer ID or --fleet (or --local');
    expect(noIssuer.code).toBe(3);
    expect(noIssuer.err).toContain('keyturn init --local');
  });
});

describe('keyturn rotate --local --emergency', () => {
  /** A fresh issuer and its active kid, the one an emergency rotation names. */
  async function issuerWithKid(): Promise<{ issuer: string; kid: string; keyring: () => Promise<string> }> {
    const issuer = `http://127.0.0.1:${await freePort()}/demo`;
    await runKeyturn(['init', '--local', '--issuer', issuer, '--bits', '2048', '--lead-time', '1s'], {
      cwd: directory.path,
    });
    const store = createFileKeyringStore({ home: join(directory.path, '.keyturn') });
    const stored = await store.read('demo');
    const kid = stored === undefined ? '' : (activeKey(stored.keyring)?.kid ?? '');
    return { issuer, kid, keyring: async () => JSON.stringify((await store.read('demo'))?.keyring) };
  }

  it('asks on a terminal, naming the key and the reboots that keep every workload on STS, then rotates (NO-ORPHAN-TOKENS)', async () => {
    // Prepare
    const { kid } = await issuerWithKid();
    const questions: string[] = [];

    // Act
    const run = await runKeyturn(['rotate', '--local', '--emergency', kid], {
      cwd: directory.path,
      ask: async (question) => {
        questions.push(question);
        return 'yes';
      },
    });

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain(`key ${kid} is treated as compromised`);
    expect(questions[0]).toContain('every node is rebooted');
    expect(questions[0]).toContain('no workload is cut off from AWS STS');
    expect(run.out).toContain(`old key: ${kid} (removed`);
  });

  it('with --no-reboot, names the outage it causes in the question and on stderr, then drops the key at once (NO-ORPHAN-TOKENS exception)', async () => {
    // Prepare
    const { kid } = await issuerWithKid();
    const questions: string[] = [];

    // Act
    const run = await runKeyturn(['rotate', '--local', '--emergency', kid, '--no-reboot'], {
      cwd: directory.path,
      ask: async (question) => {
        questions.push(question);
        return 'yes';
      },
    });

    // Assess
    const outage = `every pod holding a token signed by ${kid} is refused by STS until kubelet refreshes it: up to 80 % of the token's lifetime or 24 h`;
    expect(run.code, run.err).toBe(0);
    expect(questions[0]).toContain(`${kid} leaves keys.json at once: ${outage}`);
    expect(run.err).toContain(`--no-reboot: ${outage}`);
    expect(run.out).toContain(`old key: ${kid} (removed`);
  });

  it('refuses --no-reboot without --emergency (exit 2)', async () => {
    // Act
    const run = await runKeyturn(['rotate', '--local', '--no-reboot'], { cwd: directory.path });

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toContain('--no-reboot goes with --emergency KID');
  });

  it.each([
    ['declined on the terminal', async () => 'n', 1, 'emergency rotation not confirmed; nothing was changed'],
    ['without a terminal nor --yes', undefined, 2, 'there is no terminal to confirm this on: add --yes'],
  ])('changes nothing when %s (exit %i)', async (_case, ask, code, message) => {
    // Prepare
    const { kid, keyring } = await issuerWithKid();
    const before = await keyring();

    // Act
    const run = await runKeyturn(['rotate', '--local', '--emergency', kid], {
      cwd: directory.path,
      ...(ask === undefined ? {} : { ask }),
    });

    // Assess
    expect(run.code).toBe(code);
    expect(run.err).toContain(message);
    expect(await keyring()).toBe(before);
  });

  it('refuses a kid that is not the active key before asking anything (exit 1)', async () => {
    // Prepare
    const { kid, keyring } = await issuerWithKid();
    const before = await keyring();
    const questions: string[] = [];

    // Act
    const run = await runKeyturn(['rotate', '--local', '--emergency', 'not-the-active-kid'], {
      cwd: directory.path,
      ask: async (question) => {
        questions.push(question);
        return 'yes';
      },
    });

    // Assess
    expect(run.code, run.err).toBe(1);
    expect(run.err).toContain(
      `an emergency rotation replaces the compromised active key ${kid}, but not-the-active-kid was named`,
    );
    expect(questions).toEqual([]);
    expect(await keyring()).toBe(before);
  });
});
